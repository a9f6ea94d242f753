"""The reviewer's work in a real browser: each action on its own page without JavaScript,
Resolve that chooses nothing, deadlines and the list's filters, a new token copied once and
not made again by a reload, and "Try it out" in the API docs with a bearer token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest

from app.accounts.tokens import create_token
from app.claims import create_claim
from app.clock import utcnow
from app.models import ApiToken, User
from app.unit_of_work import get_session
from tests.browser.conftest import PASSWORD, sign_in


def make_claim(served, statement: str, **values) -> int:
    with served.app.app_context():
        session = get_session()
        reviewer = session.query(User).filter_by(email=served.reviewer).one()
        if "window_end" not in values:
            values.setdefault("expected_within", "P3W")
        claim = create_claim(session, reviewer, utcnow(), {"statement": statement, **values})
        session.commit()
        return claim.claim.id


@pytest.fixture
def no_js_page(browser) -> Iterator[object]:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_each_action_is_a_titled_form_of_its_own_that_works_without_javascript(served, no_js_page):
    page = no_js_page
    claim_id = make_claim(served, "Litware will publish its weights")
    sign_in(page, served, served.reviewer)
    claim_url = f"{served.url}/claims/{claim_id}"
    page.goto(claim_url)
    actions = page.get_by_role("navigation", name="Actions on this claim")
    for link in ["Resolve", "Extend the window", "Add evidence", "Assign", "Edit", "Comment"]:
        assert actions.get_by_role("link", name=link).is_visible(), link

    actions.get_by_role("link", name="Add evidence").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Add evidence"
    page.get_by_label("Link").fill("https://news.example/litware-weights")
    page.get_by_label("Title").fill("Litware confirms the release")
    page.get_by_role("button", name="Add evidence").click()
    page.wait_for_url(f"{claim_url}#timeline")
    assert "Litware confirms the release" in page.locator(".evidence").inner_text()

    page.get_by_role("link", name="Resolve").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Resolve the claim"
    radios = page.get_by_role("radio")
    assert radios.count() == 5
    assert all(not radios.nth(i).is_checked() for i in range(5))  # nothing chosen for you
    refuted = page.get_by_text("The claim will be marked Refuted and leave the open list.")
    assert refuted.is_visible()
    page.get_by_label("Note").fill("Kept while I choose")
    page.get_by_role("button", name="Resolve").click()
    assert page.locator("#outcome-error").inner_text() == "Choose an outcome."
    assert page.get_by_label("Note").input_value() == "Kept while I choose"
    page.get_by_label("Refuted", exact=True).check()
    page.get_by_role("button", name="Resolve").click()
    page.wait_for_url(f"{claim_url}#timeline")
    assert page.locator(".claim-head .badge").inner_text().lower() == "refuted"
    assert page.locator(".event-outcome-refuted").count() == 1  # its own dot colour
    outcome = page.locator(".facts .outcome")
    assert "refuted" in outcome.inner_text().lower() and "known" in outcome.inner_text()
    assert "Window closes" not in page.locator(".claim-head").inner_text()

    page.get_by_label("Comment").fill("Checked with the company")
    page.get_by_role("button", name="Add comment").click()
    page.wait_for_url(f"{claim_url}#timeline")
    assert "Checked with the company" in page.locator(".timeline").inner_text()


def test_the_list_marks_closing_claims_filters_them_and_its_tabs_keep_the_filters(served, page):
    make_claim(
        served, "Fabrikam ships in three days", window_end=str(utcnow().date() + timedelta(3))
    )
    make_claim(served, "Fabrikam ships next quarter", expected_within="P3M")
    sign_in(page, served, served.reviewer)
    soon = page.locator(".claim-row", has_text="Fabrikam ships in three days")
    assert "closes in 3 days" in soon.inner_text()
    assert soon.locator(".soon-mark").is_visible()

    page.get_by_label("Search").fill("Fabrikam")
    page.get_by_label("Closing within 7 days").check()
    page.get_by_label("Order").select_option("window_end")
    page.get_by_role("button", name="Show").click()
    rows = page.locator(".claim-row")
    assert rows.count() == 1 and "three days" in rows.first.inner_text()

    page.get_by_role("navigation", name="Claims per status").get_by_role(
        "link", name=re.compile("Pending")
    ).click()
    assert "status=pending" in page.url
    assert page.get_by_label("Search").input_value() == "Fabrikam"
    assert page.get_by_label("Closing within 7 days").is_checked()
    assert page.get_by_label("Order").input_value() == "window_end"


def test_a_new_token_is_copied_with_a_button_and_a_reload_does_not_make_another(browser, served):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.url)
    page = context.new_page()
    sign_in(page, served, served.admin)
    page.goto(f"{served.url}/settings")
    tokens = page.locator("#tokens")
    tokens.get_by_label("Token name").fill("Newsroom sheet")
    tokens.get_by_label("Your password").fill(PASSWORD)
    tokens.get_by_role("button", name="Create token").click()
    page.wait_for_url(re.compile(r"/settings#tokens$"))
    secret = page.locator("#new-token").inner_text()
    assert secret.startswith("cw_")
    page.get_by_role("button", name="Copy the token").click()
    page.locator("#new-token-copied", has_text="Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == secret

    page.reload()  # a GET: nothing is sent again, and the secret is not shown again
    assert page.locator("#new-token").count() == 0
    with served.app.app_context():
        made = get_session().query(ApiToken).filter_by(name="Newsroom sheet").count()
    assert made == 1
    context.close()


def test_without_javascript_the_new_token_is_text_to_select_and_no_button_shows(served, no_js_page):
    page = no_js_page
    sign_in(page, served, served.admin)
    page.goto(f"{served.url}/settings")
    page.get_by_label("Token name").fill("No script")
    page.locator("#tokens").get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Create token").click()
    assert page.locator("#new-token").inner_text().startswith("cw_")
    assert not page.get_by_role("button", name="Copy the token").is_visible()


def test_try_it_out_in_the_api_docs_with_a_bearer_token(served, page):
    make_claim(served, "Contoso opens a Lisbon region")
    with served.app.app_context():
        session = get_session()
        reviewer = session.query(User).filter_by(email=served.reviewer).one()
        _, secret = create_token(session, reviewer, utcnow(), "docs", "read")
        session.commit()
    page.goto(f"{served.url}/api/docs")
    page.get_by_role("button", name="Authorize").first.click()
    page.get_by_label("auth-bearer-value").fill(secret)
    page.get_by_role("button", name="Apply credentials").click()
    page.locator(".auth-btn-wrapper").get_by_role("button", name="Close").click()

    operation = page.locator("#operations-claims-listClaims")
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tr.response .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    assert (
        "Contoso opens a Lisbon region" in operation.locator(".live-responses-table").inner_text()
    )

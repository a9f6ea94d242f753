"""Forms in the browser: typed values survive errors, viewers cannot change, CSRF is required."""

from __future__ import annotations

import re

from app.claims import create_claim
from app.clock import utcnow
from app.models import User
from app.unit_of_work import get_session
from tests.browser.conftest import sign_in


def make_claim(served, statement: str) -> int:
    with served.app.app_context():
        session = get_session()
        reviewer = session.query(User).filter_by(email=served.reviewer).one()
        claim = create_claim(
            session, reviewer, utcnow(), {"statement": statement, "expected_within": "P2W"}
        ).claim
        session.commit()
        return claim.id


def test_a_form_with_errors_keeps_what_was_typed_and_explains_each_field(served, page):
    sign_in(page, served, served.reviewer)
    page.goto(f"{served.url}/claims/new")
    page.get_by_label("Subject").fill("Kept subject ✓")
    page.get_by_label("Claimant").fill("Someone, per someone else")
    page.get_by_label("First seen at").fill("ftp://not-a-web-link")
    page.get_by_label("Tags").fill("fine, Not/Valid")
    page.get_by_label("Details").fill("Line one\nLine two")
    page.get_by_role("button", name="Create claim").click()

    assert page.get_by_role("heading", level=1).inner_text() == "New claim"
    assert page.get_by_label("Subject").input_value() == "Kept subject ✓"
    assert page.get_by_label("Claimant").input_value() == "Someone, per someone else"
    assert page.get_by_label("First seen at").input_value() == "ftp://not-a-web-link"
    assert page.get_by_label("Tags").input_value() == "fine, Not/Valid"
    assert page.get_by_label("Details").input_value() == "Line one\nLine two"
    assert "is required" in page.locator("#statement-error").inner_text()
    assert "http or https" in page.locator("#first_seen_url-error").inner_text()
    assert "not/valid" in page.locator("#tags-error").inner_text()
    # Said in the form's words, not the API's ("or give expected_within, e.g. P3W").
    assert (
        page.locator("#window_end-error").inner_text() == "Pick how long, or the window's last day."
    )
    assert page.get_by_label("Statement").get_attribute("aria-invalid") == "true"


def test_a_viewer_sees_no_actions_and_a_forged_post_is_forbidden(served, page):
    claim_id = make_claim(served, "Viewer-proof claim")
    sign_in(page, served, served.viewer)
    page.goto(f"{served.url}/claims/{claim_id}")
    assert page.get_by_role("heading", level=1).inner_text() == "Viewer-proof claim"
    assert page.get_by_role("link", name="New claim").count() == 0
    assert page.get_by_role("link", name="Edit").count() == 0
    assert page.locator("main form").count() == 0  # no action forms at all

    # A forged POST with a valid CSRF token (taken from the sign-out form) is still refused.
    token = page.locator("input[name=csrf_token]").first.input_value()
    response = page.request.post(
        f"{served.url}/claims/{claim_id}/comments",
        form={"csrf_token": token, "body": "a viewer should not be able to say this"},
        max_redirects=0,
    )
    assert response.status == 403
    page.goto(f"{served.url}/claims/{claim_id}")
    assert "a viewer should not" not in page.content()
    assert page.request.get(f"{served.url}/claims/{claim_id}/edit").status == 403


def test_a_post_without_a_csrf_token_is_refused(served, page):
    claim_id = make_claim(served, "CSRF-proof claim")
    sign_in(page, served, served.reviewer)
    response = page.request.post(
        f"{served.url}/claims/{claim_id}/comments",
        form={"body": "posted from another site"},
        max_redirects=0,
    )
    assert response.status == 400
    assert re.search(r"security token", response.text())
    page.goto(f"{served.url}/claims/{claim_id}")
    assert "posted from another site" not in page.content()

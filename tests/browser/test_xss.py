"""Script and event-handler payloads in every field a person can fill are shown as text.

The browser context bypasses the Content-Security-Policy on purpose: the CSP would block an
injected script anyway, and this test is about escaping, the first line of defence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest

from app.clock import utcnow
from app.sweep import flag_overdue_claims
from app.unit_of_work import get_session
from tests.browser.conftest import sign_in

PAYLOAD = "\"'><script>alert('xss')</script><img src=x onerror=alert('img')><svg onload=alert(1)>"
# Our own scripts are files under /assets/ (the copy button); any other script is injected.
INJECTED = (
    "script:not([src^='/assets/']), img[src='x'], svg[onload], [onerror], [onload], [onclick],"
    " iframe"
)


def payload(field: str) -> str:
    return f"{field}:{PAYLOAD}"


@pytest.fixture
def xss_page(browser, served) -> Iterator[object]:
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()
    assert dialogs == [], f"a dialog opened: {dialogs}"


def assert_shown_as_text(page, *fields: str) -> None:
    assert page.dialogs == []
    assert page.locator(INJECTED).count() == 0, page.url
    text = page.locator("body").inner_text()
    for field in fields:
        assert payload(field) in text, (field, page.url)


def test_payloads_in_every_field_are_shown_as_text_everywhere(served, xss_page):
    page = xss_page
    sign_in(page, served, served.reviewer)

    page.goto(f"{served.url}/settings")
    page.get_by_label("Display name").fill(payload("name"))
    page.get_by_role("button", name="Save").click()
    assert_shown_as_text(page, "name")

    page.goto(f"{served.url}/claims/new")
    fields = {
        "Statement": "statement",
        "Subject": "subject",
        "Claimant": "claimant",
        "Source (outlet)": "source",
        "Details": "details",
    }
    for label, field in fields.items():
        page.get_by_label(label).fill(payload(field))
    page.get_by_label("Tags").fill(payload("tags"))
    yesterday = (utcnow() - timedelta(days=2)).date().isoformat()
    page.get_by_label("Window closes").fill(yesterday)
    page.get_by_role("button", name="Create claim").click()
    # A tag cannot hold markup: refused, and the refusal shows what was typed, as text.
    assert page.get_by_label("Tags").input_value() == payload("tags")
    assert page.locator(INJECTED).count() == 0
    assert "not a tag" in page.locator("#tags-error").inner_text()
    assert page.get_by_label("Statement").input_value() == payload("statement")

    page.get_by_label("Tags").fill("xss")
    page.get_by_role("button", name="Create claim").click()
    page.wait_for_url(re.compile(r"/claims/\d+$"))
    claim_url = page.url
    assert_shown_as_text(page, *fields.values())

    page.get_by_role("link", name="Add evidence").click()
    assert_shown_as_text(page, "statement")  # the action's page says what it acts on
    page.get_by_label("Link").fill("https://example.com/evidence?q=%3Cscript%3E")
    page.get_by_label("Title").fill(payload("evidence title"))
    page.get_by_label("Note").fill(payload("evidence note"))
    page.get_by_role("button", name="Add evidence").click()
    page.wait_for_url(f"{claim_url}#timeline")
    page.locator("#comment").get_by_label("Comment").fill(payload("comment"))
    page.locator("#comment").get_by_role("button", name="Add comment").click()
    page.wait_for_url(f"{claim_url}#timeline")
    assert_shown_as_text(
        page, *fields.values(), "evidence title", "evidence note", "comment", "name"
    )

    with served.app.app_context():
        flag_overdue_claims(get_session(), utcnow())

    pages = {
        "/claims": ["statement", "subject", "name"],
        "/dashboard": ["statement"],
        "/sources": ["source"],
        "/admin/users": [],
        "/settings": [],
    }
    for path, shown in pages.items():
        page.goto(f"{served.url}{path}")
        assert_shown_as_text(page, *shown)
    page.goto(claim_url)
    page.locator(".facts").get_by_role("link", name=payload("source")).click()
    assert_shown_as_text(page, "source", "statement", "subject")  # the source's page
    page.goto(f"{claim_url}/edit")
    assert page.get_by_label("Statement").input_value() == payload("statement")
    assert page.get_by_label("Source (outlet)").input_value() == payload("source")
    assert_shown_as_text(page)

    sign_in_as_admin_sees_names(page, served)


def sign_in_as_admin_sees_names(page, served) -> None:
    page.context.clear_cookies()
    sign_in(page, served, served.admin)
    page.goto(f"{served.url}/admin/users")
    assert_shown_as_text(page, "name")

"""The reviewer's journey in a real browser, from sign-in to a resolved claim with its history.

"Time passes" honestly: the test moves the process clock (time-machine, which the served
app's thread shares) four weeks ahead, then runs the overdue sweep as the scheduler would.
"""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine

from app.clock import utcnow
from app.sweep import flag_overdue_claims
from app.unit_of_work import get_session
from tests.browser.conftest import screenshot, sign_in

STATEMENT = "DeepSeek V4 will be trained and served entirely on Huawei Ascend chips"


def sweep(served) -> int:
    with served.app.app_context():
        return flag_overdue_claims(get_session(), utcnow())


def test_claim_goes_overdue_is_extended_and_resolved_with_a_full_timeline(served, page):
    today = utcnow().date()
    sign_in(page, served, served.reviewer)

    page.get_by_role("link", name="New claim").click()
    page.get_by_label("Statement").fill(STATEMENT)
    page.get_by_label("Subject").fill("DeepSeek V4")
    page.get_by_label("Claimant").fill("DeepSeek, per unnamed internal sources")
    page.get_by_label("Source (outlet)").fill("The Decoder")
    page.get_by_label("Claimed on").fill(today.isoformat())
    page.get_by_label("Expected within").select_option("P3W")
    page.get_by_label("Tags").fill("ai, chips")
    page.get_by_role("button", name="Create claim").click()
    page.wait_for_url(re.compile(r"/claims/\d+$"))
    claim_url = page.url
    assert page.get_by_role("heading", level=1).inner_text() == STATEMENT
    assert page.locator(".claim-head .badge").inner_text().lower() == "pending"

    page.get_by_role("link", name="Add evidence").click()
    page.get_by_label("Link").fill("https://the-decoder.com/deepseek-v4-ascend")
    page.get_by_label("Title").fill("DeepSeek V4 to run entirely on Huawei Ascend chips")
    page.get_by_label("Stance").select_option("supports")
    page.get_by_role("button", name="Add evidence").click()
    page.wait_for_url(f"{claim_url}#timeline")
    assert (
        "DeepSeek V4 to run entirely on Huawei Ascend chips"
        in page.locator(".evidence").inner_text()
    )

    # P3W from today ends at the start of day 22; four weeks later it is 6 days overdue.
    with time_machine.travel(utcnow() + timedelta(weeks=4), tick=True):
        assert sweep(served) == 1

        # No session lasts four weeks (SESSION_ABSOLUTE_TIMEOUT, 7 days): sign in again.
        page.goto(f"{served.url}/claims")
        assert "/sign-in" in page.url
        sign_in(page, served, served.reviewer)
        first = page.locator(".claim-row").first
        assert STATEMENT in first.inner_text()
        assert "6 days overdue" in first.inner_text()
        assert first.locator(".badge").inner_text().lower() == "overdue"

        page.get_by_role("link", name="Dashboard").click()
        most_overdue = page.locator("#most-overdue")
        assert STATEMENT in most_overdue.inner_text()
        assert "6 days overdue" in most_overdue.inner_text()
        assert page.locator(".tile-overdue .n").inner_text() == "1"
        screenshot(page, "journey-dashboard.png")

        page.goto(claim_url)
        page.get_by_role("link", name="Extend the window").click()
        page.get_by_label("New window").select_option("P2W")
        page.get_by_label("Reason").fill("DeepSeek said the launch moved to next month")
        page.get_by_role("button", name="Extend the window").click()
        page.wait_for_url(f"{claim_url}#timeline")
        assert page.locator(".claim-head .badge").inner_text().lower() == "pending"

        page.get_by_role("link", name="Resolve").click()
        page.get_by_label("Confirmed", exact=True).check()
        page.get_by_label("Note").fill(
            "DeepSeek's launch post names Ascend for training and serving"
        )
        page.get_by_role("button", name="Resolve").click()
        page.wait_for_url(f"{claim_url}#timeline")
        assert page.locator(".claim-head .badge").inner_text().lower() == "confirmed"

        events = page.locator(".timeline .event")
        texts = [events.nth(i).inner_text() for i in range(events.count())]
        screenshot(page, "journey-claim.png")

    expected = [
        ("Rita Reviewer", "created the claim"),
        ("Rita Reviewer", "added evidence (supports)"),
        ("System", "flagged it overdue"),
        ("Rita Reviewer", "extended the window"),
        ("Rita Reviewer", "resolved it as"),
    ]
    assert len(texts) == len(expected), texts
    time_shown = re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC")
    for text, (actor, action) in zip(texts, expected, strict=True):
        assert text.startswith(actor), text
        assert action in text, text
        assert time_shown.search(text), text
    assert "resolved it as confirmed" in texts[-1].lower()

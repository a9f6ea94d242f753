"""Possible duplicates in a real browser: the seed's DeepSeek statement entered a second time
in other words leads to the claim the desk already tracks."""

from __future__ import annotations

import re

from app.claims import create_claim
from app.clock import utcnow
from app.models import User
from app.unit_of_work import get_session
from tests.browser.conftest import sign_in

SEED = "DeepSeek V4 will be trained and served entirely on Huawei Ascend chips"
AGAIN = "Huawei's Ascend chips will train and serve DeepSeek's V4 model"


def test_the_same_claim_in_other_words_shows_the_one_already_tracked(served, page):
    with served.app.app_context():
        session = get_session()
        reviewer = session.query(User).filter_by(email=served.reviewer).one()
        values = {"statement": SEED, "subject": "DeepSeek V4", "expected_within": "P3W"}
        seed_id = create_claim(session, reviewer, utcnow(), values).claim.id
        session.commit()
    sign_in(page, served, served.reviewer)

    page.get_by_role("link", name="New claim").click()
    page.get_by_label("Statement").fill(AGAIN)
    page.get_by_label("Expected within").select_option("P3W")
    page.get_by_role("button", name="Create claim").click()

    page.wait_for_url(re.compile(r"/claims/\d+/similar$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Possible duplicates"
    assert "may already track it" in page.locator(".flash").inner_text()
    [first] = page.locator(".similar .claim-row").all()[:1]
    assert SEED in first.inner_text()
    assert "DeepSeek V4" in first.inner_text()
    first.get_by_role("link", name=SEED).click()
    page.wait_for_url(f"{served.url}/claims/{seed_id}")

    page.go_back()
    page.get_by_role("link", name="Go to the claim").click()
    assert page.get_by_role("heading", level=1).inner_text() == AGAIN

"""Leads in a real browser: a reviewer adds a feed, the poll (as the scheduler runs it) finds
two entries about the claim; the reviewer finds them on the claim's page and in the inbox,
accepts one as evidence and dismisses the other with a reason; the timeline tells it all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.claims import create_claim
from app.clock import utcnow
from app.models import User
from app.polling import run_watch_poll
from app.unit_of_work import get_session
from tests.browser.conftest import screenshot, sign_in
from tests.outbound.servers import LocalServer, running
from tests.watches.feeds import Feed, Item, serve

STATEMENT = "DeepSeek V4 will be trained and served entirely on Huawei Ascend chips"
LAUNCH = Item(
    "urn:launch",
    "DeepSeek V4 launch post: trained and served on Ascend",
    "https://newsroom.example/deepseek-v4-launch",
    "The company says V4 was trained on Huawei Ascend clusters and is served on them.",
)
RUMOUR = Item(
    "urn:rumour",
    "Forum rumour: DeepSeek V4 delayed again",
    "https://forum.example/deepseek-v4-delay",
)


@pytest.fixture
def feed_server() -> Iterator[LocalServer]:
    with running("127.0.0.1") as server:
        yield server


def make_claim(served) -> int:
    with served.app.app_context():
        session = get_session()
        reviewer = session.query(User).filter_by(email=served.reviewer).one()
        values = {"statement": STATEMENT, "subject": "DeepSeek V4", "expected_within": "P3W"}
        claim = create_claim(session, reviewer, utcnow(), values).claim
        session.commit()
        return claim.id


def poll(served) -> None:
    """The scheduler's watch job, once; the local feed server counts as reachable."""
    served.app.config["ALLOW_PRIVATE_URLS"] = True
    try:
        summary = run_watch_poll(served.app, utcnow())
    finally:
        served.app.config["ALLOW_PRIVATE_URLS"] = False
    assert (summary.updated, summary.leads) == (1, 2), summary.lines


def test_a_reviewer_accepts_one_lead_as_evidence_and_dismisses_another(served, page, feed_server):
    claim_id = make_claim(served)
    feed_url = serve(feed_server, "/newsroom.xml", Feed("rss", [LAUNCH, RUMOUR]))
    sign_in(page, served, served.reviewer)

    page.get_by_role("link", name="Watches").click()
    page.get_by_label("Feed address").fill(feed_url)
    page.get_by_label("Name").fill("DeepSeek newsroom")
    page.get_by_role("button", name="Watch this feed").click()
    assert "Now watching DeepSeek newsroom" in page.locator(".flash").inner_text()
    assert "Not checked yet" in page.locator(".watch").inner_text()

    poll(served)

    page.reload()
    assert "Working: last checked" in page.locator(".watch").inner_text()
    claim_url = f"{served.url}/claims/{claim_id}"
    page.goto(claim_url)
    on_claim = page.locator(".claim-leads .lead")
    assert on_claim.count() == 2
    assert LAUNCH.title in page.locator(".claim-leads").inner_text()

    page.get_by_role("link", name="Leads", exact=True).click()
    launch = page.locator(".lead", has_text=LAUNCH.title)
    assert STATEMENT in launch.inner_text()
    launch.get_by_label("Stance").select_option("supports")
    launch.get_by_label("Note").fill("The company's own launch post")
    launch.get_by_role("button", name="Accept as evidence").click()
    assert "Lead accepted as evidence." in page.locator(".flash").inner_text()
    assert page.locator(".lead", has_text=LAUNCH.title).count() == 0  # no longer new
    screenshot(page, "leads-inbox.png")

    page.goto(claim_url)
    evidence = page.locator(".evidence")
    assert LAUNCH.title in evidence.inner_text()
    assert "The company's own launch post" in evidence.inner_text()

    rumour = page.locator(".claim-leads .lead", has_text=RUMOUR.title)
    rumour.get_by_label("Reason").fill("A forum rumour, not an announcement")
    rumour.get_by_role("button", name="Dismiss").click()
    page.wait_for_url(f"{claim_url}#leads")
    dismissed = page.locator(".claim-leads .lead", has_text=RUMOUR.title)
    assert "Dismissed by Rita Reviewer" in dismissed.inner_text()
    assert "A forum rumour, not an announcement" in dismissed.inner_text()
    screenshot(page, "claim-leads.png")

    events = page.locator(".timeline .event")
    texts = [events.nth(i).inner_text() for i in range(events.count())]
    assert texts[0].startswith("Rita Reviewer") and "created the claim" in texts[0]
    found = [t for t in texts if "found a lead in DeepSeek newsroom" in t]
    assert len(found) == 2 and all(t.startswith("System") for t in found)
    assert any(
        t.startswith("Rita Reviewer")
        and "added evidence (supports) from a lead" in t
        and LAUNCH.title in t
        for t in texts
    )
    assert any(
        t.startswith("Rita Reviewer") and "dismissed a lead" in t and "A forum rumour" in t
        for t in texts
    )


def test_the_inbox_and_the_watches_page_fit_a_phone(served, page):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, served, served.reviewer)
    for path in ("/leads", "/watches"):
        page.goto(f"{served.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path

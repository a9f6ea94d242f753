"""What a reviewer must be able to trust, read in a real browser: a deadline on its own day in
the reader's zone and a passed window as overdue before any sweep, the week's deadlines on the
dashboard, a date that cannot be true refused beside its field, the claim page naming people
(no emails, no version), a page per source, one spelling per tag, and a landing page that says
what Claimwatch is."""

from __future__ import annotations

import re
from datetime import date, timedelta

from app.accounts.users import create_user
from app.clock import utcnow
from app.models import User
from app.unit_of_work import get_session
from tests.browser.conftest import PASSWORD, sign_in
from tests.browser.test_reviewer_work import make_claim

TOKYO = "tokyo@newsroom.example"


def day_text(day: date) -> str:
    """A day as every page writes it: 22 Dec 2026."""
    return f"{day.day} {day:%b %Y}"


def tokyo_reviewer(served) -> None:
    with served.app.app_context():
        session = get_session()
        if session.query(User).filter_by(email=TOKYO).one_or_none() is None:
            user = create_user(
                session, utcnow(), TOKYO, "reviewer", name="Taro Tanaka", password=PASSWORD
            )
            user.timezone = "Asia/Tokyo"
            session.commit()


def test_a_tokyo_reviewer_reads_each_deadline_on_its_day_and_a_passed_window_as_overdue(
    served, page
):
    today = utcnow().date()
    in_ten, in_three, passed = today + timedelta(10), today + timedelta(3), today - timedelta(3)
    make_claim(served, "Northwind opens a Tokyo office", window_end=in_ten.isoformat())
    make_claim(served, "Northwind names a Tokyo lead", window_end=in_three.isoformat())
    make_claim(
        served,
        "Northwind ships the Tokyo app",
        claimed_on=(passed - timedelta(20)).isoformat(),
        window_end=passed.isoformat(),
    )
    tokyo_reviewer(served)
    sign_in(page, served, TOKYO)
    page.get_by_label("Search").fill("Northwind Tokyo")
    page.get_by_role("button", name="Show").click()

    later = page.locator(".claim-row", has_text="opens a Tokyo office").inner_text()
    assert "closes in" in later and f"end of {day_text(in_ten)}" in later
    assert day_text(in_ten + timedelta(1)) not in later  # not the next day in Tokyo
    # No sweep has run: the claim is still pending in the database, and reads overdue.
    overdue = page.locator(".claim-row", has_text="ships the Tokyo app").inner_text()
    assert re.search(r"\b[23] days overdue", overdue)  # full days since the end of that day
    assert f"end of {day_text(passed)}" in overdue

    page.get_by_role("link", name="Dashboard").click()
    this_week = page.locator("section", has_text="Closing within 7 days").inner_text()
    assert "Northwind names a Tokyo lead" in this_week
    assert "Northwind opens a Tokyo office" not in this_week
    assert (
        "Northwind ships the Tokyo app"
        in page.locator("section", has_text="Most overdue").inner_text()
    )


def test_a_window_that_closes_before_the_claim_is_refused_beside_the_field(served, page):
    sign_in(page, served, served.reviewer)
    page.goto(f"{served.url}/claims/new")
    page.get_by_label("Statement").fill("Contoso will open a Lisbon region")
    page.get_by_label("Claimed on").fill("2026-12-01")
    page.get_by_label("Window closes").fill("2026-11-20")
    page.get_by_role("button", name="Create claim").click()

    error = page.locator("#window_end-error")
    assert "closes before the claim was made" in error.inner_text()
    assert page.get_by_label("Window closes").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Statement").input_value() == "Contoso will open a Lisbon region"
    assert page.get_by_role("heading", level=1).inner_text() == "New claim"  # nothing saved


def test_the_claim_page_names_people_and_links_a_page_for_its_source(served, page):
    claim_id = make_claim(
        served,
        "Fabrikam will publish open weights",
        source="The Decoder",
        tags=["Open Weights", "open-weights", "AI"],
    )
    sign_in(page, served, served.reviewer)
    page.goto(f"{served.url}/claims/{claim_id}")
    body = page.locator("main").inner_text()
    assert "Rita Reviewer created the claim" in body
    assert served.reviewer not in body  # a name, never an email
    assert "version" not in body.lower()
    tags = page.locator(".claim-head .tag, .facts .tag").all_inner_texts()
    assert sorted(tags) == ["ai", "open-weights"]  # one spelling per tag

    page.get_by_role("link", name="The Decoder").click()
    assert page.get_by_role("heading", level=1).inner_text() == "The Decoder"
    assert page.get_by_role("heading", name="Track record").is_visible()
    assert page.locator(".claim-row", has_text="Fabrikam will publish open weights").count() == 1


def test_a_visitor_is_told_what_claimwatch_is_before_signing_in(served, page):
    page.goto(f"{served.url}/")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "Claimwatch keeps track of claims until the truth is known"
    assert "Please sign in" not in page.locator("main").inner_text()
    assert page.locator('link[rel="icon"]').count() == 1
    page.get_by_role("link", name="Sign in").first.click()
    assert page.get_by_label("Email").is_visible()

"""Deadlines on the pages: how long each open claim has left or how long it is overdue, the
closing-soon mark and filter, the list's orders, tabs that keep filters, the dashboard's week,
and resolved claims told by their outcome."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from markupsafe import escape

from app.claims import resolve_claim
from app.sweep import flag_overdue_claims

NOW = datetime(2026, 12, 20, 12, tzinfo=UTC)


@pytest.fixture
def as_reviewer(browser, reviewer, session):
    """A signed-in reviewer, with the clock stopped at NOW for the whole test."""
    session.commit()
    with time_machine.travel(NOW, tick=False):
        browser.sign_in(reviewer.email)
        yield browser


def text(response) -> str:
    return response.get_data(as_text=True)


def listed(html: str, *statements: str) -> list[str]:
    """The statements, in the order the page shows them (those it shows)."""
    found = [(html.find(str(escape(s))), s) for s in statements]
    return [s for at, s in sorted(found) if at >= 0]


def desk(factory, session):
    """Claims around NOW: closing tomorrow, in 7 and 8 days, past (not yet swept), resolved."""
    made = {
        "tomorrow": factory.claim(statement="Closes tomorrow", window_end="2026-12-21"),
        "seventh": factory.claim(statement="Closes in seven", window_end="2026-12-27"),
        "eighth": factory.claim(statement="Closes in eight", window_end="2026-12-28"),
        "late": factory.claim(statement="Past its window", window_end="2026-12-16"),
        "done": factory.claim(statement="Settled already", window_end="2026-12-22"),
    }
    factory.evidence(made["done"])
    resolve_claim(session, factory.reviewer, NOW, made["done"].id, "refuted", "", "2026-11-25")
    session.commit()
    return made


def test_open_claims_say_how_long_they_have_and_past_ones_read_overdue_before_the_sweep(
    as_reviewer, factory, session
):
    desk(factory, session)
    html = text(as_reviewer.get("/claims"))
    assert "closes tomorrow" in html
    assert "closes in 7 days" in html and "closes in 8 days" in html
    # Not swept yet, but past its window: it reads overdue, with its days.
    row = re.search(r'<li class="claim-row status-pending deadline-overdue">.*?</li>', html, re.S)
    assert row and "Past its window" in row.group(0)
    assert "3 days overdue" in row.group(0)
    assert '<span class="badge badge-overdue">Overdue</span>' in row.group(0)
    assert html.count("closing soon") == 2  # tomorrow and the seventh day, not the eighth
    # The resolved claim: its outcome and when it became known, no window.
    settled = re.search(r'<li class="claim-row status-refuted.*?</li>', html, re.S).group(0)
    assert "Refuted, known" in settled and "25 Nov 2026" in settled
    assert "closes" not in settled and "Window" not in settled


def test_the_list_shows_only_claims_closing_within_seven_days_when_asked(
    as_reviewer, factory, session
):
    desk(factory, session)
    html = text(as_reviewer.get("/claims?closing=7"))
    shown = listed(html, "Closes tomorrow", "Closes in seven", "Closes in eight", "Past its window")
    assert shown == ["Closes tomorrow", "Closes in seven"]
    assert "Settled already" not in html
    assert 'name="closing" value="7" checked' in html


def test_the_list_sorts_by_window_by_most_overdue_and_by_newest(as_reviewer, factory, session):
    first = factory.claim(statement="Made first, closes last", window_end="2027-03-01")
    second = factory.claim(
        statement="Made second, closes first",
        window_end="2026-12-22",
        now=factory.now + timedelta(1),
    )
    overdue = factory.claim(statement="Long overdue", window_end="2026-11-01")
    flag_overdue_claims(session, NOW)
    session.commit()
    names = [first.statement, second.statement, overdue.statement]
    by_attention = listed(text(as_reviewer.get("/claims")), *names)
    by_window = listed(text(as_reviewer.get("/claims?sort=window_end")), *names)
    by_newest = listed(text(as_reviewer.get("/claims?sort=-created_at")), *names)
    assert by_attention == [overdue.statement, second.statement, first.statement]
    assert by_window == [overdue.statement, second.statement, first.statement]
    assert by_newest[0] == second.statement
    assert by_newest.index(first.statement) > by_newest.index(second.statement)


def test_status_tabs_keep_the_search_tag_source_mine_closing_and_order(
    as_reviewer, factory, session
):
    claim = factory.claim(statement="Chips for sure", source="The Wire", tags=["chips"])
    session.commit()
    query = f"q=chips&tag=chips&source={claim.source_id}&mine=1&closing=7&sort=window_end"
    html = text(as_reviewer.get(f"/claims?{query}"))
    tabs = re.findall(r'<a href="([^"]+)" class="count', html)
    assert len(tabs) == 8  # All and each status
    for href in tabs:
        href = href.replace("&amp;", "&")
        for kept in ["q=chips", "tag=chips", f"source={claim.source_id}", "mine=1", "closing=7"]:
            assert kept in href, (kept, href)
        assert "sort=window_end" in href
    assert any("status=overdue" in href for href in tabs)


def test_the_dashboard_lists_what_closes_this_week_and_the_most_overdue(
    as_reviewer, factory, session
):
    desk(factory, session)
    html = text(as_reviewer.get("/dashboard"))
    week = html[html.index('id="due-this-week"') : html.index('id="most-overdue"')]
    assert listed(week, "Closes tomorrow", "Closes in seven", "Closes in eight") == [
        "Closes tomorrow",
        "Closes in seven",
    ]
    overdue = html[html.index('id="most-overdue"') :]
    assert "Past its window" in overdue and "3 days overdue" in overdue
    assert "window closed <time" in overdue and "end of 16 Dec 2026" in overdue


def test_a_tokyo_reviewer_sees_a_date_deadline_as_that_date(browser, reviewer, factory, session):
    factory.claim(statement="By the 26th", window_end="2026-12-26")
    reviewer.timezone = "Asia/Tokyo"
    session.commit()
    # 08:00 on the 27th in Tokyo is still the 26th in UTC: the deadline has not passed.
    with time_machine.travel(datetime(2026, 12, 26, 23, tzinfo=UTC), tick=False):
        browser.sign_in(reviewer.email)
        html = text(browser.get("/claims"))
    assert "by end of 26 Dec 2026" in html
    assert "27 Dec" not in html and "09:00 JST" not in html
    assert "closes today" in html

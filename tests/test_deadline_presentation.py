"""Deadlines as people read them, at their edges: midnight in UTC, Tokyo and Los Angeles, the
days clocks change, and the moments a deadline turns from tomorrow to today to overdue.

The clock is moved with time-machine and read as the faces read it (`app.clock.utcnow`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from app.claims.closing import ClosingBounds, closes_within, days_left, deadline_day
from app.claims.policy import DeskPolicy
from app.clock import utcnow
from app.present.dates import format_date, format_instant
from app.present.deadlines import deadline

UTC_ZONE = UTC
TOKYO = ZoneInfo("Asia/Tokyo")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
BERLIN = ZoneInfo("Europe/Berlin")
NO_GRACE = DeskPolicy()
# "By end of 26 Dec": a bare date 2026-12-26, stored as the first instant after that day.
END_OF_26_DEC = datetime(2026, 12, 27, tzinfo=UTC)


def read(window_end: datetime, zone, status: str = "pending", policy: DeskPolicy = NO_GRACE):
    return deadline(window_end, utcnow(), zone, status, policy)


@pytest.mark.parametrize("zone", [UTC_ZONE, TOKYO, LOS_ANGELES], ids=str)
def test_a_date_deadline_reads_as_that_date_in_every_zone(zone):
    with time_machine.travel(datetime(2026, 12, 20, 12, tzinfo=UTC), tick=False):
        shown = read(END_OF_26_DEC, zone)
    assert shown.when == "end of 26 Dec 2026"
    assert shown.due == "by end of 26 Dec 2026"
    assert "27 Dec" not in shown.when and "09:00" not in shown.when
    assert shown.relative == "closes in 6 days"
    assert shown.soon


def test_a_timed_deadline_reads_as_a_time_in_the_viewers_zone():
    at = datetime(2026, 12, 26, 13, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 12, 1, tzinfo=UTC), tick=False):
        assert read(at, UTC_ZONE).when == "26 Dec 2026, 13:00 UTC"
        assert read(at, TOKYO).when == "26 Dec 2026, 22:00 JST"
        assert read(at, LOS_ANGELES).when == "26 Dec 2026, 05:00 PST"
        assert read(at, BERLIN).due == "by 26 Dec 2026, 14:00 CET"


def test_midnight_in_the_viewers_zone_is_a_time_not_a_date():
    # 00:00 in Tokyo is 15:00 UTC the day before: set as a time, shown as one.
    tokyo_midnight = datetime(2026, 12, 26, 15, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 12, 26, 14, tzinfo=UTC), tick=False):
        shown = read(tokyo_midnight, TOKYO)
        assert shown.when == "27 Dec 2026, 00:00 JST"
        assert not shown.is_date
        # 23:00 in Tokyo on the 26th: the deadline is tomorrow there.
        assert shown.relative == "closes tomorrow"
        assert read(tokyo_midnight, UTC_ZONE).relative == "closes today"


@pytest.mark.parametrize(
    ("moment", "relative"),
    [
        (datetime(2026, 12, 25, 0, 0, tzinfo=UTC), "closes tomorrow"),
        (datetime(2026, 12, 25, 23, 59, 59, tzinfo=UTC), "closes tomorrow"),
        (datetime(2026, 12, 26, 0, 0, tzinfo=UTC), "closes today"),
        (datetime(2026, 12, 26, 23, 59, 59, tzinfo=UTC), "closes today"),
        (datetime(2026, 12, 27, 0, 0, 30, tzinfo=UTC), "just overdue"),
        (datetime(2026, 12, 27, 5, 0, tzinfo=UTC), "overdue by 5 hours"),
        (datetime(2026, 12, 27, 23, 59, tzinfo=UTC), "overdue by 23 hours"),
        (datetime(2026, 12, 28, 0, 0, tzinfo=UTC), "1 day overdue"),
        (datetime(2026, 12, 30, 10, 0, tzinfo=UTC), "3 days overdue"),
    ],
)
@pytest.mark.parametrize("zone", [UTC_ZONE, TOKYO, LOS_ANGELES], ids=str)
def test_today_tomorrow_and_overdue_turn_at_utc_midnight_for_a_date_deadline(
    zone, moment, relative
):
    with time_machine.travel(moment, tick=False):
        assert read(END_OF_26_DEC, zone).relative == relative


def test_a_pending_claim_past_its_window_reads_overdue_before_the_sweep():
    with time_machine.travel(datetime(2026, 12, 30, tzinfo=UTC), tick=False):
        pending = read(END_OF_26_DEC, UTC_ZONE, status="pending")
        flagged = read(END_OF_26_DEC, UTC_ZONE, status="overdue")
    assert pending.overdue and flagged.overdue
    assert pending.relative == flagged.relative == "3 days overdue"
    assert pending.state == "overdue"


def test_within_the_grace_a_passed_window_is_closed_not_overdue():
    grace = DeskPolicy(overdue_grace=timedelta(days=2))
    with time_machine.travel(datetime(2026, 12, 27, 6, tzinfo=UTC), tick=False):
        shown = read(END_OF_26_DEC, UTC_ZONE, policy=grace)
    assert not shown.overdue
    assert shown.relative == "closed 6 hours ago"


def test_a_resolved_claim_has_no_relative_phrase_and_is_never_overdue():
    with time_machine.travel(datetime(2027, 1, 30, tzinfo=UTC), tick=False):
        shown = read(END_OF_26_DEC, UTC_ZONE, status="refuted")
    assert shown.relative == "" and not shown.overdue and not shown.soon
    assert shown.state == "settled"


def test_the_dst_change_day_in_berlin_counts_calendar_days_and_names_the_zone():
    # 25 Oct 2026: clocks in Berlin go back from 03:00 CEST to 02:00 CET (01:00 UTC).
    before_change = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    after_change = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET
    assert format_instant(before_change, BERLIN) == "25 Oct 2026, 02:30 CEST"
    assert format_instant(after_change, BERLIN) == "25 Oct 2026, 02:30 CET"
    with time_machine.travel(datetime(2026, 10, 24, 22, 30, tzinfo=UTC), tick=False):
        # 00:30 CEST on the 25th: a deadline at 23:30 CET the same (25-hour) day is today.
        late_that_day = datetime(2026, 10, 25, 22, 30, tzinfo=UTC)
        assert read(late_that_day, BERLIN).relative == "closes today"
        assert read(late_that_day, BERLIN).when == "25 Oct 2026, 23:30 CET"


def test_the_dst_change_day_in_los_angeles():
    # 1 Nov 2026: 02:00 PDT becomes 01:00 PST (09:00 UTC); 01:30 happens twice.
    first = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    second = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    assert format_instant(first, LOS_ANGELES) == "1 Nov 2026, 01:30 PDT"
    assert format_instant(second, LOS_ANGELES) == "1 Nov 2026, 01:30 PST"
    with time_machine.travel(datetime(2026, 10, 31, 7, 30, tzinfo=UTC), tick=False):
        # 00:30 PDT on 31 Oct: the deadline falls tomorrow there, on the changing day.
        assert read(second, LOS_ANGELES).relative == "closes tomorrow"
    # A date deadline on that day is still that day, not 31 Oct at 17:00.
    end_of_1_nov = datetime(2026, 11, 2, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 11, 1, 20, tzinfo=UTC), tick=False):
        shown = read(end_of_1_nov, LOS_ANGELES)
    assert shown.when == "end of 1 Nov 2026"
    assert shown.relative == "closes today"


def test_closing_within_seven_days_includes_the_seventh_day_and_not_the_eighth():
    now = datetime(2026, 12, 19, 18, tzinfo=UTC)
    seventh, eighth = END_OF_26_DEC, END_OF_26_DEC + timedelta(days=1)
    assert days_left(seventh, now, UTC_ZONE) == 7
    assert closes_within("pending", seventh, now, NO_GRACE, UTC_ZONE)
    assert not closes_within("pending", eighth, now, NO_GRACE, UTC_ZONE)
    assert not closes_within("overdue", seventh, now, NO_GRACE, UTC_ZONE)
    assert not closes_within("confirmed", seventh, now, NO_GRACE, UTC_ZONE)


@pytest.mark.parametrize("zone", [UTC_ZONE, TOKYO, LOS_ANGELES, BERLIN], ids=str)
def test_the_sql_bounds_agree_with_the_day_count_around_every_horizon(zone):
    """`ClosingBounds` (what the list's filter binds) picks exactly the deadlines that
    `closes_within` picks, for date and timed deadlines on either side of both horizons."""
    for now in [
        datetime(2026, 12, 19, 3, tzinfo=UTC),
        datetime(2026, 12, 19, 18, tzinfo=UTC),
        datetime(2026, 12, 19, 23, 30, tzinfo=UTC),
    ]:
        bounds = ClosingBounds.at(now, NO_GRACE, zone)
        candidates = [now + timedelta(hours=h) for h in range(-30, 24 * 10, 1)]
        candidates += [datetime(2026, 12, d, tzinfo=UTC) for d in range(18, 31)]
        for end in candidates:
            in_sql = not end < bounds.cutoff and (
                end < bounds.local_horizon or end == bounds.utc_horizon
            )
            assert in_sql == closes_within("pending", end, now, NO_GRACE, zone), (now, end)


def test_deadline_day_and_date_format():
    assert deadline_day(END_OF_26_DEC, TOKYO).isoformat() == "2026-12-26"
    assert format_date(deadline_day(END_OF_26_DEC, LOS_ANGELES)) == "26 Dec 2026"

"""Digests are due at the reader's local hour, across daylight-saving changes and weeks."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.digests.job import run_digest_pass
from app.mail.periods import latest_due_period, next_period_start
from app.models import DigestDelivery, User


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "now", "start"),
    [
        # Berlin leaves summer time on 2026-10-25: 08:00 is 06:00Z before, 07:00Z after.
        ("Europe/Berlin", utc(2026, 10, 24, 6, 0), utc(2026, 10, 24, 6, 0)),
        ("Europe/Berlin", utc(2026, 10, 25, 6, 30), utc(2026, 10, 24, 6, 0)),
        ("Europe/Berlin", utc(2026, 10, 25, 7, 0), utc(2026, 10, 25, 7, 0)),
        # New York leaves summer time on 2026-11-01.
        ("America/New_York", utc(2026, 11, 1, 12, 59), utc(2026, 10, 31, 12, 0)),
        ("America/New_York", utc(2026, 11, 1, 13, 0), utc(2026, 11, 1, 13, 0)),
    ],
)
def test_daily_digest_is_due_at_the_local_hour_on_both_sides_of_a_change(zone, now, start):
    period = latest_due_period("daily", zone, 8, now)
    assert period.start == start
    assert period.start.astimezone(ZoneInfo(zone)).hour == 8


def test_a_skipped_local_hour_still_gives_that_day_one_digest():
    # 2026-03-29 02:00 does not exist in Berlin; the day's digest is due at 03:00 CEST (01:00Z).
    period = latest_due_period("daily", "Europe/Berlin", 2, utc(2026, 3, 29, 1, 0))
    assert period.key == "D2026-03-29"
    assert period.start == utc(2026, 3, 29, 1, 0)
    assert latest_due_period("daily", "Europe/Berlin", 2, utc(2026, 3, 29, 0, 59)).key == (
        "D2026-03-28"
    )


def test_weekly_digest_is_due_on_monday_and_covers_the_week_before():
    period = latest_due_period("weekly", "Asia/Tokyo", 9, utc(2026, 11, 25, 12, 0))
    assert period.key == "W2026-11-23"
    assert period.start == utc(2026, 11, 23, 0, 0)
    assert period.since == utc(2026, 11, 16, 0, 0)
    assert next_period_start("weekly", "Asia/Tokyo", 9, utc(2026, 11, 25, 12, 0)) == utc(
        2026, 11, 30, 0, 0
    )


def test_first_digest_covers_the_previous_period():
    period = latest_due_period("daily", "UTC", 8, utc(2026, 11, 20, 9, 0))
    assert (period.since, period.start) == (utc(2026, 11, 19, 8), utc(2026, 11, 20, 8))


def test_digests_off_are_never_due():
    assert latest_due_period("off", "UTC", 8, utc(2026, 11, 20, 9, 0)) is None


READERS = [
    ("Europe/Berlin", 8, "daily"),
    ("Europe/Berlin", 2, "daily"),
    ("America/New_York", 1, "daily"),
    ("Australia/Sydney", 7, "daily"),
    ("UTC", 8, "weekly"),
    ("America/Los_Angeles", 23, "weekly"),
]


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (utc(2026, 10, 22, 0, 10), utc(2026, 11, 4, 0, 10)),  # autumn: EU, then US change
        (utc(2026, 3, 26, 0, 10), utc(2026, 4, 7, 0, 10)),  # spring: US, EU, then Sydney (Apr 5)
    ],
)
def test_moving_time_across_changes_and_weeks_sends_one_digest_per_period(
    app, factory, session, tmp_path, first, last
):
    """A pass every 20 minutes (the scheduler does every minute) over about two weeks."""
    app.config["DIGEST_SKIP_EMPTY"] = False  # every period then ends in an email
    users = [
        factory.user(timezone=zone, digest_hour=hour, digest_frequency=frequency)
        for zone, hour, frequency in READERS
    ]
    session.commit()

    now = first
    while now <= last:
        run_digest_pass(app, now)
        now += timedelta(minutes=20)

    session.expire_all()
    rows = session.scalars(select(DigestDelivery).where(DigestDelivery.status == "sent")).all()
    outbox = list((tmp_path / "outbox").glob("*.eml"))
    assert len(outbox) == len(rows)
    by_user = {u.id: [r for r in rows if r.user_id == u.id] for u in users}
    for user, (zone, hour, frequency) in zip(users, READERS, strict=True):
        sent = sorted(by_user[user.id], key=lambda r: r.period_start)
        local = ZoneInfo(zone)
        days = [r.period_start.astimezone(local).date() for r in sent]
        assert max(Counter(r.period for r in sent).values()) == 1, "a period sent twice"
        step = 7 if frequency == "weekly" else 1
        assert all((b - a).days == step for a, b in pairwise(days)), (
            f"{zone} {frequency}: a period was missed: {days}"
        )
        # The first pass also sends the period that was already due when it started.
        caught_up, on_time = sent[:1], sent[1:]
        assert caught_up[0].period_start < first
        expected = _periods_between(first, last, zone, hour, frequency)
        assert len(on_time) == expected, f"{zone} {hour}h {frequency}"
        for row in on_time:
            local_hour = row.period_start.astimezone(local).hour
            skipped_hour = (zone, hour, local_hour) == ("Europe/Berlin", 2, 3)
            assert local_hour == hour or skipped_hour
            assert timedelta(0) <= row.sent_at - row.period_start < timedelta(minutes=20)
            if frequency == "weekly":
                assert row.period_start.astimezone(local).weekday() == 0
    assert session.scalar(select(User.id).where(User.digest_frequency == "off")) is not None


def _periods_between(first, last, zone, hour, frequency):
    """Count due instants in [first, last] by walking local days (independent of periods.py)."""
    local = ZoneInfo(zone)
    day = first.astimezone(local).date() - timedelta(days=1)
    count = 0
    while day <= last.astimezone(local).date():
        due = datetime(day.year, day.month, day.day, hour, tzinfo=local).astimezone(UTC)
        if first <= due <= last and (frequency == "daily" or day.weekday() == 0):
            count += 1
        day += timedelta(days=1)
    return count

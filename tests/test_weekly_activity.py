"""Claims opened, flagged and resolved per ISO week, for the dashboard chart."""

from __future__ import annotations

from datetime import date, timedelta

from app.claims import resolve_claim
from app.claims.activity import weekly_activity
from app.sweep import flag_overdue_claims
from tests.conftest import NOW  # Friday 2026-11-20


def test_claims_are_counted_in_the_iso_week_they_happened(factory, session):
    monday = NOW - timedelta(days=4, hours=9)  # 2026-11-16 00:00Z
    factory.claim(now=monday)  # first instant of this week
    # SQLite date functions round to milliseconds, so "the last instant" is 1 ms before.
    factory.claim(now=monday - timedelta(milliseconds=1))  # last instant of last week
    old = factory.claim(now=NOW - timedelta(weeks=2), window_end=NOW - timedelta(days=1))
    resolve_claim(session, factory.reviewer, NOW, old.id, "void", "")
    factory.claim(now=NOW - timedelta(weeks=3), window_end=NOW - timedelta(days=3))
    flag_overdue_claims(session, NOW)
    factory.claim(now=NOW - timedelta(weeks=20))  # outside the 12 weeks shown

    weeks = weekly_activity(session, NOW)
    assert len(weeks) == 12
    assert weeks[-1].start == date(2026, 11, 16)
    assert weeks[0].start == date(2026, 8, 31)
    assert [(w.opened, w.flagged, w.resolved) for w in weeks[-4:]] == [
        (1, 0, 0),
        (1, 0, 0),
        (1, 0, 0),
        (1, 1, 1),
    ]
    assert sum(w.opened for w in weeks) == 4
    assert weeks[-1].label == "W47"

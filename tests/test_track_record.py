"""Track records and desk statistics, computed in SQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.claims import extend_window, resolve_claim
from app.claims.stats import claim_stats
from app.claims.track_record import track_record, track_records, wilson_interval
from app.sweep import flag_overdue_claims
from tests.conftest import NOW


def resolved(factory, session, outcome, claimed_on=None, known_days=None, source="The Wire"):
    claim = factory.claim(source=source, claimed_on=claimed_on)
    factory.evidence(claim)
    known = NOW - timedelta(days=known_days) if known_days is not None else None
    resolve_claim(session, factory.reviewer, NOW, claim.id, outcome, "", known)
    return claim


def test_wilson_interval_matches_the_textbook_values():
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)
    assert wilson_interval(0, 0) is None


def test_confirmation_share_counts_partly_as_half_and_leaves_out_void(factory, session):
    claim = resolved(factory, session, "confirmed")
    resolved(factory, session, "partly_confirmed")
    resolved(factory, session, "refuted")
    resolved(factory, session, "void")
    record = track_record(session, claim.source_id, NOW)
    assert record.counts["confirmed"] == 1
    assert record.counts["void"] == 1
    assert record.confirmation_share == pytest.approx(1.5 / 3)
    low, high = record.confirmation_interval
    assert low < 0.5 < high


def test_medians_of_days_to_known_and_extensions(factory, session):
    day = date(2026, 11, 1)  # NOW is 2026-11-20 09:00 UTC
    a = resolved(factory, session, "confirmed", claimed_on=day, known_days=9)  # 10.375 days
    resolved(factory, session, "refuted", claimed_on=day, known_days=1)  # 18.375 days
    pending = factory.claim(source="The Wire")
    extend_window(session, factory.reviewer, NOW, pending.id, "slip", expected_within="P6W")
    record = track_record(session, a.source_id, NOW)
    assert record.median_days_to_known == pytest.approx(14.38, abs=0.01)
    assert record.median_extensions == 0.0  # extensions 0, 0, 1


def test_overdue_now_and_counts_per_source(factory, session):
    late = factory.claim(source="Late Outlet", window_end=NOW - timedelta(days=2))
    factory.claim(source="Late Outlet")
    other = factory.claim(source="Other Outlet")
    records = track_records(session, NOW)
    assert records[late.source_id].overdue_now == 1
    assert records[other.source_id].overdue_now == 0
    assert records[late.source_id].confirmation_share is None


def test_stats_count_by_status_and_overdue_age(factory, session):
    before = claim_stats(session, NOW)
    for days in (1, 10, 40, 100):
        factory.claim(window_end=NOW - timedelta(days=days, minutes=1))
    flag_overdue_claims(session, NOW)
    stats = claim_stats(session, NOW)
    assert stats.counts["overdue"] == before.counts["overdue"] + 4
    assert stats.overdue_by_age == {"0-7d": 1, "8-30d": 1, "31-90d": 1, "90d+": 1}

"""`flask sweep [--now ISO]` runs the sweep once and says how many claims it flagged."""

from __future__ import annotations

from datetime import timedelta

from app.models import Claim
from tests.conftest import NOW


def test_sweep_now_flags_what_is_due_at_that_instant(runner, factory, session):
    early = factory.claim(window_end=NOW - timedelta(hours=2))
    late = factory.claim(window_end=NOW + timedelta(hours=2))
    session.commit()
    result = runner.invoke(args=["sweep", "--now", "2026-11-20T09:00:00Z"])
    assert result.exit_code == 0, result.output
    assert result.output == "flagged 1 overdue claim\n"
    result = runner.invoke(args=["sweep", "--now", "2026-11-20T13:30:00+02:00"])  # 11:30Z
    assert result.output == "flagged 1 overdue claim\n"
    session.expire_all()
    assert [session.get(Claim, c.id).status for c in (early, late)] == ["overdue", "overdue"]


def test_sweep_applies_the_configured_grace(make_app, factory, session):
    runner = make_app(OVERDUE_GRACE="1h").test_cli_runner()
    factory.claim(window_end=NOW - timedelta(minutes=30))
    session.commit()
    assert runner.invoke(args=["sweep", "--now", NOW.isoformat()]).output == (
        "flagged 0 overdue claims\n"
    )
    later = (NOW + timedelta(minutes=31)).isoformat()
    assert runner.invoke(args=["sweep", "--now", later]).output == "flagged 1 overdue claim\n"


def test_sweep_reads_a_time_without_offset_as_utc(runner, factory, session):
    factory.claim(window_end=NOW - timedelta(microseconds=1))
    session.commit()
    result = runner.invoke(args=["sweep", "--now", "2026-11-20T09:00:00"])
    assert result.output == "flagged 1 overdue claim\n"


def test_sweep_refuses_a_now_that_is_not_a_time(runner):
    result = runner.invoke(args=["sweep", "--now", "next tuesday"])
    assert result.exit_code == 2
    assert "'next tuesday' is not an ISO 8601 date and time" in result.output

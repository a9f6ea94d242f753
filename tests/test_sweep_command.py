"""`flask sweep [--now ISO]` runs the sweep once and says how many claims it flagged."""

from __future__ import annotations

from datetime import timedelta

import time_machine

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


def test_a_now_later_than_the_clock_is_refused_and_flags_nothing(runner, factory, session):
    """`sweep --now 2027-02-01` would flag claims whose windows are still open and date the
    flags in the future."""
    open_claim = factory.claim(window_end=NOW + timedelta(days=30))
    session.commit()
    with time_machine.travel(NOW, tick=False):
        result = runner.invoke(args=["sweep", "--now", "2027-02-01T00:00:00Z"])
    assert result.exit_code == 2
    assert "later than the clock" in result.output
    assert "Traceback" not in result.output
    session.expire_all()
    assert session.get(Claim, open_claim.id).status == "pending"


def test_a_dry_run_lists_what_would_be_flagged_and_changes_nothing(runner, factory, session):
    late = factory.claim(statement="Long overdue", window_end=NOW - timedelta(days=3))
    later = factory.claim(statement="Just overdue", window_end=NOW - timedelta(minutes=1))
    open_claim = factory.claim(statement="Still open", window_end=NOW + timedelta(days=3))
    session.commit()
    with time_machine.travel(NOW, tick=False):
        result = runner.invoke(args=["sweep", "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"would flag claim {late.id} ") and "Long overdue" in lines[0]
    assert lines[1].startswith(f"would flag claim {later.id} ")
    assert "Still open" not in result.output
    assert lines[-1].startswith("dry run: 2 claims would be flagged")
    session.expire_all()
    assert {session.get(Claim, c.id).status for c in (late, later, open_claim)} == {"pending"}


def test_a_dry_run_may_look_ahead(runner, factory, session):
    """Nothing changes in a dry run, so a future --now only answers "what will be due then"."""
    factory.claim(window_end=NOW + timedelta(days=3))
    session.commit()
    with time_machine.travel(NOW, tick=False):
        result = runner.invoke(args=["sweep", "--dry-run", "--now", "2026-12-01T00:00:00Z"])
    assert result.exit_code == 0
    assert "dry run: 1 claim would be flagged at 2026-12-01T00:00:00Z" in result.output

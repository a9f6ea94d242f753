"""The sweep flags every claim past its window (plus grace) exactly once, as the clock moves."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select, text

from app.claims import extend_window, reopen_claim, resolve_claim
from app.claims.overdue import flag_overdue_batch
from app.models import Claim, ClaimEvent
from app.sweep import flag_overdue_claims
from tests.conftest import NOW

MICRO = timedelta(microseconds=1)


def sweep_at(runner, when: datetime) -> int:
    """`flask sweep` with the wall clock moved to `when`; returns how many it flagged."""
    with time_machine.travel(when, tick=False):
        result = runner.invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    return int(re.search(r"flagged (\d+) overdue claim", result.output).group(1))


def flagged_events(session, claim: Claim) -> list[ClaimEvent]:
    return session.scalars(
        select(ClaimEvent)
        .where(ClaimEvent.claim_id == claim.id, ClaimEvent.kind == "flagged_overdue")
        .order_by(ClaimEvent.id)
    ).all()


@pytest.mark.parametrize(
    ("grace", "clock", "flagged"),
    [
        (timedelta(0), -MICRO, False),
        (timedelta(0), timedelta(0), False),
        (timedelta(0), MICRO, True),
        (timedelta(hours=2), -MICRO, False),
        (timedelta(hours=2), MICRO, False),
        (timedelta(hours=2), timedelta(hours=2), False),
        (timedelta(hours=2), timedelta(hours=2) + MICRO, True),
    ],
    ids=[
        "1us-before",
        "at-window-end",
        "1us-after",
        "grace-1us-before-window-end",
        "grace-1us-after-window-end",
        "grace-at-end-of-grace",
        "grace-1us-after-grace",
    ],
)
def test_a_claim_is_overdue_only_once_window_end_plus_grace_is_strictly_past(
    make_app, factory, session, grace, clock, flagged
):
    runner = make_app(OVERDUE_GRACE=f"{grace.total_seconds():.0f}s").test_cli_runner()
    window_end = NOW + timedelta(days=3)
    claim = factory.claim(window_end=window_end)
    session.commit()
    assert sweep_at(runner, window_end + clock) == int(flagged)
    session.refresh(claim)
    assert claim.status == ("overdue" if flagged else "pending")
    assert claim.flagged_at == (window_end + clock if flagged else None)


def test_a_flagged_claim_records_one_system_event_and_a_new_version(runner, factory, session):
    window_end = NOW + timedelta(days=1, microseconds=250)
    claim = factory.claim(window_end=window_end)
    session.commit()
    when = window_end + timedelta(minutes=5)
    assert sweep_at(runner, when) == 1
    session.refresh(claim)
    assert (claim.status, claim.flagged_at, claim.updated_at) == ("overdue", when, when)
    assert claim.version == 2
    [event] = flagged_events(session, claim)
    assert (event.at, event.actor_id) == (when, None)
    assert event.data == {"window_end": "2026-11-21T09:00:00.000250Z"}


def test_event_data_drops_a_zero_fraction_like_every_other_event(factory, session):
    claim = factory.claim(window_end=NOW - timedelta(hours=1))
    flag_overdue_claims(session, NOW)
    [event] = flagged_events(session, claim)
    assert event.data == {"window_end": "2026-11-20T08:00:00Z"}


def test_running_the_sweep_twice_flags_nothing_new(runner, factory, session):
    claims = [factory.claim(window_end=NOW - timedelta(days=d)) for d in (1, 2, 3)]
    session.commit()
    assert sweep_at(runner, NOW) == 3
    assert sweep_at(runner, NOW + timedelta(minutes=5)) == 0
    for claim in claims:
        session.refresh(claim)
        assert claim.flagged_at == NOW
        assert len(flagged_events(session, claim)) == 1


def test_an_extended_claim_is_pending_again_and_flagged_again_after_its_new_window(
    runner, factory, session
):
    claim = factory.claim(window_end=NOW - timedelta(days=1))
    session.commit()
    assert sweep_at(runner, NOW) == 1
    new_end = NOW + timedelta(days=7)
    extend_window(session, factory.reviewer, NOW, claim.id, "slipped", window_end=new_end)
    session.commit()
    assert claim.status == "pending"
    assert sweep_at(runner, new_end) == 0
    later = new_end + MICRO
    assert sweep_at(runner, later) == 1
    session.refresh(claim)
    assert (claim.status, claim.flagged_at) == ("overdue", later)
    first, second = flagged_events(session, claim)
    assert (first.at, second.at) == (NOW, later)
    assert second.data["window_end"] == "2026-11-27T09:00:00Z"


@pytest.mark.parametrize("outcome", ["refuted", "retracted", "void"])
def test_resolved_claims_are_never_flagged(runner, factory, session, outcome):
    claim = factory.claim(window_end=NOW + timedelta(hours=1))
    factory.evidence(claim, stance="refutes")
    resolve_claim(session, factory.reviewer, NOW, claim.id, outcome, "")
    session.commit()
    assert sweep_at(runner, NOW + timedelta(days=400)) == 0
    session.refresh(claim)
    assert claim.status == outcome
    assert flagged_events(session, claim) == []


def test_a_claim_reopened_past_its_window_is_not_flagged_a_second_time(factory, session):
    claim = factory.claim(window_end=NOW + timedelta(hours=1))
    resolve_claim(session, factory.reviewer, NOW, claim.id, "void", "")
    reopen_claim(session, factory.reviewer, NOW + timedelta(days=1), claim.id, "mistake")
    assert claim.status == "overdue"
    assert flag_overdue_claims(session, NOW + timedelta(days=2)) == 0
    assert flagged_events(session, claim) == []


def test_a_backlog_is_flagged_in_one_run_across_batches(factory, session):
    for days in range(1, 8):
        factory.claim(window_end=NOW - timedelta(days=days))
    factory.claim(window_end=NOW + timedelta(days=1))
    assert flag_overdue_claims(session, NOW, batch=3) == 7
    assert session.scalar(select(func.count()).where(Claim.status == "pending")) == 1


def test_a_batch_takes_the_longest_overdue_first_and_stops_at_its_size(factory, session):
    oldest = factory.claim(window_end=NOW - timedelta(days=9))
    newest = factory.claim(window_end=NOW - timedelta(days=1))
    middle = factory.claim(window_end=NOW - timedelta(days=5))
    assert flag_overdue_batch(session, NOW, batch=2) == 2
    assert [c.status for c in (oldest, middle, newest)] == ["overdue", "overdue", "pending"]


def test_claims_loaded_in_the_session_show_the_flip_without_a_refresh(factory, session):
    claim = factory.claim(window_end=NOW - timedelta(hours=1))
    assert claim.status == "pending"
    flag_overdue_batch(session, NOW)
    assert (claim.status, claim.version) == ("overdue", 2)


def test_the_status_counters_follow_the_sweep(factory, session):
    from app.claims.stats import status_counts

    def counts() -> dict[str, int]:
        return status_counts(session.connection())

    before = counts()
    for days in (1, 2):
        factory.claim(window_end=NOW - timedelta(days=days))
    flag_overdue_claims(session, NOW)
    after = counts()
    assert after["overdue"] - before["overdue"] == 2
    assert after["pending"] == before["pending"]


def test_an_edit_based_on_the_version_before_the_flip_is_refused(factory, session):
    from app.claims import VersionConflict, edit_claim

    claim = factory.claim(window_end=NOW - timedelta(hours=1))
    seen = claim.version
    flag_overdue_claims(session, NOW)
    with pytest.raises(VersionConflict):
        edit_claim(session, factory.reviewer, NOW, claim.id, seen, {"subject": "Late edit"})


def test_the_sweep_reaches_due_claims_through_indexes_never_by_scanning(session, backend):
    """The cost must follow the due claims: not the table, nor every pending claim."""
    from app.claims import overdue
    from app.claims.policy import DeskPolicy

    flip = overdue._flip(backend, NOW, DeskPolicy(), overdue.DEFAULT_BATCH)
    if backend == "postgresql":
        # On a test-sized table a scan is cheapest; forbid it to see whether an index fits.
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(row[0] for row in explain(session, "EXPLAIN", flip))
        assert re.search(r"Index (Only )?Scan using ix_claims_(pending|status)_window_end", plan)
        assert not re.search(r"Seq Scan|Bitmap Heap Scan|Hash Join", plan)
    else:
        plan = "\n".join(row[-1] for row in explain(session, "EXPLAIN QUERY PLAN", flip))
        assert re.search(r"SEARCH claims USING (COVERING )?INDEX ix_claims_(pending|status)_", plan)
        assert "SEARCH claims USING INTEGER PRIMARY KEY (rowid=?)" in plan
        assert "SCAN claims" not in plan


def explain(session, prefix: str, statement) -> list:
    """The rows of `prefix` (EXPLAIN ...) followed by `statement` as the dialect writes it."""
    compiled = statement.compile(dialect=session.get_bind().dialect)
    values = compiled.construct_params()
    if compiled.positiontup is not None:
        values = tuple(values[name] for name in compiled.positiontup)
    return session.connection().exec_driver_sql(f"{prefix} {compiled}", values).all()

"""The sweep flags every claim past its window exactly once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.claims import extend_window, resolve_claim
from app.claims.overdue import flag_overdue_claims
from app.models import ClaimEvent
from tests.conftest import NOW


def flagged_events(session, claim):
    return session.scalar(
        select(func.count()).where(
            ClaimEvent.claim_id == claim.id, ClaimEvent.kind == "flagged_overdue"
        )
    )


def test_a_claim_past_its_window_is_flagged_once(factory, session):
    claim = factory.claim(window_end=NOW - timedelta(hours=1))
    assert flag_overdue_claims(session, NOW) == 1
    assert flag_overdue_claims(session, NOW) == 0
    session.refresh(claim)
    assert claim.status == "overdue"
    assert claim.flagged_at == NOW
    assert claim.version == 2
    assert flagged_events(session, claim) == 1
    event = session.scalars(select(ClaimEvent).where(ClaimEvent.kind == "flagged_overdue")).one()
    assert event.actor_id is None
    assert event.data["window_end"] == (NOW - timedelta(hours=1)).isoformat().replace("+00:00", "Z")


def test_the_window_end_itself_is_not_yet_overdue(factory, session):
    claim = factory.claim(window_end=NOW)
    assert flag_overdue_claims(session, NOW) == 0
    assert flag_overdue_claims(session, NOW + timedelta(microseconds=1)) == 1
    session.refresh(claim)
    assert claim.status == "overdue"


def test_grace_delays_the_flag(factory, session):
    factory.claim(window_end=NOW - timedelta(minutes=30))
    assert flag_overdue_claims(session, NOW, grace=timedelta(hours=1)) == 0
    assert flag_overdue_claims(session, NOW + timedelta(minutes=31), grace=timedelta(hours=1)) == 1


def test_resolved_claims_are_never_flagged(factory, session):
    claim = factory.claim(window_end=NOW - timedelta(days=3))
    resolve_claim(session, factory.reviewer, NOW, claim.id, "void", "")
    assert flag_overdue_claims(session, NOW) == 0


def test_an_extended_claim_is_flagged_again_after_its_new_window(factory, session):
    claim = factory.claim(window_end=NOW - timedelta(days=1))
    flag_overdue_claims(session, NOW)
    extend_window(session, factory.reviewer, NOW, claim.id, "slipped", expected_within="P1W")
    assert claim.status == "pending"
    later = NOW + timedelta(days=9)
    assert flag_overdue_claims(session, later) == 1
    session.refresh(claim)
    assert claim.status == "overdue"
    assert claim.flagged_at == later
    assert flagged_events(session, claim) == 2


def test_a_backlog_is_flagged_in_one_run_across_batches(factory, session):
    for days in range(1, 8):
        factory.claim(window_end=NOW - timedelta(days=days))
    assert flag_overdue_claims(session, NOW, batch=3) == 7

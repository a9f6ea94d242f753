"""Two sweeps in two processes, started together, flag each due claim once between them."""

from __future__ import annotations

import multiprocessing
import os
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.claims.access import lock_claim
from app.db import make_engine
from app.models import Claim, ClaimEvent
from app.sweep import flag_overdue_claims
from tests.bulk import insert_pending_claims
from tests.conftest import NOW
from tests.databases import fresh_database

DUE = 10_000
NOT_DUE = 500


def sweep_in_a_process(url: str, barrier: multiprocessing.synchronize.Barrier) -> int:
    engine = make_engine(url)
    with Session(engine) as session:
        session.execute(select(1)).all()  # connected before the start line
        session.rollback()
        barrier.wait(timeout=60)
        # Small batches, so the two sweeps interleave many times instead of one after the other.
        flagged = flag_overdue_claims(session, NOW, batch=400)
    engine.dispose()
    return flagged


def test_two_sweeps_started_together_leave_one_event_per_due_claim(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        window_ends = [NOW + timedelta(minutes=n - DUE) for n in range(DUE + NOT_DUE)]
        insert_pending_claims(url, window_ends, created=NOW - timedelta(days=60))
        context = multiprocessing.get_context("spawn")
        with context.Manager() as manager:
            barrier = manager.Barrier(2)
            with context.Pool(2) as pool:
                results = [pool.apply_async(sweep_in_a_process, (url, barrier)) for _ in range(2)]
                flagged = [result.get(timeout=120) for result in results]

        engine = make_engine(url)
        with Session(engine) as session:
            events = session.scalar(
                select(func.count()).where(ClaimEvent.kind == "flagged_overdue")
            )
            claims_with_events = session.scalar(
                select(func.count(func.distinct(ClaimEvent.claim_id)))
            )
            statuses = dict(
                session.execute(select(Claim.status, func.count()).group_by(Claim.status)).all()
            )
            versions = set(
                session.scalars(select(Claim.version).where(Claim.status == "overdue")).all()
            )
        engine.dispose()

    assert sum(flagged) == DUE
    assert events == claims_with_events == DUE
    assert statuses == {"overdue": DUE, "pending": NOT_DUE}
    assert versions == {2}


@pytest.mark.postgres_only
def test_a_claim_a_reviewer_holds_is_left_to_the_next_sweep_without_waiting(tmp_path):
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("needs TEST_DATABASE_URL")
    with fresh_database("postgresql", tmp_path) as url:
        insert_pending_claims(url, [NOW - timedelta(hours=h) for h in (1, 2, 3)], created=NOW)
        engine = make_engine(url)
        with Session(engine) as reviewer, Session(engine) as sweeper:
            held = lock_claim(reviewer, 1)  # e.g. a resolve form being saved right now
            # A sweep that waited for the lock would fail here instead of hanging the suite.
            sweeper.execute(text("SET lock_timeout = '5s'"))
            assert flag_overdue_claims(sweeper, NOW) == 2
            assert held.status == "pending"
            reviewer.commit()
            assert flag_overdue_claims(sweeper, NOW) == 1
            events = sweeper.scalar(select(func.count()).select_from(ClaimEvent))
        engine.dispose()
    assert events == 3

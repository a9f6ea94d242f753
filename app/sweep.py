"""The overdue sweep as a job: every due claim flagged, one committed batch at a time."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from sqlalchemy.orm import Session

from app.claims.overdue import DEFAULT_BATCH, flag_overdue_batch
from app.unit_of_work import job_session


def flag_overdue_claims(session: Session, now: datetime, *, batch: int = DEFAULT_BATCH) -> int:
    """Flag every claim due at `now`; returns how many. Commits once per batch: a backlog of a
    million claims is many short transactions, not one huge one."""
    total = 0
    while True:
        flagged = flag_overdue_batch(session, now, batch=batch)
        session.commit()
        total += flagged
        if flagged < batch:
            return total


def run_sweep(app: Flask, now: datetime) -> int:
    """The scheduler's and `flask sweep`'s run: returns how many claims were flagged."""
    with job_session(app) as session:
        return flag_overdue_claims(session, now)

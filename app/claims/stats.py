"""Desk-wide figures: claims per status and how long the overdue ones have been overdue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.claims.overdue import is_overdue_sql
from app.claims.policy import policy_of
from app.models import Claim, ClaimStatus, ClaimStatusCount

AGE_BUCKETS = ("0-7d", "8-30d", "31-90d", "90d+")
STATUSES = tuple(s.value for s in ClaimStatus)


@dataclass(frozen=True)
class Stats:
    counts: dict[str, int]
    overdue_by_age: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {"counts": dict(self.counts), "overdue_by_age": dict(self.overdue_by_age)}


COUNTS = select(ClaimStatusCount.status, func.sum(ClaimStatusCount.count)).group_by(
    ClaimStatusCount.status
)


def counts_by_status(rows: Iterable[tuple[str | None, int | None]]) -> dict[str, int]:
    """Every status with its count from (status, count) rows of `claim_status_counts`."""
    counts = dict.fromkeys(STATUSES, 0)
    for status, n in rows:
        if status is not None:
            counts[status] = int(n or 0)
    return counts


def status_counts(connection: Connection) -> dict[str, int]:
    """Claims per status, from the trigger-kept counters (no scan of the claims table)."""
    return counts_by_status(connection.execute(COUNTS))


def overdue_by_age(session: Session, now: datetime) -> dict[str, int]:
    """Overdue claims (`app.claims.overdue`) by whole days since their window ended: 0-7,
    8-30, 31-90, over 90."""
    end = Claim.window_end
    bucket = case(
        (end > now - timedelta(days=8), AGE_BUCKETS[0]),
        (end > now - timedelta(days=31), AGE_BUCKETS[1]),
        (end > now - timedelta(days=91), AGE_BUCKETS[2]),
        else_=AGE_BUCKETS[3],
    )
    rows = session.execute(
        select(bucket, func.count()).where(is_overdue_sql(now, policy_of(session))).group_by(bucket)
    ).all()
    ages = dict.fromkeys(AGE_BUCKETS, 0)
    ages.update({name: int(n) for name, n in rows})
    return ages


def claim_stats(session: Session, now: datetime) -> Stats:
    """The desk's figures, as the dashboard and `GET /stats` show them."""
    counts = status_counts(session.connection())
    return Stats(counts=counts, overdue_by_age=overdue_by_age(session, now))

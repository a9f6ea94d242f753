"""Helpers shared by the import/export tests: table counts and the status counters."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.claims.stats import status_counts
from app.models import Claim, ClaimEvent, ClaimTag, Evidence, Source, User

COUNTED = {
    "claims": Claim,
    "events": ClaimEvent,
    "evidence": Evidence,
    "sources": Source,
    "users": User,
    "tags": ClaimTag,
}


def counts(session: Session) -> dict[str, int]:
    return {
        name: session.scalar(select(func.count()).select_from(model))
        for name, model in COUNTED.items()
    }


def status_counters_match(session: Session) -> bool:
    kept = status_counts(session.connection())
    actual = dict(session.execute(select(Claim.status, func.count()).group_by(Claim.status)).all())
    return all(kept[status] == actual.get(status, 0) for status in kept)

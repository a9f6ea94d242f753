"""Helpers shared by the import/export tests: table counts and a comparable database snapshot."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Claim, ClaimEvent, ClaimStatusCount, ClaimTag, Evidence, Source, User

COUNTED = {
    "claims": Claim,
    "events": ClaimEvent,
    "evidence": Evidence,
    "sources": Source,
    "users": User,
    "tags": ClaimTag,
}
USER_COLUMNS = {
    "assignee_id",
    "resolved_by_id",
    "created_by_id",
    "added_by_id",
    "withdrawn_by_id",
    "actor_id",
}


def counts(session: Session) -> dict[str, int]:
    return {
        name: session.scalar(select(func.count()).select_from(model))
        for name, model in COUNTED.items()
    }


def snapshot(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Every row of the claim tables, users referred to by email (ids differ between databases)."""
    emails = dict(session.execute(select(User.id, User.email)).tuples().all())
    tables: dict[str, list[dict[str, Any]]] = {}
    for model in (Source, Claim, ClaimTag, Evidence, ClaimEvent):
        table = model.__table__
        rows = session.execute(select(table).order_by(*table.primary_key.columns)).mappings()
        tables[table.name] = [
            {key: emails.get(value) if key in USER_COLUMNS else value for key, value in row.items()}
            for row in rows
        ]
    return tables


def status_counters_match(session: Session) -> bool:
    kept = dict(session.execute(select(ClaimStatusCount.status, ClaimStatusCount.count)).all())
    actual = dict(session.execute(select(Claim.status, func.count()).group_by(Claim.status)).all())
    return all(kept[status] == actual.get(status, 0) for status in kept)

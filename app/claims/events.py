"""Writing a claim's history: one event per change, never updated or deleted."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.claims.access import Actor
from app.models import Claim, ClaimEvent, EventKind


def wire_value(value: Any) -> Any:
    """A value as it is kept in an event's JSON data (times as RFC 3339 UTC with Z)."""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [wire_value(v) for v in value]
    return value


def record_event(
    session: Session,
    claim: Claim,
    kind: EventKind,
    actor: Actor | None,
    now: datetime,
    **data: Any,
) -> ClaimEvent:
    """Append one event to the claim's history and bump the claim's version."""
    claim.version += 1
    claim.updated_at = now
    event = ClaimEvent(claim=claim, **event_values(kind, actor, now, data))
    session.add(event)
    return event


def event_values(
    kind: EventKind, actor: Actor | None, now: datetime, data: dict[str, Any]
) -> dict[str, Any]:
    """The columns of one event (but its claim), for the ORM or a Core insert."""
    return {
        "kind": kind.value,
        "at": now,
        "actor_id": actor.id if actor else None,
        "data": {key: wire_value(value) for key, value in data.items()},
    }


def claim_history(session: Session, claim_id: int) -> list[ClaimEvent]:
    """The claim's events, oldest first, each with its actor loaded (the timeline)."""
    return list(
        session.scalars(
            select(ClaimEvent)
            .options(joinedload(ClaimEvent.actor))
            .where(ClaimEvent.claim_id == claim_id)
            .order_by(ClaimEvent.id)
        )
    )

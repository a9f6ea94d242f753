"""Writing a claim's history: one event per change, never updated or deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.claims.access import Actor
from app.models import Claim, ClaimEvent, EventKind
from app.wire import wire_value


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
    """The columns of one event (but its claim), for the ORM or a set-based insert."""
    return {
        "kind": kind.value,
        "at": now,
        "actor_id": actor.id if actor else None,
        "data": {key: wire_value(value) for key, value in data.items()},
    }

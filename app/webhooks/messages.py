"""What a webhook says: the standard body of an event, and of a test.

`{"type": "claim.<event kind>", "timestamp": <the event's time>, "data": {"claim": <the claim
as GET /api/v1/claims/{id} answers>, "event": <the event as GET .../events lists it>}}`.
Built once per event, when the event is first fanned out, and stored: every endpoint and every
attempt sends the same bytes (the claim as it was then; its `version` says which).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from app.claims.access import Actor
from app.claims.documents import claim, event
from app.claims.reads import read_claims_by_id, read_events_by_id
from app.wire import dumps

TEST_TYPE = "claimwatch.test"


def message_type(kind: str) -> str:
    """The `type` of an event's message: `claim.resolved`, `claim.lead_found`, ..."""
    return f"claim.{kind}"


def event_messages(
    connection: Connection, event_ids: Sequence[int], now: datetime
) -> list[dict[str, Any]]:
    """The `webhook_messages` rows of these events, read in three statements."""
    events = read_events_by_id(connection, event_ids)
    claims = read_claims_by_id(connection, {row.claim_id for row in events})
    rows = []
    for row in events:
        claim_row, evidence = claims[row.claim_id]
        body = {
            "type": message_type(row.kind),
            "timestamp": row.at,
            "data": {"claim": claim(claim_row, evidence), "event": event(row)},
        }
        rows.append(
            {
                "event_id": row.id,
                "claim_id": row.claim_id,
                "type": body["type"],
                "payload": dumps(body).decode("utf-8"),
                "created_at": now,
            }
        )
    return rows


def test_message(endpoint_id: int, actor: Actor, now: datetime) -> dict[str, Any]:
    """The `webhook_messages` row of a test an admin asked for."""
    body = {
        "type": TEST_TYPE,
        "timestamp": now,
        "data": {
            "webhook": endpoint_id,
            "requested_by": {"id": actor.id, "name": actor.label},
            "text": "A test from Claimwatch: this endpoint receives its webhooks.",
        },
    }
    return {
        "event_id": None,
        "claim_id": None,
        "type": TEST_TYPE,
        "payload": dumps(body).decode("utf-8"),
        "created_at": now,
    }

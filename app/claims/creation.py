"""Creating a claim: the row, its tags and its `created` event, written together.

On PostgreSQL the three inserts are one statement (data-modifying CTEs): a `POST /claims`
made five round trips fewer, the largest share of its cost (docs/benchmarks.md, "api").
SQLite runs the same inserts one after the other in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import JSON, Integer, Select, String, bindparam, cast, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from app.claims.access import Actor, require_writer
from app.claims.events import event_values
from app.claims.fields import clean_new_claim
from app.claims.sources import SourceRef, source_for
from app.db import UTCDateTime
from app.models import Claim, ClaimEvent, ClaimStatus, ClaimTag, EventKind

_CLAIMS = Claim.__table__
_TAGS = ClaimTag.__table__
_EVENTS = ClaimEvent.__table__
# What a new claim is given; every other column starts empty.
DEFAULTS: dict[str, Any] = {
    "subject": "",
    "details": "",
    "claimant": "",
    "first_seen_url": None,
    "claimed_on": None,
    "window_start": None,
}
NEW_COLUMNS = (
    *DEFAULTS,
    "statement",
    "source_id",
    "window_end",
    "status",
    "extensions",
    "version",
    "created_at",
    "updated_at",
    "created_by_id",
)
EVENT_COLUMNS = {"kind": String(), "at": UTCDateTime(), "actor_id": Integer(), "data": JSON()}

# SQLite: one statement each, built once (SQLAlchemy finds their compiled form by cache key).
INSERT_CLAIM = insert(_CLAIMS).returning(*_CLAIMS.c)
INSERT_TAG = insert(_TAGS)
INSERT_EVENT = insert(_EVENTS)


@cache
def insert_all() -> Select[Any]:
    """PostgreSQL: claim, tags (`unnest` of an array) and event in one statement, returning
    the claim's row. Parameters: `new_<column>` for the claim, `tags`, `event_<column>`."""
    claim = (
        insert(_CLAIMS)
        .values(
            {name: bindparam(f"new_{name}", type_=_CLAIMS.c[name].type) for name in NEW_COLUMNS}
        )
        .returning(*_CLAIMS.c)
        .cte("new_claim")
    )
    tags = (
        insert(_TAGS)
        .from_select(
            ["claim_id", "tag"],
            select(claim.c.id, func.unnest(cast(bindparam("tags"), ARRAY(String())))),
        )
        .cte("new_tags")
    )
    event = (
        insert(_EVENTS)
        .from_select(
            ["claim_id", *EVENT_COLUMNS],
            select(
                claim.c.id,
                *(bindparam(f"event_{name}", type_=kind) for name, kind in EVENT_COLUMNS.items()),
            ),
        )
        .cte("new_event")
    )
    return select(claim).add_cte(tags, event)


@dataclass(frozen=True)
class NewClaim:
    """What was written: the claim's row as stored, its source, its tags."""

    row: Row[Any]
    source: SourceRef | None
    tags: list[str]

    @property
    def id(self) -> int:
        return int(self.row.id)


def insert_claim(
    session: Session, actor: Actor, now: datetime, values: Mapping[str, Any]
) -> NewClaim:
    """A new pending claim from the given fields, with its `created` event (see `create_claim`
    for the ORM object); validates everything first, flushes nothing, never commits."""
    require_writer(actor)
    clean = clean_new_claim(values, now.date())
    source_name, source_url = clean.pop("source", ""), clean.pop("source_url", None)
    tags = clean.pop("tags", [])
    source = source_for(session, source_name, now, source_url) if source_name else None
    row = {
        **DEFAULTS,
        **clean,
        "source_id": source.id if source else None,
        "status": ClaimStatus.PENDING.value,
        "extensions": 0,
        "version": 1,  # the version of a claim with one event, `created`
        "created_at": now,
        "updated_at": now,
        "created_by_id": actor.id,
    }
    assert row.keys() == set(NEW_COLUMNS), row.keys() ^ set(NEW_COLUMNS)
    data = {
        "statement": row["statement"],
        "window_end": row["window_end"],
        "source": source_name or None,
    }
    event = event_values(EventKind.CREATED, actor, now, data)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        params = {f"new_{name}": value for name, value in row.items()}
        params.update({f"event_{name}": value for name, value in event.items()}, tags=tags)
        stored = connection.execute(insert_all(), params).one()
    else:
        stored = connection.execute(INSERT_CLAIM, row).one()
        if tags:
            connection.execute(INSERT_TAG, [{"claim_id": stored.id, "tag": tag} for tag in tags])
        connection.execute(INSERT_EVENT, {"claim_id": stored.id, **event})
    return NewClaim(stored, source, sorted(tags))

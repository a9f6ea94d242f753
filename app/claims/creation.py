"""Creating a claim: the row, its tags and its `created` event, written together.

On PostgreSQL the three inserts, and the lookup of the claim's source, are one statement
(data-modifying CTEs): round trips were the largest share of a `POST /claims`
(docs/benchmarks.md, "api").
SQLite runs the same inserts one after the other in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import JSON, Integer, Select, String, bindparam, cast, func, insert, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection

from app.claims.access import Actor, require_writer
from app.claims.events import event_values
from app.claims.fields import clean_new_claim
from app.claims.sources import SourceRef, source_for, source_key
from app.db import UTCDateTime, all_or_nothing
from app.models import Claim, ClaimEvent, ClaimStatus, ClaimTag, EventKind, Source

_CLAIMS = Claim.__table__
_TAGS = ClaimTag.__table__
_EVENTS = ClaimEvent.__table__
_SOURCES = Source.__table__
# The fields a new claim may leave out, with the model's defaults ("" or NULL); every column
# not in NEW_COLUMNS starts empty.
OPTIONAL = ("subject", "details", "claimant", "first_seen_url", "claimed_on", "window_start")
DEFAULTS: dict[str, Any] = {
    name: None if _CLAIMS.c[name].default is None else _CLAIMS.c[name].default.arg
    for name in OPTIONAL
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
INSERT_CLAIM = insert(_CLAIMS).returning(_CLAIMS.c.id)
INSERT_TAG = insert(_TAGS)
INSERT_EVENT = insert(_EVENTS)


@cache
def insert_all(named_source: bool) -> Select[Any]:
    """PostgreSQL: claim, tags (`unnest` of an array) and event in one statement, returning
    the claim's id (and its source's id, name and URL). Parameters: `new_<column>` for the claim,
    `tags`, `event_<column>`; with `named_source`, `source_key` and `source_url`.

    A named source is looked up in the same statement, and the claim is written only if the
    source exists and needs nothing from this request (a URL it lacks): otherwise the statement
    writes nothing and returns no row, and `insert_claim` lets `source_for` create or complete
    the source first.
    """
    new = {name: bindparam(f"new_{name}", type_=_CLAIMS.c[name].type) for name in NEW_COLUMNS}
    if named_source:
        source = (
            select(_SOURCES.c.id, _SOURCES.c.name, _SOURCES.c.url)
            .where(_SOURCES.c.name_key == bindparam("source_key"))
            .cte("source")
        )
        new["source_id"] = source.c.id
        complete = or_(source.c.url.is_not(None), bindparam("source_url", type_=String()).is_(None))
        written = insert(_CLAIMS).from_select(
            list(new), select(*new.values()).select_from(source).where(complete)
        )
    else:
        written = insert(_CLAIMS).values(new)
    claim = written.returning(_CLAIMS.c.id, _CLAIMS.c.source_id).cte("new_claim")
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
    if named_source:
        found = select(claim, source.c.name.label("source_name"), source.c.url.label("source_url"))
        return found.select_from(claim.join(source, source.c.id == claim.c.source_id)).add_cte(
            tags, event
        )
    return select(claim).add_cte(tags, event)


@dataclass(frozen=True)
class NewClaim:
    """What was written: the claim's columns (those a new claim is given, and its id; every
    other column is empty), its source, its tags.

    Taken from what was sent rather than read back: the database stores these values as they
    are (tests/api/test_claims_api.py checks the answer of a POST against a GET)."""

    row: dict[str, Any]
    source: SourceRef | None
    tags: list[str]

    @property
    def id(self) -> int:
        return int(self.row["id"])


def insert_claim(
    connection: Connection, actor: Actor, now: datetime, values: Mapping[str, Any]
) -> NewClaim:
    """A new pending claim from the given fields, with its `created` event (see `create_claim`
    for the ORM object); validates everything first, never commits. On PostgreSQL one
    statement writes the claim whole, so `connection` may be in autocommit."""
    require_writer(actor)
    clean = clean_new_claim(values, now.date())
    source_name, source_url = clean.pop("source", ""), clean.pop("source_url", None)
    tags = clean.pop("tags", [])
    row = {
        **DEFAULTS,
        **clean,
        "source_id": None,
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
    if connection.dialect.name == "postgresql":
        params = {f"new_{name}": value for name, value in row.items()}
        params.update({f"event_{name}": value for name, value in event.items()}, tags=tags)
        if not source_name:
            row["id"] = connection.execute(insert_all(False), params).scalar_one()
            return NewClaim(row, None, sorted(tags))
        params.update(source_key=source_key(source_name), source_url=source_url)
        stored = connection.execute(insert_all(True), params).one_or_none()
        if stored is None:  # a new source, or one that lacks the URL given: complete it first
            with all_or_nothing(connection):
                source_for(connection, source_name, now, source_url)
                stored = connection.execute(insert_all(True), params).one()
        row.update(id=stored.id, source_id=stored.source_id)
        source = SourceRef(stored.source_id, stored.source_name, stored.source_url)
        return NewClaim(row, source, sorted(tags))
    source = source_for(connection, source_name, now, source_url) if source_name else None
    row["source_id"] = source.id if source else None
    claim_id = connection.execute(INSERT_CLAIM, row).scalar_one()
    if tags:
        connection.execute(INSERT_TAG, [{"claim_id": claim_id, "tag": tag} for tag in tags])
    connection.execute(INSERT_EVENT, {"claim_id": claim_id, **event})
    return NewClaim({**row, "id": claim_id}, source, sorted(tags))

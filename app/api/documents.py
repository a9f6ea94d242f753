"""A claim's JSON as the API sends it, defined once.

The database hands over plain columns (`CLAIM_COLUMNS`, no ORM objects, no per-value type
processing: instants come as naive UTC datetimes, a claim's tags as JSON text); `claim_body`
shapes one row into the wire format and orjson writes it (`app.api.serialize.dumps`).

Why this way: letting PostgreSQL write each claim's JSON (`json_build_object`, `to_char` for
every instant) cost more of its CPU than the rest of a list request's statement, and the ORM
or per-value type processors cost as much again in Python (docs/benchmarks.md, "api").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from orjson import Fragment
from sqlalchemy import ColumnElement, DateTime, Select, select, type_coerce
from sqlalchemy.orm import aliased

from app.claims.creation import NewClaim
from app.claims.sqlfuncs import claim_tags_json, json_text, utc_naive
from app.models import Claim, Source, User
from app.models.users import label_sql

Assignee = aliased(User, name="assignee")
ResolvedBy = aliased(User, name="resolved_by")


def _instant(column: Any) -> ColumnElement[Any]:
    return type_coerce(utc_naive(column), DateTime()).label(column.key)


def claim_columns() -> tuple[ColumnElement[Any], ...]:
    """What a claim's document is made of, in the order `claim_body` unpacks it."""
    c = Claim
    return (
        c.id,
        c.statement,
        c.subject,
        c.details,
        json_text(claim_tags_json(c.id)).label("tags"),
        c.claimant,
        c.source_id,
        Source.name.label("source_name"),
        Source.url.label("source_url"),
        c.first_seen_url,
        c.claimed_on,
        _instant(c.window_start),
        _instant(c.window_end),
        c.status,
        _instant(c.flagged_at),
        c.extensions,
        c.assignee_id,
        label_sql(Assignee).label("assignee_name"),
        c.resolution_note,
        _instant(c.known_at),
        _instant(c.resolved_at),
        c.resolved_by_id,
        label_sql(ResolvedBy).label("resolved_by_name"),
        c.version,
        _instant(c.created_at),
        _instant(c.updated_at),
    )


# Positions in `claim_columns` that other code reads (the list's cursor, the ETag).
_LABELS = [column.key for column in claim_columns()]
ID, WINDOW_END, VERSION, CREATED_AT = map(
    _LABELS.index, ("id", "window_end", "version", "created_at")
)


def _person(user_id: int | None, name: str | None) -> dict[str, Any] | None:
    return None if user_id is None else {"id": user_id, "name": name}


def claim_body(row: Any) -> dict[str, Any]:
    """One claim as the `Claim` schema of the OpenAPI document, from a row of
    `claim_columns` (values as orjson writes them: instants are naive UTC)."""
    (
        claim_id,
        statement,
        subject,
        details,
        tags,
        claimant,
        source_id,
        source_name,
        source_url,
        first_seen_url,
        claimed_on,
        window_start,
        window_end,
        status,
        flagged_at,
        extensions,
        assignee_id,
        assignee_name,
        resolution_note,
        known_at,
        resolved_at,
        resolved_by_id,
        resolved_by_name,
        version,
        created_at,
        updated_at,
    ) = row
    return {
        "id": claim_id,
        "statement": statement,
        "subject": subject,
        "details": details,
        "tags": Fragment(tags) if isinstance(tags, str) else tags,
        "claimant": claimant,
        "source": None
        if source_id is None
        else {"id": source_id, "name": source_name, "url": source_url},
        "first_seen_url": first_seen_url,
        "claimed_on": claimed_on,
        "window_start": window_start,
        "window_end": window_end,
        "status": status,
        "flagged_at": flagged_at,
        "extensions": extensions,
        "assignee": _person(assignee_id, assignee_name),
        "resolution": None
        if resolved_at is None
        else {
            "outcome": status,
            "note": resolution_note or "",
            "known_at": known_at,
            "resolved_at": resolved_at,
            "resolved_by": _person(resolved_by_id, resolved_by_name),
        },
        "version": version,
        "created_at": created_at,
        "updated_at": updated_at,
    }


@cache
def claim_rows() -> Select[Any]:
    """`claim_columns` from `claims` joined to its source and people; add the filters.

    Built once: statements are immutable, and SQLAlchemy finds the compiled form of a reused
    statement by its memoized cache key.
    """
    return (
        select(*claim_columns())
        .outerjoin(Source, Source.id == Claim.source_id)
        .outerjoin(Assignee, Assignee.id == Claim.assignee_id)
        .outerjoin(ResolvedBy, ResolvedBy.id == Claim.resolved_by_id)
    )


@dataclass(frozen=True)
class ClaimDoc:
    """One claim's document, and what its ETag is made of."""

    id: int
    version: int
    body: dict[str, Any]

    @classmethod
    def from_row(cls, row: Any) -> ClaimDoc:
        return cls(row[ID], row[VERSION], claim_body(row))

    @classmethod
    def of_new_claim(cls, new: NewClaim) -> ClaimDoc:
        """A claim just created, with its (empty) evidence, from what was written (no statement
        reads it back): not flagged, nobody assigned, nothing resolved yet."""
        c, source = new.row, new.source
        row = (
            *(c["id"], c["statement"], c["subject"], c["details"], new.tags, c["claimant"]),
            *((source.id, source.name, source.url) if source else (None, None, None)),
            *(c["first_seen_url"], c["claimed_on"], c["window_start"], c["window_end"]),
            *(c["status"], None, c["extensions"], None, None, None, None, None, None, None),
            *(c["version"], c["created_at"], c["updated_at"]),
        )
        return cls(c["id"], c["version"], {**claim_body(row), "evidence": []})

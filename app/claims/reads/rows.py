"""The rows the reads return, and how their columns are selected on each database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson
from sqlalchemy import ColumnElement, DateTime, Select, String, Text, cast, select, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

from app.models import ClaimEvent, Evidence, Source, User
from app.models.users import label_sql

# --- what is spelled differently on PostgreSQL and SQLite -------------------------------------


class utc_naive(FunctionElement[Any]):
    """An instant as a naive UTC timestamp, whatever the session's time zone."""

    inherit_cache = True

    def __init__(self, value: ColumnElement[Any]) -> None:
        super().__init__(value)


@compiles(utc_naive, "postgresql")
def _utc_naive_pg(element: utc_naive, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC')"


@compiles(utc_naive, "sqlite")
def _utc_naive_sqlite(element: utc_naive, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


class tags_json(FunctionElement[str]):
    """A claim's tags as a JSON array (text), in code point order (`sorted()` in Python)."""

    type = String()
    inherit_cache = True

    def __init__(self, claim_id: ColumnElement[Any]) -> None:
        super().__init__(claim_id)


@compiles(tags_json, "postgresql")
def _tags_json_pg(element: tags_json, compiler: SQLCompiler, **kw: Any) -> str:
    claim_id = compiler.process(element.clauses, **kw)
    return (
        'CAST(coalesce((SELECT json_agg(claim_tags.tag ORDER BY claim_tags.tag COLLATE "C")'
        f" FROM claim_tags WHERE claim_tags.claim_id = {claim_id}), '[]'::json) AS TEXT)"
    )


@compiles(tags_json, "sqlite")
def _tags_json_sqlite(element: tags_json, compiler: SQLCompiler, **kw: Any) -> str:
    claim_id = compiler.process(element.clauses, **kw)
    return (
        "json((SELECT json_group_array(tag) FROM (SELECT claim_tags.tag AS tag FROM claim_tags"
        f" WHERE claim_tags.claim_id = {claim_id} ORDER BY claim_tags.tag)))"
    )


def utc(value: datetime | None) -> datetime | None:
    """A naive UTC instant of these rows as an aware one."""
    return value.replace(tzinfo=UTC) if value is not None else None


def naive_utc(value: datetime | None) -> datetime | None:
    """An aware instant as these rows carry it: naive, in UTC."""
    return value.astimezone(UTC).replace(tzinfo=None) if value is not None else None


# --- the rows ---------------------------------------------------------------------------------


class ClaimRow(NamedTuple):
    """Everything the API shows of a claim (instants naive UTC, tags and watch terms JSON
    text)."""

    id: int
    statement: str
    subject: str
    details: str
    tags: str
    watch_terms: str
    claimant: str
    source_id: int | None
    source_name: str | None
    source_url: str | None
    first_seen_url: str | None
    claimed_on: Any
    window_start: datetime | None
    window_end: datetime
    status: str
    flagged_at: datetime | None
    extensions: int
    assignee_id: int | None
    assignee_name: str | None
    resolution_note: str | None
    known_at: datetime | None
    resolved_at: datetime | None
    resolved_by_id: int | None
    resolved_by_name: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class ClaimSummary(NamedTuple):
    """A claim as a line of the reviewers' list (instants naive UTC, tags JSON text)."""

    id: int
    statement: str
    subject: str
    status: str
    window_end: datetime
    known_at: datetime | None
    created_at: datetime
    source_id: int | None
    source_name: str | None
    assignee_id: int | None
    assignee_name: str | None
    tags: str


class EvidenceRow(NamedTuple):
    """An evidence item with the names of who added and withdrew it."""

    id: int
    url: str
    title: str
    publisher: str
    published_on: Any
    stance: str
    note: str
    added_by_id: int | None
    added_by_name: str | None
    added_at: datetime
    withdrawn_at: datetime | None
    withdrawn_by_id: int | None
    withdrawn_by_name: str | None
    withdrawn_reason: str | None


class EventRow(NamedTuple):
    """One event of a claim's history, with its actor's name (None: the system)."""

    id: int
    claim_id: int
    kind: str
    at: datetime
    actor_id: int | None
    actor_name: str | None
    data: dict[str, Any]


def claim_tags(row: ClaimRow | ClaimSummary) -> list[str]:
    return orjson.loads(row.tags) if row.tags else []


def instant(column: Any) -> ColumnElement[Any]:
    """An instant column as these rows carry it: naive UTC, no per-value processing."""
    return type_coerce(utc_naive(column), DateTime()).label(column.key)


Assignee = aliased(User, name="assignee")
ResolvedBy = aliased(User, name="resolved_by")
AddedBy = aliased(User, name="added_by")
WithdrawnBy = aliased(User, name="withdrawn_by")
Actor = aliased(User, name="actor")
CLAIM_INSTANTS = frozenset(
    {"window_start", "window_end", "flagged_at", "known_at", "resolved_at"}
    | {"created_at", "updated_at"}
)


def _claim_column(name: str, claims: Any) -> ColumnElement[Any]:
    """The column `name` of a claim row, from `claims` (the table, or a page of it)."""
    looked_up = {
        "tags": tags_json(claims.c.id),
        "source_name": Source.name,
        "source_url": Source.url,
        "assignee_name": label_sql(Assignee),
        "resolved_by_name": label_sql(ResolvedBy),
    }
    if name in looked_up:
        return looked_up[name].label(name)
    if name == "watch_terms":  # JSON text, written into answers as it is
        return cast(claims.c.watch_terms, Text).label(name)
    column = claims.c[name]
    return instant(column) if name in CLAIM_INSTANTS else column


def select_claims(shape: type[ClaimRow] | type[ClaimSummary], claims: Any) -> Select[Any]:
    """`shape`'s columns, in its order, from `claims` joined to its source and people."""
    return (
        select(*(_claim_column(name, claims) for name in shape._fields))
        .select_from(claims)
        .outerjoin(Source, Source.id == claims.c.source_id)
        .outerjoin(Assignee, Assignee.id == claims.c.assignee_id)
        .outerjoin(ResolvedBy, ResolvedBy.id == claims.c.resolved_by_id)
    )


def select_evidence() -> Select[Any]:
    """`EvidenceRow`'s columns, in its order."""
    table = Evidence.__table__
    names = {
        "added_by_name": label_sql(AddedBy).label("added_by_name"),
        "withdrawn_by_name": label_sql(WithdrawnBy).label("withdrawn_by_name"),
    }
    columns = [
        names.get(name)
        if name in names
        else instant(table.c[name])
        if name in {"added_at", "withdrawn_at"}
        else table.c[name]
        for name in EvidenceRow._fields
    ]
    return (
        select(*columns)
        .outerjoin(AddedBy, AddedBy.id == table.c.added_by_id)
        .outerjoin(WithdrawnBy, WithdrawnBy.id == table.c.withdrawn_by_id)
    )


def select_events() -> Select[Any]:
    """`EventRow`'s columns, in its order."""
    table = ClaimEvent.__table__
    columns = [
        label_sql(Actor).label("actor_name")
        if name == "actor_name"
        else instant(table.c.at)
        if name == "at"
        else table.c[name]
        for name in EventRow._fields
    ]
    return select(*columns).outerjoin(Actor, Actor.id == table.c.actor_id)

"""`GET /claims`: filters, sorts and keyset pagination as one Core query.

The list reads each claim as the plain columns of `app.api.documents`, not ORM objects
(docs/benchmarks.md, "api").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    bindparam,
    exists,
    literal_column,
    tuple_,
)

from app.api.documents import CREATED_AT, ID, WINDOW_END, claim_body, claim_rows
from app.api.pagination import decode_cursor, encode_cursor, parse_limit
from app.api.search import text_match
from app.claims.checks import CONTROL
from app.claims.deadlines import as_instant
from app.claims.errors import FieldErrors, ValidationError
from app.models import Claim, ClaimStatus, ClaimTag

SORTS = {
    "window_end": (Claim.window_end, False),
    "-window_end": (Claim.window_end, True),
    "created_at": (Claim.created_at, False),
    "-created_at": (Claim.created_at, True),
}
STATUSES = {s.value for s in ClaimStatus}


@dataclass(frozen=True)
class ClaimQuery:
    statuses: tuple[str, ...] = ()
    tag: str | None = None
    source: int | None = None
    assignee: int | None = None
    q: str | None = None
    window_end_before: datetime | None = None
    window_end_after: datetime | None = None
    sort: str = "window_end"
    limit: int = 50
    cursor: str | None = None


def _int(errors: FieldErrors, name: str, raw: str | None) -> int | None:
    if raw in (None, ""):
        return None
    # isascii: isdigit() alone also accepts "²", which int() refuses (found by scripts/fuzz).
    if not (raw.isascii() and raw.isdigit()) or int(raw) > 2_147_483_647:
        errors.add(name, "must be an id (a whole number)")
        return None
    return int(raw)


def parse_query(args: Any) -> ClaimQuery:
    """The list's query string, checked; every problem reported at once (422)."""
    errors = FieldErrors()
    statuses = tuple(args.getlist("status"))
    for status in statuses:
        if status not in STATUSES:
            errors.add("status", f"{status!r} is not a status: {', '.join(sorted(STATUSES))}")
    sort = args.get("sort") or "window_end"
    if sort not in SORTS:
        errors.add("sort", f"must be one of {', '.join(SORTS)}")
    bounds: dict[str, datetime | None] = {}
    for name in ("window_end_before", "window_end_after"):
        raw = args.get(name)
        bounds[name] = None
        if raw:
            try:
                bounds[name] = as_instant(raw, name)
            except ValidationError as exc:
                errors.errors.update(exc.errors)
    limit = 50
    try:
        limit = parse_limit(args.get("limit"))
    except ValidationError as exc:
        errors.errors.update(exc.errors)
    tag = (args.get("tag") or "").strip().lower() or None
    if tag and CONTROL.search(tag):
        # Found by scripts/fuzz: PostgreSQL refuses a NUL in a query parameter (a 500).
        errors.add("tag", "must not contain control characters")
    query = ClaimQuery(
        statuses=statuses,
        tag=tag,
        source=_int(errors, "source", args.get("source")),
        assignee=_int(errors, "assignee", args.get("assignee")),
        q=args.get("q") or None,
        sort=sort,
        limit=limit,
        cursor=args.get("cursor") or None,
        **bounds,
    )
    errors.raise_if_any()
    return query


@lru_cache(maxsize=1024)
def _shape(
    dialect: str,
    sort: str,
    statuses: bool,
    tag: bool,
    source: bool,
    assignee: bool,
    before: bool,
    after: bool,
    cursor: bool,
    row_limit: int,
) -> Select[Any]:
    """The list statement for one combination of filters and page size, values left as bind
    parameters.

    Built once per shape: SQLAlchemy then finds its compiled form by the statement's memoized
    cache key instead of walking a new statement tree on every request.
    """
    column, descending = SORTS[sort]
    stmt = claim_rows()
    if statuses:
        stmt = stmt.where(Claim.status.in_(bindparam("statuses", expanding=True)))
    if tag:
        stmt = stmt.where(
            exists().where(ClaimTag.claim_id == Claim.id, ClaimTag.tag == bindparam("tag"))
        )
    if source:
        stmt = stmt.where(Claim.source_id == bindparam("source"))
    if assignee:
        stmt = stmt.where(Claim.assignee_id == bindparam("assignee"))
    if before:
        stmt = stmt.where(Claim.window_end <= bindparam("before", type_=Claim.window_end.type))
    if after:
        stmt = stmt.where(Claim.window_end > bindparam("after", type_=Claim.window_end.type))
    if cursor:
        key = tuple_(column, Claim.id)
        bound = tuple_(
            bindparam("cursor_value", type_=column.type),
            bindparam("cursor_id", type_=Claim.id.type),
        )
        stmt = stmt.where(key < bound if descending else key > bound)
    order = (column.desc(), Claim.id.desc()) if descending else (column.asc(), Claim.id.asc())
    # The LIMIT is SQL text, part of the shape: as a parameter, PostgreSQL re-planned the
    # prepared statement on every request (687 against 280 us of its CPU per page).
    return stmt.order_by(*order).limit(literal_column(str(int(row_limit)), Integer))


def page_statement(query: ClaimQuery, dialect: str) -> tuple[Select[Any], dict[str, Any]]:
    """The statement of one page and its parameters. A text search adds its condition to the
    statement of its shape, so that statement is new on every request."""
    stmt = _shape(
        dialect,
        query.sort,
        bool(query.statuses),
        query.tag is not None,
        query.source is not None,
        query.assignee is not None,
        query.window_end_before is not None,
        query.window_end_after is not None,
        query.cursor is not None,
        query.limit + 1,
    )
    params: dict[str, Any] = {
        "statuses": list(query.statuses),
        "tag": query.tag,
        "source": query.source,
        "assignee": query.assignee,
        "before": query.window_end_before,
        "after": query.window_end_after,
    }
    if query.cursor:
        params["cursor_value"], params["cursor_id"] = decode_cursor(query.cursor, query.sort)
    if query.q:
        stmt = stmt.where(text_match(dialect, query.q))
    return stmt, {name: value for name, value in params.items() if value is not None}


SORT_POSITIONS = {"window_end": WINDOW_END, "created_at": CREATED_AT}


def page_order(query: ClaimQuery) -> tuple[tuple[str, bool], ...]:
    """The page's order as (column label, descending) of `claim_columns`."""
    sort = query.sort.lstrip("-")
    descending = query.sort.startswith("-")
    return ((sort, descending), ("id", descending))


def page_of(rows: Sequence[Any], query: ClaimQuery) -> tuple[list[dict[str, Any]], str | None]:
    """The page's claims (`claim_body` each) from the rows of its statement (one more than
    the page holds, if there are more), and the cursor of the next page (None on the last)."""
    cursor = None
    if len(rows) > query.limit:
        last = rows[query.limit - 1]  # its sort value is naive UTC, as the cursor keeps it
        value = last[SORT_POSITIONS[query.sort.lstrip("-")]].replace(tzinfo=UTC)
        cursor = encode_cursor(query.sort, value, last[ID])
    return [claim_body(row) for row in rows[: query.limit]], cursor

"""The claim lists: filters, the sorts, the desk's order, and keyset pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    String,
    bindparam,
    exists,
    literal_column,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.engine import Connection

from app.claims.closing import ClosingBounds, closing_sql
from app.claims.cursor import Cursor
from app.claims.reads.rows import ClaimRow, ClaimSummary, select_claims, utc
from app.claims.search import matches_search, search_text
from app.models import OPEN_STATUSES, RESOLUTIONS, Claim, ClaimStatus, ClaimTag

Row = type[ClaimRow] | type[ClaimSummary]

# --- the lists ----------------------------------------------------------------------------------

# The sorts of the lists: (column, descending). "attention" is the desk's order: overdue claims
# longest overdue first, then pending ones closing soonest first, then resolved ones latest
# window first, each group read as one short index range per status.
SORTS = {
    "window_end": ("window_end", False),
    "-window_end": ("window_end", True),
    "created_at": ("created_at", False),
    "-created_at": ("created_at", True),
}
ATTENTION = "attention"
ATTENTION_GROUPS: tuple[tuple[tuple[str, ...], bool], ...] = (
    ((ClaimStatus.OVERDUE.value,), False),
    ((ClaimStatus.PENDING.value,), False),
    (tuple(sorted(s.value for s in RESOLUTIONS)), True),
)
assert {s for group, _ in ATTENTION_GROUPS for s in group} == {s.value for s in ClaimStatus}
assert set(ATTENTION_GROUPS[0][0]) | set(ATTENTION_GROUPS[1][0]) == set(OPEN_STATUSES)


def groups_of(sort: str) -> int:
    return len(ATTENTION_GROUPS) if sort == ATTENTION else 1


@dataclass(frozen=True)
class ClaimQuery:
    """One page of a claim list: filters (all must hold), order, size, and where it starts."""

    statuses: tuple[str, ...] = ()
    tag: str | None = None
    source: int | None = None
    assignee: int | None = None
    q: str | None = None
    window_end_before: datetime | None = None
    window_end_after: datetime | None = None
    # Open claims closing within N days for one viewer at one moment (`app.claims.closing`).
    closing: ClosingBounds | None = None
    sort: str = "window_end"
    limit: int = 50
    cursor: Cursor | None = None


@dataclass
class ClaimPage:
    rows: list[Any] = field(default_factory=list)
    next: Cursor | None = None


@dataclass(frozen=True)
class _Shape:
    """What a statement depends on besides its parameter values (one cached statement each)."""

    row: Row
    # SQL text (the desk's groups, each status its own index range), or a parameter (a
    # filter), or None: any status.
    statuses: tuple[str, ...] | str | None
    tag: bool
    source: bool
    assignee: bool
    q: bool
    before: bool
    after: bool
    closing: bool
    cursor: bool
    column: str
    descending: bool
    limit: int


@lru_cache(maxsize=1024)
def _statement(shape: _Shape) -> Select[Any]:
    """The page statement of one shape: each status's range of claims filtered, ordered and
    limited first, then its names and tags looked up for the page's rows only.

    The statuses of the desk's groups and the LIMIT are SQL text, not parameters: psycopg
    prepares statements that run often, and PostgreSQL's generic plan for a parameter would
    neither know which index range it reads nor how many rows it needs.
    """
    claims = Claim.__table__
    column = claims.c[shape.column]
    limit = literal_column(str(int(shape.limit)), Integer)
    if shape.statuses is None:
        status_filters = [None]
    elif isinstance(shape.statuses, str):
        status_filters = [claims.c.status.in_(bindparam(shape.statuses, expanding=True))]
    else:
        # Our own constants (`ATTENTION_GROUPS`), never text from a request.
        status_filters = [
            claims.c.status == literal_column(f"'{s}'", String) for s in shape.statuses
        ]
    parts = []
    for status_filter in status_filters:
        query = select(claims)
        if status_filter is not None:
            query = query.where(status_filter)
        if shape.tag:
            tagged = select(ClaimTag.claim_id).where(ClaimTag.tag == bindparam("tag"))
            query = query.where(exists(tagged.where(ClaimTag.claim_id == claims.c.id)))
        if shape.source:
            query = query.where(claims.c.source_id == bindparam("source"))
        if shape.assignee:
            query = query.where(claims.c.assignee_id == bindparam("assignee"))
        if shape.q:
            query = query.where(matches_search())
        if shape.before:
            query = query.where(claims.c.window_end <= bindparam("before", type_=column.type))
        if shape.after:
            query = query.where(claims.c.window_end > bindparam("after", type_=column.type))
        if shape.closing:
            query = query.where(closing_sql(claims.c.window_end, claims.c.status))
        if shape.cursor:
            key = tuple_(column, claims.c.id)
            bound = tuple_(
                bindparam("cursor_value", type_=column.type), bindparam("cursor_id", type_=Integer)
            )
            query = query.where(key < bound if shape.descending else key > bound)
        order = (column.desc(), claims.c.id.desc()) if shape.descending else (column, claims.c.id)
        parts.append(select(query.order_by(*order).limit(limit).subquery()))
    page = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("page")
    ordered = page.c[shape.column], page.c.id
    order = [c.desc() for c in ordered] if shape.descending else list(ordered)
    return select_claims(shape.row, page).order_by(*order).limit(limit)


def _parameters(query: ClaimQuery, cursor: Cursor | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "statuses": list(query.statuses),
        "tag": query.tag,
        "source": query.source,
        "assignee": query.assignee,
        "q_text": search_text(query.q) if query.q else None,
        "before": query.window_end_before,
        "after": query.window_end_after,
    }
    if query.closing is not None:
        values.update(query.closing.parameters())
    if cursor is not None:
        values["cursor_value"], values["cursor_id"] = cursor.value, cursor.id
    return {name: value for name, value in values.items() if value is not None}


def claim_page(connection: Connection, query: ClaimQuery, row: Row) -> ClaimPage:
    """One page of claims as `row`s (ClaimRow or ClaimSummary), and the cursor of the next page
    (None on the last). One statement, or one per group of the desk's order that the page
    reaches."""
    if query.q and search_text(query.q) is None:
        return ClaimPage()  # nothing to look for: no claim matches
    if query.sort == ATTENTION:
        return _attention_page(connection, query, row)
    statement, values = sorted_statement(query, row)
    rows = connection.execute(statement, values).all()
    return _page(rows, query, row, SORTS[query.sort][0], 0)


def sorted_statement(query: ClaimQuery, row: Row) -> tuple[Select[Any], dict[str, Any]]:
    """The statement of one page in one of `SORTS`, and its parameters."""
    column, descending = SORTS[query.sort]
    shape = _shape(query, row, "statuses" if query.statuses else None, column, descending)
    return _statement(shape), _parameters(query, query.cursor)


def _shape(
    query: ClaimQuery,
    row: Row,
    statuses: tuple[str, ...] | str | None,
    column: str,
    descending: bool,
    cursor: bool | None = None,
) -> _Shape:
    return _Shape(
        row=row,
        statuses=statuses,
        tag=query.tag is not None,
        source=query.source is not None,
        assignee=query.assignee is not None,
        q=query.q is not None,
        before=query.window_end_before is not None,
        after=query.window_end_after is not None,
        closing=query.closing is not None,
        cursor=query.cursor is not None if cursor is None else cursor,
        column=column,
        descending=descending,
        limit=query.limit + 1,  # one more than the page: is there a next page?
    )


def _attention_page(connection: Connection, query: ClaimQuery, row: Row) -> ClaimPage:
    start = query.cursor
    found: list[tuple[int, Any]] = []
    for group in range(start.group if start else 0, len(ATTENTION_GROUPS)):
        statuses, descending = ATTENTION_GROUPS[group]
        if query.statuses:
            statuses = tuple(s for s in statuses if s in query.statuses)
            if not statuses:
                continue
        after = start if start is not None and start.group == group else None
        shape = _shape(query, row, statuses, "window_end", descending, cursor=after is not None)
        rows = connection.execute(_statement(shape), _parameters(query, after)).all()
        found += [(group, r) for r in rows]
        if len(found) > query.limit:
            break
    page = ClaimPage([row(*r) for _, r in found[: query.limit]])
    if len(found) > query.limit:
        group, last = found[query.limit - 1]
        page.next = Cursor(ATTENTION, utc(last.window_end), last.id, group)  # type: ignore[arg-type]
    return page


def _page(rows: Sequence[Any], query: ClaimQuery, row: Row, column: str, group: int) -> ClaimPage:
    page = ClaimPage([row(*r) for r in rows[: query.limit]])
    if len(rows) > query.limit:
        last = page.rows[-1]
        value = utc(getattr(last, column))
        page.next = Cursor(query.sort, value, last.id, group)  # type: ignore[arg-type]
    return page

"""The reviewers' claim list: overdue first (longest overdue first), keyset-paginated.

The order is three groups: overdue claims by window end (oldest window first, so the longest
overdue lead), pending claims by window end (closing soonest first), then resolved claims
latest window first. Each page is read per status through `ix_claims_status_window_end
(status, window_end, id)`: one short index range per status, merged, so page 1,000 costs what
page 1 costs, whatever the size of the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    Integer,
    Select,
    String,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from app.db import UTCDateTime
from app.models import Claim, ClaimStatus, ClaimTag, Source, User
from app.models.users import label_sql


class tag_list(FunctionElement[str]):
    """The claim's tags joined by commas, sorted (a tag never contains a comma)."""

    type = String()
    inherit_cache = True

    def __init__(self, claim_id: ColumnElement[Any]) -> None:
        super().__init__(claim_id)


@compiles(tag_list, "postgresql")
def _tag_list_pg(element: tag_list, compiler: SQLCompiler, **kw: Any) -> str:
    (claim_id,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return (
        "(SELECT string_agg(claim_tags.tag, ',' ORDER BY claim_tags.tag) "
        f"FROM claim_tags WHERE claim_tags.claim_id = {claim_id})"
    )


@compiles(tag_list, "sqlite")
def _tag_list_sqlite(element: tag_list, compiler: SQLCompiler, **kw: Any) -> str:
    (claim_id,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return (
        "(SELECT group_concat(tag, ',') FROM (SELECT claim_tags.tag AS tag FROM claim_tags "
        f"WHERE claim_tags.claim_id = {claim_id} ORDER BY claim_tags.tag))"
    )


# (statuses, ascending?) per group, in page order.
GROUPS: list[tuple[tuple[ClaimStatus, ...], bool]] = [
    ((ClaimStatus.OVERDUE,), True),
    ((ClaimStatus.PENDING,), True),
    (
        (
            ClaimStatus.CONFIRMED,
            ClaimStatus.PARTLY_CONFIRMED,
            ClaimStatus.REFUTED,
            ClaimStatus.RETRACTED,
            ClaimStatus.VOID,
        ),
        False,
    ),
]
MAX_LIMIT = 200
MAX_ID = 2_147_483_647  # ids are INTEGER columns: a larger one would make the query fail
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class ListFilters:
    statuses: frozenset[str] = frozenset()
    tag: str | None = None
    source_id: int | None = None
    assignee_id: int | None = None
    q: str | None = None


@dataclass(frozen=True)
class Cursor:
    group: int
    window_end: datetime
    id: int

    def encode(self) -> str:
        micros = (self.window_end - EPOCH) // MICROSECOND  # exact, unlike float seconds
        return f"{self.group}.{micros}.{self.id}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """The cursor in `text`, or None (first page) when it is missing or malformed."""
        try:
            group, micros, claim_id = (int(part) for part in (text or "").split("."))
            when = EPOCH + micros * MICROSECOND
        except (ValueError, OverflowError, OSError):
            return None
        if not 0 <= group < len(GROUPS) or not 0 <= claim_id <= MAX_ID:
            return None
        return cls(group, when, claim_id)


class ListedClaim(NamedTuple):
    """What the list shows of a claim: read as plain rows, not ORM objects (a page is 50)."""

    id: int
    statement: str
    subject: str
    status: str
    window_end: datetime
    source_id: int | None
    source_name: str | None
    assignee_label: str | None
    tag_text: str | None = None  # the tags, sorted and joined by commas (as read)

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(self.tag_text.split(",")) if self.tag_text else ()


@dataclass
class ClaimPage:
    claims: list[ListedClaim] = field(default_factory=list)
    next_cursor: str | None = None


def _filtered(query: Select, tag: bool, source: bool, assignee: bool, text: bool) -> Select:
    if tag:
        query = query.where(
            Claim.id.in_(select(ClaimTag.claim_id).where(ClaimTag.tag == bindparam("tag")))
        )
    if source:
        query = query.where(Claim.source_id == bindparam("source_id"))
    if assignee:
        query = query.where(Claim.assignee_id == bindparam("assignee_id"))
    if text:
        pattern = bindparam("pattern")
        query = query.where(
            or_(
                func.lower(Claim.statement).like(pattern, escape="\\"),
                func.lower(Claim.subject).like(pattern, escape="\\"),
            )
        )
    return query


# What a page reads of each claim: each status's range of `ix_claims_status_window_end` is read
# with its rows (one index scan per status), not as ids joined back to the table afterwards.
LISTED_COLUMNS = (
    Claim.id,
    Claim.statement,
    Claim.subject,
    Claim.status,
    Claim.window_end,
    Claim.source_id,
    Claim.assignee_id,
)


@lru_cache(maxsize=1024)
def group_statement(
    group: int,
    statuses: tuple[str, ...],
    tag: bool,
    source: bool,
    assignee: bool,
    text: bool,
    after: bool,
    limit: int,
) -> Select:
    """Up to `limit` claims of one group for one shape of filters; values as bind parameters.

    Built once per shape (a few dozen occur): built per request, it cost more than running
    it, and a statement used again finds its compiled SQL by its memoized cache key. The limit
    is SQL text: as a parameter, PostgreSQL's plan for the prepared statement could not know
    it and planned the query afresh on every execution.
    """
    ascending = GROUPS[group][1]
    row_limit = literal_column(str(int(limit)), Integer)
    parts = []
    for status in statuses:
        query = _filtered(select(*LISTED_COLUMNS), tag, source, assignee, text)
        # The status as SQL text, not a parameter: the planner then knows which index range
        # it reads, also in the generic plan of a prepared statement (psycopg prepares
        # statements that run often). The statuses come from `GROUPS`, never from a request.
        query = query.where(Claim.status == literal_column(f"'{status}'", String))
        if after:
            key = tuple_(
                bindparam("after_end", type_=UTCDateTime()), bindparam("after_id", type_=Integer)
            )
            position = tuple_(Claim.window_end, Claim.id)
            query = query.where(position > key if ascending else position < key)
        order = (
            (Claim.window_end, Claim.id)
            if ascending
            else (Claim.window_end.desc(), Claim.id.desc())
        )
        parts.append(select(query.order_by(*order).limit(row_limit).subquery()))
    page = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    order = (
        (page.c.window_end, page.c.id)
        if ascending
        else (page.c.window_end.desc(), page.c.id.desc())
    )
    # Names and tags are looked up for the page's rows only, after the limit.
    return (
        select(
            page.c.id,
            page.c.statement,
            page.c.subject,
            page.c.status,
            page.c.window_end,
            page.c.source_id,
            Source.name,
            label_sql(User),
            tag_list(page.c.id),
        )
        .select_from(page)
        .outerjoin(Source, Source.id == page.c.source_id)
        .outerjoin(User, User.id == page.c.assignee_id)
        .order_by(*order)
        .limit(row_limit)
    )


def _filter_values(filters: ListFilters) -> dict[str, Any]:
    values: dict[str, Any] = {
        "tag": filters.tag,
        "source_id": filters.source_id,
        "assignee_id": filters.assignee_id,
    }
    if filters.q:
        pattern = "%" + filters.q.replace("%", r"\%").replace("_", r"\_") + "%"
        values["pattern"] = pattern.lower()
    return {name: value for name, value in values.items() if value is not None}


def _group_page(
    connection: Connection,
    group: int,
    filters: ListFilters,
    after: Cursor | None,
    limit: int,
) -> list[ListedClaim]:
    """Up to `limit` claims of one group after the cursor, in page order, in one query."""
    statuses = tuple(
        s.value for s in GROUPS[group][0] if not filters.statuses or s.value in filters.statuses
    )
    if not statuses:
        return []
    statement = group_statement(
        group,
        statuses,
        filters.tag is not None,
        filters.source_id is not None,
        filters.assignee_id is not None,
        filters.q is not None,
        after is not None,
        limit,
    )
    values = _filter_values(filters)
    if after is not None:
        values["after_end"], values["after_id"] = after.window_end, after.id
    return list(map(ListedClaim._make, connection.execute(statement, values).all()))


SOURCE_NAME = select(Source.name).where(Source.id == bindparam("source_id"))


def source_name(connection: Connection, source_id: int) -> str | None:
    """The name of the source the list is filtered by (None if there is no such source)."""
    return connection.execute(SOURCE_NAME, {"source_id": source_id}).scalar()


def list_claims(
    connection: Connection, filters: ListFilters, cursor: str | None = None, limit: int = 50
) -> ClaimPage:
    """One page of the claim list and the cursor of the next page (None on the last).

    Usually one query: one group fills the page, tags and names come with it. Core on a
    connection (a session's, or a plain one in autocommit): the rows are plain tuples, and the
    ORM's execution layer would only add overhead to the busiest page of the web app.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    after = Cursor.decode(cursor)
    rows: list[tuple[int, ListedClaim]] = []
    for group in range(after.group if after else 0, len(GROUPS)):
        start = after if after and after.group == group else None
        # Always limit + 1 rows, even when fewer would do: one statement per page size.
        rows += [
            (group, claim) for claim in _group_page(connection, group, filters, start, limit + 1)
        ]
        if len(rows) > limit:
            break
    page, more = rows[:limit], len(rows) > limit
    next_cursor = None
    if more and page:
        group, last = page[-1]
        next_cursor = Cursor(group, last.window_end, last.id).encode()
    return ClaimPage([claim for _, claim in page], next_cursor)

"""Reading watches and leads as named rows, for the web pages, the API and the digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from app.claims.cursor import Cursor
from app.claims.errors import NotFound
from app.models import Claim, Lead, LeadStatus, User, Watch
from app.models.users import label_sql
from app.watches.health import Health, health

LEAD_SORT = "leads"
Creator = aliased(User, name="creator")
Decider = aliased(User, name="decider")


class WatchRow(NamedTuple):
    """A live watch, with its health in words and how many leads it brought."""

    id: int
    url: str
    name: str
    created_at: datetime
    created_by_id: int | None
    created_by_name: str | None
    last_fetched_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    consecutive_failures: int
    next_poll_at: datetime
    leads: int
    health: Health


def _select_watches() -> Select[Any]:
    leads = select(func.count()).where(Lead.watch_id == Watch.id).correlate(Watch).scalar_subquery()
    return (
        select(
            Watch.id,
            Watch.url,
            Watch.name,
            Watch.created_at,
            Watch.created_by_id,
            label_sql(Creator),
            Watch.last_fetched_at,
            Watch.last_success_at,
            Watch.last_error,
            Watch.consecutive_failures,
            Watch.next_poll_at,
            leads,
        )
        .outerjoin(Creator, Creator.id == Watch.created_by_id)
        .where(Watch.removed_at.is_(None))
    )


def _watch_row(row: Any, now: datetime) -> WatchRow:
    state = health(
        last_fetched_at=row[6],
        last_success_at=row[7],
        last_error=row[8],
        consecutive_failures=row[9],
        next_poll_at=row[10],
        now=now,
    )
    return WatchRow(*row, state)


def list_watches(connection: Connection, now: datetime) -> list[WatchRow]:
    """Every live watch, by name."""
    rows = connection.execute(_select_watches().order_by(Watch.name, Watch.id))
    return [_watch_row(row, now) for row in rows]


def read_watch(connection: Connection, watch_id: int, now: datetime) -> WatchRow:
    row = connection.execute(_select_watches().where(Watch.id == watch_id)).one_or_none()
    if row is None:
        raise NotFound(f"there is no watch {watch_id}")
    return _watch_row(row, now)


class LeadRow(NamedTuple):
    """A lead with its claim's statement and status, its watch's name and who decided it."""

    id: int
    claim_id: int
    claim_statement: str
    claim_status: str
    watch_id: int
    watch_name: str
    url: str
    title: str
    summary: str
    published_at: datetime | None
    matched_term: str
    matched_words: list[str]
    status: str
    found_at: datetime
    decided_at: datetime | None
    decided_by_id: int | None
    decided_by_name: str | None
    dismiss_reason: str | None
    evidence_id: int | None


def _select_leads() -> Select[Any]:
    return (
        select(
            Lead.id,
            Lead.claim_id,
            Claim.statement,
            Claim.status,
            Lead.watch_id,
            Watch.name,
            Lead.url,
            Lead.title,
            Lead.summary,
            Lead.published_at,
            Lead.matched_term,
            Lead.matched_words,
            Lead.status,
            Lead.found_at,
            Lead.decided_at,
            Lead.decided_by_id,
            label_sql(Decider),
            Lead.dismiss_reason,
            Lead.evidence_id,
        )
        .join(Claim, Claim.id == Lead.claim_id)
        .join(Watch, Watch.id == Lead.watch_id)
        .outerjoin(Decider, Decider.id == Lead.decided_by_id)
    )


@dataclass(frozen=True)
class LeadQuery:
    """One page of leads, newest first: filters (all must hold), size, and where it starts."""

    status: str | None = None
    claim: int | None = None
    watch: int | None = None
    limit: int = 50
    cursor: Cursor | None = None


def lead_page(connection: Connection, query: LeadQuery) -> tuple[list[LeadRow], Cursor | None]:
    """A page of leads and the cursor of the next one (None on the last page)."""
    statement = _select_leads()
    if query.status:
        statement = statement.where(Lead.status == query.status)
    if query.claim:
        statement = statement.where(Lead.claim_id == query.claim)
    if query.watch:
        statement = statement.where(Lead.watch_id == query.watch)
    if query.cursor:
        statement = statement.where(
            tuple_(Lead.found_at, Lead.id) < tuple_(query.cursor.value, query.cursor.id)
        )
    rows = [
        LeadRow(*row)
        for row in connection.execute(
            statement.order_by(Lead.found_at.desc(), Lead.id.desc()).limit(query.limit + 1)
        )
    ]
    if len(rows) <= query.limit:
        return rows, None
    last = rows[query.limit - 1]
    return rows[: query.limit], Cursor(LEAD_SORT, last.found_at, last.id)


def claim_leads(connection: Connection, claim_id: int) -> list[LeadRow]:
    """Every lead of the claim: new ones first, each group newest first."""
    is_new = (Lead.status == LeadStatus.NEW.value).desc()
    statement = _select_leads().where(Lead.claim_id == claim_id)
    rows = connection.execute(statement.order_by(is_new, Lead.found_at.desc(), Lead.id.desc()))
    return [LeadRow(*row) for row in rows]


def read_lead(connection: Connection, claim_id: int, lead_id: int) -> LeadRow:
    """The claim's lead; NotFound when the claim has no such lead."""
    statement = _select_leads().where(Lead.id == lead_id, Lead.claim_id == claim_id)
    row = connection.execute(statement).one_or_none()
    if row is None:
        raise NotFound(f"claim {claim_id} has no lead {lead_id}")
    return LeadRow(*row)


def new_lead_count(connection: Connection) -> int:
    """How many leads wait for a decision."""
    statement = select(func.count()).where(Lead.status == LeadStatus.NEW.value)
    return connection.scalar(statement) or 0

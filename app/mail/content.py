"""What each digest says, for a whole batch of readers in a fixed number of queries.

The sections every reader shares (newly overdue, closing soon, resolved) depend only on the
range a digest covers, and readers due at the same moment share it: they are read once per
range and pass (three queries, each cut to what a digest shows, with the full count), then
reused for every reader of that range. "Assigned to you" and "new leads on your claims" are
one query each per batch of readers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.accounts.unsubscribe import settings_mark
from app.claims.overdue import newly_overdue
from app.mail.new_leads import LeadItem, new_leads
from app.models import (
    OPEN_STATUSES,
    RESOLUTIONS,
    Claim,
    ClaimEvent,
    ClaimStatus,
    DigestDelivery,
    EventKind,
    User,
)

CLOSING_AHEAD = timedelta(days=7)
# A newsroom reads a digest, not a database dump: longer sections end with "and N more".
SECTION_LIMIT = 50
OPEN = tuple(sorted(s.value for s in OPEN_STATUSES))
RESOLVED = tuple(sorted(s.value for s in RESOLUTIONS))


@dataclass(frozen=True)
class DigestItem:
    """One claim as a digest line."""

    claim_id: int
    statement: str
    subject: str
    status: str
    window_end: datetime
    at: datetime | None = None


@dataclass(frozen=True)
class Section:
    items: tuple[DigestItem, ...] | tuple[LeadItem, ...]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def section(items: Sequence[DigestItem] | Sequence[LeadItem]) -> Section:
    return Section(tuple(items[:SECTION_LIMIT]), len(items))


@dataclass(frozen=True)
class Reader:
    """Who a digest is for and the range it covers (from an outbox row, or a preview)."""

    delivery_id: int | None
    user_id: int
    email: str
    name: str
    timezone: str
    message_id: str
    period: str
    since: datetime
    until: datetime
    # The reader's digest settings when the digest is made: its unsubscribe link is good only
    # while they stay so (app.accounts.unsubscribe).
    unsubscribe_mark: str = ""


@dataclass(frozen=True)
class DigestContent:
    """Everything one reader's digest for one period shows."""

    reader: Reader
    overdue: Section
    closing: Section
    resolved: Section
    assigned: Section
    leads: Section

    # The reader's fields, read through (templates and the sender use them).
    delivery_id = property(lambda self: self.reader.delivery_id)
    user_id = property(lambda self: self.reader.user_id)
    email = property(lambda self: self.reader.email)
    name = property(lambda self: self.reader.name)
    timezone = property(lambda self: self.reader.timezone)
    message_id = property(lambda self: self.reader.message_id)
    period = property(lambda self: self.reader.period)
    since = property(lambda self: self.reader.since)
    until = property(lambda self: self.reader.until)

    @property
    def is_empty(self) -> bool:
        return not (
            self.overdue.total
            or self.closing.total
            or self.resolved.total
            or self.assigned.total
            or self.leads.total
        )


_ITEM_COLUMNS = (Claim.id, Claim.statement, Claim.subject, Claim.status, Claim.window_end)


def _limited(session: Session, query: Select) -> Section:
    """The first SECTION_LIMIT rows of `query` and how many there are, in one round trip."""
    rows = session.execute(query.add_columns(func.count().over()).limit(SECTION_LIMIT)).all()
    return Section(tuple(DigestItem(*row[:-1]) for row in rows), rows[0][-1] if rows else 0)


def _with_event(
    kind: EventKind, statuses: Iterable[str], since: datetime, until: datetime
) -> Select:
    """Claims now in `statuses` with a `kind` event in [since, until), latest event first."""
    at = func.max(ClaimEvent.at).label("at")
    return (
        select(*_ITEM_COLUMNS, at)
        .join(ClaimEvent, ClaimEvent.claim_id == Claim.id)
        .where(
            ClaimEvent.kind == kind.value,
            ClaimEvent.at >= since,
            ClaimEvent.at < until,
            Claim.status.in_(list(statuses)),
        )
        .group_by(*_ITEM_COLUMNS)
        .order_by(at.desc(), Claim.id.desc())
    )


def shared_sections(
    session: Session, since: datetime, until: datetime
) -> tuple[Section, Section, Section]:
    """Newly overdue, closing in the next 7 days, and resolved, for one range: three queries."""
    flagged, flagged_total = newly_overdue(session, until, since, SECTION_LIMIT)
    overdue = Section(
        tuple(
            DigestItem(c.id, c.statement, c.subject, c.status, c.window_end, c.flagged_at)
            for c in flagged
        ),
        flagged_total,
    )
    closing = _limited(
        session,
        select(*_ITEM_COLUMNS)
        .where(
            Claim.status == ClaimStatus.PENDING.value,
            Claim.window_end >= until,
            Claim.window_end < until + CLOSING_AHEAD,
        )
        .order_by(Claim.window_end, Claim.id),
    )
    resolved = _limited(session, _with_event(EventKind.RESOLVED, RESOLVED, since, until))
    return overdue, closing, resolved


@dataclass
class SectionCache:
    """Shared sections per range, kept for one pass so each range is read once."""

    by_range: dict[tuple[datetime, datetime], tuple[Section, Section, Section]] = field(
        default_factory=dict
    )

    def get(self, session: Session, since: datetime, until: datetime) -> tuple:
        key = (since, until)
        if key not in self.by_range:
            self.by_range[key] = shared_sections(session, since, until)
        return self.by_range[key]


def readers_of(session: Session, delivery_ids: Sequence[int]) -> list[Reader]:
    """The claimed outbox rows with their readers, in one query."""
    rows = session.execute(
        select(
            DigestDelivery.id,
            User.id,
            User.email,
            User.name,
            User.timezone,
            DigestDelivery.message_id,
            DigestDelivery.period,
            DigestDelivery.since,
            DigestDelivery.period_start,
            User.digest_frequency,
            User.digest_hour,
        )
        .join(User, User.id == DigestDelivery.user_id)
        .where(DigestDelivery.id.in_(list(delivery_ids)))
        .order_by(DigestDelivery.id)
    ).all()
    return [
        Reader(*row[:-2], unsubscribe_mark=settings_mark(row[-2], row[-1], row.timezone))
        for row in rows
    ]


def _assigned(session: Session, user_ids: set[int]) -> dict[int, list[DigestItem]]:
    """Open claims assigned to each of the readers, by window end: one query."""
    found: dict[int, list[DigestItem]] = defaultdict(list)
    for assignee_id, *row in session.execute(
        select(Claim.assignee_id, *_ITEM_COLUMNS)
        .where(Claim.assignee_id.in_(user_ids), Claim.status.in_(OPEN))
        .order_by(Claim.window_end, Claim.id)
    ):
        found[assignee_id].append(DigestItem(*row))
    return found


def build_digests(
    session: Session, readers: Sequence[Reader], cache: SectionCache | None = None
) -> list[DigestContent]:
    """The content of every reader's digest: two queries for the batch, plus three per new
    range."""
    if not readers:
        return []
    cache = cache if cache is not None else SectionCache()
    assigned = _assigned(session, {r.user_id for r in readers})
    leads = new_leads(session, readers)
    contents = []
    for reader in readers:
        overdue, closing, resolved = cache.get(session, reader.since, reader.until)
        contents.append(
            DigestContent(
                reader,
                overdue,
                closing,
                resolved,
                section(assigned.get(reader.user_id, [])),
                section(leads.get(reader.user_id, [])),
            )
        )
    return contents

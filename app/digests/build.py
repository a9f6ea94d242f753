"""What each digest says, for a whole batch of readers in a fixed number of queries.

The sections every reader shares (newly overdue, closing soon, resolved) are read once per
batch over the union of the readers' ranges and cut per range in memory; only "assigned to
you" is per reader, and it is one query for the whole batch too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Claim, ClaimEvent, ClaimStatus, DigestDelivery, EventKind, User

CLOSING_AHEAD = timedelta(days=7)
# A newsroom reads a digest, not a database dump: longer sections end with "and N more".
SECTION_LIMIT = 50
OPEN = (ClaimStatus.PENDING.value, ClaimStatus.OVERDUE.value)


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
    items: tuple[DigestItem, ...]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def section(items: Sequence[DigestItem]) -> Section:
    return Section(tuple(items[:SECTION_LIMIT]), len(items))


@dataclass(frozen=True)
class DigestContent:
    """Everything one reader's digest for one period shows."""

    delivery_id: int | None
    user_id: int
    email: str
    name: str
    timezone: str
    message_id: str
    since: datetime
    until: datetime
    overdue: Section
    closing: Section
    resolved: Section
    assigned: Section
    period: str = ""

    @property
    def is_empty(self) -> bool:
        return not (
            self.overdue.total or self.closing.total or self.resolved.total or self.assigned.total
        )


_ITEM_COLUMNS = (Claim.id, Claim.statement, Claim.subject, Claim.status, Claim.window_end)


def _events_in(
    session: Session, kind: EventKind, statuses: Iterable[str], since: datetime, until: datetime
) -> list[DigestItem]:
    """Claims with a `kind` event in [since, until) and now in one of `statuses`, newest first."""
    rows = session.execute(
        select(*_ITEM_COLUMNS, ClaimEvent.at)
        .join(Claim, Claim.id == ClaimEvent.claim_id)
        .where(
            ClaimEvent.kind == kind.value,
            ClaimEvent.at >= since,
            ClaimEvent.at < until,
            Claim.status.in_(list(statuses)),
        )
        .order_by(ClaimEvent.at.desc(), ClaimEvent.id.desc())
    ).all()
    return [DigestItem(*row) for row in rows]


def _latest_per_claim(items: Iterable[DigestItem], since: datetime, until: datetime) -> list:
    seen: set[int] = set()
    kept = []
    for item in items:
        if since <= item.at < until and item.claim_id not in seen:
            seen.add(item.claim_id)
            kept.append(item)
    return kept


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
        )
        .join(User, User.id == DigestDelivery.user_id)
        .where(DigestDelivery.id.in_(list(delivery_ids)))
        .order_by(DigestDelivery.id)
    ).all()
    return [Reader(*row) for row in rows]


def build_digests(session: Session, readers: Sequence[Reader]) -> list[DigestContent]:
    """The content of every reader's digest: four queries for the batch, whatever its size."""
    if not readers:
        return []
    earliest = min(r.since for r in readers)
    latest = max(r.until for r in readers)
    resolutions = [s.value for s in ClaimStatus if s.is_resolution]
    flagged = _events_in(
        session, EventKind.FLAGGED_OVERDUE, [ClaimStatus.OVERDUE], earliest, latest
    )
    resolved = _events_in(session, EventKind.RESOLVED, resolutions, earliest, latest)
    closing_rows = session.execute(
        select(*_ITEM_COLUMNS)
        .where(
            Claim.status == ClaimStatus.PENDING.value,
            Claim.window_end >= min(r.until for r in readers),
            Claim.window_end < latest + CLOSING_AHEAD,
        )
        .order_by(Claim.window_end, Claim.id)
    ).all()
    closing = [DigestItem(*row) for row in closing_rows]
    assigned: dict[int, list[DigestItem]] = defaultdict(list)
    for assignee_id, *row in session.execute(
        select(Claim.assignee_id, *_ITEM_COLUMNS)
        .where(Claim.assignee_id.in_({r.user_id for r in readers}), Claim.status.in_(OPEN))
        .order_by(Claim.window_end, Claim.id)
    ):
        assigned[assignee_id].append(DigestItem(*row))

    # Readers in the same zone share a range; their shared sections are cut once.
    shared: dict[tuple[datetime, datetime], tuple[Section, Section, Section]] = {}
    contents = []
    for reader in readers:
        span = (reader.since, reader.until)
        if span not in shared:
            until = reader.until
            shared[span] = (
                section(_latest_per_claim(flagged, reader.since, until)),
                section([c for c in closing if until <= c.window_end < until + CLOSING_AHEAD]),
                section(_latest_per_claim(resolved, reader.since, until)),
            )
        overdue, closing_soon, resolved_section = shared[span]
        contents.append(
            DigestContent(
                delivery_id=reader.delivery_id,
                user_id=reader.user_id,
                email=reader.email,
                name=reader.name,
                timezone=reader.timezone,
                message_id=reader.message_id,
                since=reader.since,
                until=reader.until,
                overdue=overdue,
                closing=closing_soon,
                resolved=resolved_section,
                assigned=section(assigned.get(reader.user_id, [])),
                period=reader.period,
            )
        )
    return contents

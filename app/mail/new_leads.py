"""The digest's "new leads on your claims": leads found in the digest's range, still waiting
for a decision, on the open claims assigned to the reader. One query per batch of readers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import OPEN_STATUSES, Claim, Lead, LeadStatus, Watch

OPEN = tuple(sorted(s.value for s in OPEN_STATUSES))


@dataclass(frozen=True)
class LeadItem:
    """One lead as a digest line: the entry, its feed, and the claim it may settle."""

    claim_id: int
    statement: str
    title: str
    url: str
    watch: str
    at: datetime


class Ranged(Protocol):
    user_id: int
    since: datetime
    until: datetime


def new_leads(session: Session, readers: Sequence[Ranged]) -> dict[int, list[LeadItem]]:
    """Each reader's new leads found in [since, until), newest first."""
    if not readers:
        return {}
    rows = session.execute(
        select(
            Claim.assignee_id,
            Lead.claim_id,
            Claim.statement,
            Lead.title,
            Lead.url,
            Watch.name,
            Lead.found_at,
        )
        .join(Claim, Claim.id == Lead.claim_id)
        .join(Watch, Watch.id == Lead.watch_id)
        .where(
            Claim.assignee_id.in_({reader.user_id for reader in readers}),
            Claim.status.in_(OPEN),
            Lead.status == LeadStatus.NEW.value,
            Lead.found_at >= min(reader.since for reader in readers),
            Lead.found_at < max(reader.until for reader in readers),
        )
        .order_by(Lead.found_at.desc(), Lead.id.desc())
    ).all()
    by_user: dict[int, list[LeadItem]] = defaultdict(list)
    for assignee_id, *item in rows:
        by_user[assignee_id].append(LeadItem(*item))
    found: dict[int, list[LeadItem]] = {}
    for reader in readers:
        found[reader.user_id] = [
            item
            for item in by_user.get(reader.user_id, [])
            if reader.since <= item.at < reader.until
        ]
    return found

"""Every claim with its tags, evidence and events, read in id order a batch at a time.

Both exports are built from these records, so the CSV and the JSON Lines file agree. Reading
by id ranges (keyset) keeps memory flat however many claims there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select, union
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from app.claims.events import wire_value
from app.models import Claim, ClaimEvent, ClaimTag, Evidence, Source, User

BATCH_SIZE = 1000
CLAIMS = Claim.__table__
EVIDENCE = Evidence.__table__
EVENTS = ClaimEvent.__table__
TAGS = ClaimTag.__table__


def claim_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(CLAIMS)) or 0


def referenced_user_ids(session: Session) -> set[int]:
    """Ids of the users any claim, evidence item or event points to."""
    columns = (
        CLAIMS.c.assignee_id,
        CLAIMS.c.created_by_id,
        CLAIMS.c.resolved_by_id,
        EVIDENCE.c.added_by_id,
        EVIDENCE.c.withdrawn_by_id,
        EVENTS.c.actor_id,
    )
    query = union(*(select(column.label("id")).where(column.is_not(None)) for column in columns))
    return set(session.scalars(select(query.subquery().c.id)))


def user_records(session: Session, ids: set[int]) -> list[dict[str, Any]]:
    """The referenced users, by email: what a restore needs, never a password hash or token."""
    users = (
        session.scalars(select(User).where(User.id.in_(ids)).order_by(User.email)) if ids else []
    )
    return [
        {
            "type": "user",
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "timezone": user.timezone,
        }
        for user in users
    ]


def source_records(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "type": "source",
            "id": source.id,
            "name": source.name,
            "url": source.url,
            "created_at": wire_value(source.created_at),
        }
        for source in session.scalars(select(Source).order_by(Source.id))
    ]


def _grouped(session: Session, table: Any, ids: Sequence[int], order: Any) -> dict[int, list]:
    groups: dict[int, list[RowMapping]] = defaultdict(list)
    query = select(table).where(table.c.claim_id.in_(ids)).order_by(table.c.claim_id, order)
    for row in session.execute(query).mappings():
        groups[row["claim_id"]].append(row)
    return groups


def iter_claim_records(session: Session, batch_size: int = BATCH_SIZE) -> Iterator[dict[str, Any]]:
    """One complete record per claim, oldest id first."""
    emails: dict[int | None, str | None] = {None: None}
    emails.update(session.execute(select(User.id, User.email)).tuples().all())
    sources = {s.id: s for s in session.scalars(select(Source))}
    last_id = 0
    while True:
        query = select(CLAIMS).where(CLAIMS.c.id > last_id).order_by(CLAIMS.c.id).limit(batch_size)
        claims = session.execute(query).mappings().all()
        if not claims:
            return
        ids = [row["id"] for row in claims]
        tags = _grouped(session, TAGS, ids, TAGS.c.tag)
        evidence = _grouped(session, EVIDENCE, ids, EVIDENCE.c.id)
        events = _grouped(session, EVENTS, ids, EVENTS.c.id)
        for row in claims:
            source = sources.get(row["source_id"])
            yield {
                "type": "claim",
                "id": row["id"],
                "version": row["version"],
                "statement": row["statement"],
                "subject": row["subject"],
                "details": row["details"],
                "tags": [tag["tag"] for tag in tags[row["id"]]],
                "watch_terms": list(row["watch_terms"]),
                "claimant": row["claimant"],
                "source": (
                    {"id": source.id, "name": source.name, "url": source.url} if source else None
                ),
                "first_seen_url": row["first_seen_url"],
                "claimed_on": wire_value(row["claimed_on"]),
                "window_start": wire_value(row["window_start"]),
                "window_end": wire_value(row["window_end"]),
                "status": row["status"],
                "flagged_at": wire_value(row["flagged_at"]),
                "extensions": row["extensions"],
                "assignee": emails[row["assignee_id"]],
                "resolution_note": row["resolution_note"],
                "known_at": wire_value(row["known_at"]),
                "resolved_at": wire_value(row["resolved_at"]),
                "resolved_by": emails[row["resolved_by_id"]],
                "created_at": wire_value(row["created_at"]),
                "created_by": emails[row["created_by_id"]],
                "updated_at": wire_value(row["updated_at"]),
                "evidence": [_evidence(item, emails) for item in evidence[row["id"]]],
                "events": [_event(event, emails) for event in events[row["id"]]],
            }
        last_id = ids[-1]


def _evidence(row: RowMapping, emails: dict[int | None, str | None]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "url": row["url"],
        "title": row["title"],
        "publisher": row["publisher"],
        "published_on": wire_value(row["published_on"]),
        "stance": row["stance"],
        "note": row["note"],
        "added_by": emails[row["added_by_id"]],
        "added_at": wire_value(row["added_at"]),
        "withdrawn_at": wire_value(row["withdrawn_at"]),
        "withdrawn_by": emails[row["withdrawn_by_id"]],
        "withdrawn_reason": row["withdrawn_reason"],
    }


def _event(row: RowMapping, emails: dict[int | None, str | None]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "at": wire_value(row["at"]),
        "actor": emails[row["actor_id"]],
        "data": row["data"],
    }

"""Polling watches: claiming the due ones, remembering entries, and recording each answer
(the feed's health and its validators for the next conditional GET).

Every state change of a watch is one conditional statement on the poller's lease, so two
pollers never fetch the same feed at once and one whose lease lapsed cannot overwrite the
work of the one that took over. Entries and leads are kept unique by the database, so even
two pollers that fetched the same answer record each entry and each lead once.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from app.claims.policy import policy_of
from app.db import UTCDateTime, insert_ignoring_conflicts
from app.models import Watch, WatchEntry
from app.watches.entry import FeedEntry
from app.watches.leads import FoundLead, record_leads

LEASE = timedelta(minutes=10)
LONGEST_BACKOFF = timedelta(days=1)
MAX_ERROR = 1_000
_WATCHES = Watch.__table__
_ENTRIES = WatchEntry.__table__


class DueWatch(NamedTuple):
    """A watch a poller holds: where to ask, and the validators of its last answer."""

    id: int
    name: str
    url: str
    etag: str | None
    last_modified: str | None

    def conditional_headers(self) -> dict[str, str]:
        """If-None-Match / If-Modified-Since, so an unchanged feed answers 304."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


def new_lease_owner() -> str:
    return secrets.token_hex(8)


def next_poll(now: datetime, interval: timedelta) -> datetime:
    """After an answer: due again half an interval later, so a poller running every interval
    always finds it due, and a second poller (another scheduler) does not ask it twice."""
    return now + interval / 2


def backoff(failures: int, interval: timedelta) -> timedelta:
    """After `failures` failed polls in a row: 2, 4, 8 ... intervals, at most a day."""
    return min(interval * 2 ** min(failures, 20), LONGEST_BACKOFF)


def claim_due_watches(session: Session, now: datetime, owner: str, limit: int) -> list[DueWatch]:
    """Lease up to `limit` live watches that are due and held by no live poller."""
    due = (
        select(_WATCHES.c.id)
        .where(
            _WATCHES.c.removed_at.is_(None),
            _WATCHES.c.next_poll_at <= now,
            or_(_WATCHES.c.lease_until.is_(None), _WATCHES.c.lease_until <= now),
        )
        .order_by(_WATCHES.c.next_poll_at, _WATCHES.c.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)  # another poller's rows: skipped
    rows = session.execute(
        update(_WATCHES)
        .where(_WATCHES.c.id.in_(due.scalar_subquery()))
        .values(lease_owner=owner, lease_until=now + LEASE)
        .returning(
            _WATCHES.c.id,
            _WATCHES.c.name,
            _WATCHES.c.url,
            _WATCHES.c.etag,
            _WATCHES.c.last_modified,
        )
    ).all()
    return sorted((DueWatch(*row) for row in rows), key=lambda watch: watch.id)


# One statement per state change, built once: the 304 of an unchanged feed is the common
# answer, and its cost is mostly this statement (see docs/benchmarks.md, watches).
_HELD = (_WATCHES.c.id == bindparam("watch_id")) & (_WATCHES.c.lease_owner == bindparam("owner"))
_NOW = bindparam("now", type_=UTCDateTime())
_SUCCEEDED = (
    update(_WATCHES)
    .where(_HELD)
    .values(
        last_fetched_at=_NOW,
        last_success_at=_NOW,
        last_error=None,
        consecutive_failures=0,
        next_poll_at=bindparam("next_poll_at", type_=UTCDateTime()),
        lease_owner=None,
        lease_until=None,
    )
)
_WITH_VALIDATORS = _SUCCEEDED.values(etag=bindparam("etag"), last_modified=bindparam("modified"))
_FAILED = (
    update(_WATCHES)
    .where(_HELD)
    .values(
        last_fetched_at=_NOW,
        last_error=bindparam("error"),
        consecutive_failures=_WATCHES.c.consecutive_failures + 1,
        next_poll_at=bindparam("next_poll_at", type_=UTCDateTime()),
        lease_owner=None,
        lease_until=None,
    )
    .returning(_WATCHES.c.consecutive_failures)
)


def record_unchanged(
    session: Session, answered: Sequence[tuple[DueWatch, datetime]], owner: str
) -> None:
    """These feeds answered 304 (each at its instant): healthy, nothing new. One statement for
    all of them (executed as a batch); a watch whose lease was lost is left as it is."""
    if not answered:
        return
    interval = policy_of(session).watch_interval
    params = [
        {"watch_id": watch.id, "owner": owner, "now": at, "next_poll_at": next_poll(at, interval)}
        for watch, at in answered
    ]
    session.connection().execute(_SUCCEEDED, params)


def record_failure(
    session: Session, watch: DueWatch, owner: str, now: datetime, error: str
) -> int | None:
    """The poll failed: the reason kept, the next poll backed off. Returns the failures in a
    row, None when the lease was lost."""
    interval = policy_of(session).watch_interval
    failures = session.scalar(
        select(_WATCHES.c.consecutive_failures).where(_WATCHES.c.id == watch.id)
    )
    count = (failures or 0) + 1
    params = {
        "watch_id": watch.id,
        "owner": owner,
        "now": now,
        "error": error[:MAX_ERROR],
        "next_poll_at": now + backoff(count, interval),
    }
    return session.connection().execute(_FAILED, params).scalar_one_or_none()


def record_entries(
    session: Session,
    watch: DueWatch,
    owner: str,
    now: datetime,
    entries: Sequence[FeedEntry],
    etag: str | None,
    last_modified: str | None,
) -> list[FoundLead]:
    """The feed answered with `entries`: those new to this watch are matched and become
    leads; the answer's validators are kept for the next poll. Returns the new leads."""
    new = remember_entries(session, watch.id, entries, now)
    found = record_leads(session, watch.id, watch.name, new, now)
    params = {
        "watch_id": watch.id,
        "owner": owner,
        "now": now,
        "next_poll_at": next_poll(now, policy_of(session).watch_interval),
        "etag": (etag or None) if etag and len(etag) <= 512 else None,
        "modified": last_modified if last_modified and len(last_modified) <= 100 else None,
    }
    session.connection().execute(_WITH_VALIDATORS, params)
    return found


def remember_entries(
    session: Session, watch_id: int, entries: Sequence[FeedEntry], now: datetime
) -> list[FeedEntry]:
    """The entries this watch has not seen before, now remembered as seen. An entry another
    poller remembered first is not new here (its insert is skipped, and not returned)."""
    by_key = {entry.key: entry for entry in entries}
    if not by_key:
        return []
    dialect = session.get_bind().dialect.name
    keys = list(by_key)
    new: set[str] = set()
    for start in range(0, len(keys), 1_000):
        rows = [
            {"watch_id": watch_id, "entry_key": key, "seen_at": now}
            for key in keys[start : start + 1_000]
        ]
        statement = insert_ignoring_conflicts(_ENTRIES, dialect, "watch_id", "entry_key")
        new.update(session.scalars(statement.values(rows).returning(_ENTRIES.c.entry_key)))
    return [entry for key, entry in by_key.items() if key in new]

"""The outbox: creating due rows, claiming them with a lease, and recording each attempt.

Every state change is one conditional statement, so two senders never take the same row and
a sender whose lease has lapsed cannot overwrite the work of the one that took over.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from email.utils import make_msgid

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from app.db import UTCDateTime, insert_ignoring_conflicts
from app.mail.periods import latest_due_period
from app.models import DigestDelivery, DigestFrequency, User

MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 1, 2, 4 ... minutes after each failed attempt, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def enqueue_due_digests(session: Session, now: datetime, message_domain: str) -> int:
    """Create the outbox row of every reader whose latest period is due and has none yet.

    Two queries (readers; existing rows for the few candidate periods) and one insert that
    ignores rows another sender created meanwhile. Returns how many rows were attempted.
    """
    readers = session.execute(
        select(User.id, User.digest_frequency, User.timezone, User.digest_hour).where(
            User.active.is_(True), User.digest_frequency != DigestFrequency.OFF.value
        )
    ).all()
    due = {}
    for user_id, frequency, timezone, hour in readers:
        period = latest_due_period(frequency, timezone, hour, now)
        if period is not None:
            due[(user_id, period.key)] = period
    if not due:
        return 0
    keys = {key for _user, key in due}
    existing = session.execute(
        select(DigestDelivery.user_id, DigestDelivery.period).where(DigestDelivery.period.in_(keys))
    ).all()
    for pair in existing:
        due.pop(tuple(pair), None)
    if not due:
        return 0
    rows = [
        {
            "user_id": user_id,
            "period": key,
            "period_start": period.start,
            "since": period.since,
            "status": "pending",
            "message_id": make_msgid("digest", domain=message_domain),
            "attempts": 0,
            "next_attempt_at": period.start,
            "created_at": now,
        }
        for (user_id, key), period in due.items()
    ]
    # Another sender may have inserted a (user, period) since we looked: that row stands.
    dialect = session.get_bind().dialect.name
    session.execute(insert_ignoring_conflicts(DigestDelivery.__table__, dialect), rows)
    session.flush()
    return len(rows)


def new_lease_owner() -> str:
    return secrets.token_hex(8)


def claim_batch(
    session: Session, now: datetime, owner: str, lease: timedelta, limit: int
) -> dict[int, int]:
    """Lease up to `limit` due rows no live sender holds; their ids with attempts so far."""
    claimable = (
        select(DigestDelivery.id)
        .where(
            DigestDelivery.status == "pending",
            DigestDelivery.next_attempt_at <= now,
            or_(DigestDelivery.lease_until.is_(None), DigestDelivery.lease_until <= now),
        )
        .order_by(DigestDelivery.next_attempt_at, DigestDelivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Rows another sender is claiming right now are skipped, not waited for.
        claimable = claimable.with_for_update(skip_locked=True)
    result = session.execute(
        update(DigestDelivery)
        .where(DigestDelivery.id.in_(claimable.scalar_subquery()))
        .values(
            lease_owner=owner,
            lease_until=now + lease,
            attempts=DigestDelivery.attempts + 1,
        )
        .returning(DigestDelivery.id, DigestDelivery.attempts)
        .execution_options(synchronize_session=False)
    )
    return dict(sorted(result.tuples().all()))


_TABLE = DigestDelivery.__table__

# Core statements, built once: marking a row runs once per digest, and the ORM's bulk-update
# machinery cost as much as the round trip itself (see the digests benchmark).
_MARK_SENT = (
    update(_TABLE)
    .where(
        _TABLE.c.id == bindparam("delivery_id"),
        _TABLE.c.lease_owner == bindparam("owner"),
        _TABLE.c.status == "pending",
    )
    .values(
        status="sent",
        sent_at=bindparam("now", type_=UTCDateTime()),
        last_error=None,
        lease_owner=None,
        lease_until=None,
    )
)


def _finish(session: Session, delivery_id: int, owner: str, **values: object) -> bool:
    """Close this sender's attempt on the row, if it still holds the lease."""
    result = session.execute(
        update(DigestDelivery)
        .where(
            DigestDelivery.id == delivery_id,
            DigestDelivery.lease_owner == owner,
            DigestDelivery.status == "pending",
        )
        .values(lease_owner=None, lease_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def mark_sent(session: Session, delivery_id: int, owner: str, now: datetime) -> bool:
    """Record that the server accepted the message (call right after it did, then commit)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # This commit happens once per email, between two SMTP exchanges; waiting for its WAL
        # flush was most of the time per digest (docs/benchmarks.md). Without the wait, a crash
        # of the *sender* still loses nothing (PostgreSQL has the commit); a crash of the
        # *database server* can forget the last fraction of a second of marks, and those
        # digests are sent again, with the same Message-ID.
        connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
    result = connection.execute(
        _MARK_SENT, {"delivery_id": delivery_id, "owner": owner, "now": now}
    )
    return result.rowcount == 1


def mark_skipped(session: Session, delivery_id: int, owner: str, now: datetime) -> bool:
    """Nothing to say this period (DIGEST_SKIP_EMPTY): done, without an email."""
    return _finish(session, delivery_id, owner, status="skipped", sent_at=None)


def mark_failed(session: Session, delivery_id: int, owner: str, error: str) -> bool:
    return _finish(session, delivery_id, owner, status="failed", last_error=error[:2000])


def mark_retry(
    session: Session, delivery_id: int, owner: str, now: datetime, attempts: int, error: str
) -> bool:
    """A temporary failure: try again after the backoff, or give up (visibly) after the last."""
    if attempts >= MAX_ATTEMPTS:
        return mark_failed(
            session, delivery_id, owner, f"gave up after {attempts} attempts: {error}"
        )
    return _finish(
        session,
        delivery_id,
        owner,
        next_attempt_at=now + retry_delay(attempts),
        last_error=error[:2000],
    )

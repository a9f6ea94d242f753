"""The overdue sweep: flag every pending claim whose window (plus grace) has passed, once.

One set-based statement per batch. On PostgreSQL the flip and the event insert are a single
statement (`WITH ... UPDATE ... RETURNING` feeding `INSERT ... SELECT`), and `FOR UPDATE SKIP
LOCKED` lets two sweeps run at once without waiting for or double-flagging each other's
claims. On SQLite the write lock serialises sweeps, and the `status = 'pending'` condition is
re-checked under it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from app.db import UTCDateTime

_POSTGRES = text(
    """
    WITH due AS (
        SELECT id FROM claims
        WHERE status = 'pending' AND window_end < :cutoff
        ORDER BY window_end
        LIMIT :batch
        FOR UPDATE SKIP LOCKED
    ), flipped AS (
        UPDATE claims AS c
        SET status = 'overdue', flagged_at = :now, updated_at = :now, version = c.version + 1
        FROM due
        WHERE c.id = due.id AND c.status = 'pending'
        RETURNING c.id, c.window_end
    )
    INSERT INTO claim_events (claim_id, kind, at, actor_id, data)
    SELECT id, 'flagged_overdue', :now, NULL,
           json_build_object(
               'window_end',
               to_char(window_end AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
           )
    FROM flipped
    """
).bindparams(bindparam("cutoff", type_=UTCDateTime()), bindparam("now", type_=UTCDateTime()))

_SQLITE_FLIP = text(
    """
    UPDATE claims
    SET status = 'overdue', flagged_at = :now, updated_at = :now, version = version + 1
    WHERE id IN (
        SELECT id FROM claims
        WHERE status = 'pending' AND window_end < :cutoff
        ORDER BY window_end
        LIMIT :batch
    ) AND status = 'pending'
    RETURNING id
    """
).bindparams(bindparam("cutoff", type_=UTCDateTime()), bindparam("now", type_=UTCDateTime()))

_SQLITE_EVENTS = text(
    """
    INSERT INTO claim_events (claim_id, kind, at, actor_id, data)
    SELECT id, 'flagged_overdue', :now, NULL,
           json_object('window_end', strftime('%Y-%m-%dT%H:%M:%SZ', window_end))
    FROM claims
    WHERE id IN (SELECT value FROM json_each(:ids))
    """
).bindparams(bindparam("now", type_=UTCDateTime()))


def flag_overdue_batch(
    session: Session, now: datetime, grace: timedelta = timedelta(0), batch: int = 5_000
) -> int:
    """Flip at most `batch` due claims to overdue with one event each; returns how many."""
    cutoff = now - grace
    params = {"cutoff": cutoff, "now": now, "batch": batch}
    if session.get_bind().dialect.name == "postgresql":
        return session.execute(_POSTGRES, params).rowcount or 0
    ids = session.scalars(_SQLITE_FLIP, params).all()
    if ids:
        session.execute(_SQLITE_EVENTS, {"now": now, "ids": json.dumps(ids)})
    return len(ids)


def flag_overdue_claims(
    session: Session, now: datetime, grace: timedelta = timedelta(0), batch: int = 5_000
) -> int:
    """Flag every due claim, committing after each batch to bound the transaction; returns
    the total flagged. A sweep is a job, not part of a caller's unit of work: it commits."""
    total = 0
    while True:
        flagged = flag_overdue_batch(session, now, grace, batch)
        session.commit()
        session.expire_all()  # loaded claims now have a new status and version
        total += flagged
        if flagged < batch:
            return total

"""The overdue sweep: flag every pending claim whose window (plus grace) has passed, once.

One set-based statement per batch, found through the partial index
`ix_claims_pending_window_end`, so the cost follows the due claims, not the table.

PostgreSQL: the flip and the event insert are one statement (`WITH ... UPDATE ... RETURNING`
feeding `INSERT ... SELECT`). `FOR UPDATE SKIP LOCKED` lets two sweeps run at once: each takes
the due claims the other has not locked, and the row lock re-checks `status = 'pending'`
against the latest committed version, so a claim flipped by one is neither flipped nor evented
by the other. A claim locked by someone else (a reviewer resolving it right now) is left to the
next sweep. The UPDATE finds the locked rows by `ctid` (stable while we hold their lock): joined
by id instead, the planner, which cannot know that "pending and past" is rare, may hash-join
against every pending claim (seen on 1,000,000 claims: 21,000 pages read to flip 10,000).

SQLite: no data-modifying CTEs, so the flip is one `UPDATE ... RETURNING` and the events are one
`INSERT ... SELECT` over the returned rows, in the same transaction. The UPDATE takes SQLite's
single write lock before it reads, so a second sweep waits (busy_timeout) and then sees the
claims already flipped; no status re-check is needed in the outer WHERE (none could change
within the statement), and without one SQLite looks the rows up by rowid instead of walking
every pending claim.

Both paths bump `version` (a sweep is a change like any other: a reviewer's form opened before
the flip gets a 412, not a silent overwrite) and write `data = {"window_end": <RFC 3339 Z>}`,
formatted exactly like `app.claims.events.wire_value`.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import Integer, bindparam, column, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from app.claims.events import wire_value
from app.claims.sqlfuncs import rfc3339
from app.db import UTCDateTime
from app.models import Claim

DEFAULT_BATCH = 5_000

# The window end as events keep it (`wire_value`): the API's RFC 3339 form, written by SQL.
_PG_WIRE_WINDOW_END = str(rfc3339(column("window_end")).compile(dialect=postgresql.dialect()))

_POSTGRES = text(
    f"""
    WITH due AS (
        SELECT ctid FROM claims
        WHERE status = 'pending' AND window_end < :cutoff
        ORDER BY window_end
        LIMIT :batch
        FOR UPDATE SKIP LOCKED
    ), flipped AS (
        UPDATE claims AS c
        SET status = 'overdue', flagged_at = :now, updated_at = :now, version = c.version + 1
        WHERE c.ctid = ANY(ARRAY(SELECT ctid FROM due)) AND c.status = 'pending'
        RETURNING c.id, c.window_end
    )
    INSERT INTO claim_events (claim_id, kind, at, actor_id, data)
    SELECT id, 'flagged_overdue', :now, NULL, json_build_object('window_end', {_PG_WIRE_WINDOW_END})
    FROM flipped
    """
).bindparams(bindparam("cutoff", type_=UTCDateTime()), bindparam("now", type_=UTCDateTime()))

_SQLITE_FLIP = (
    text(
        """
        UPDATE claims
        SET status = 'overdue', flagged_at = :now, updated_at = :now, version = version + 1
        WHERE id IN (
            SELECT id FROM claims
            WHERE status = 'pending' AND window_end < :cutoff
            ORDER BY window_end
            LIMIT :batch
        )
        RETURNING id, window_end
        """
    )
    .bindparams(bindparam("cutoff", type_=UTCDateTime()), bindparam("now", type_=UTCDateTime()))
    .columns(id=Integer(), window_end=UTCDateTime())
)

_SQLITE_EVENTS = text(
    """
    INSERT INTO claim_events (claim_id, kind, at, actor_id, data)
    SELECT json_extract(value, '$[0]'), 'flagged_overdue', :now, NULL,
           json_object('window_end', json_extract(value, '$[1]'))
    FROM json_each(:flipped)
    """
).bindparams(bindparam("now", type_=UTCDateTime()))


def flag_overdue_batch(
    session: Session, now: datetime, *, grace: timedelta = timedelta(0), batch: int = DEFAULT_BATCH
) -> int:
    """Flip at most `batch` due claims to overdue with one event each; returns how many.

    Flushes first and does not commit. Claims already loaded in `session` are expired, since
    their status and version changed behind the ORM's back.
    """
    session.flush()
    params = {"cutoff": now - grace, "now": now, "batch": batch}
    if session.get_bind().dialect.name == "postgresql":
        flagged = session.execute(_POSTGRES, params).rowcount
    else:
        rows = session.execute(_SQLITE_FLIP, params).all()
        if rows:
            pairs = [[claim_id, wire_value(window_end)] for claim_id, window_end in rows]
            session.execute(_SQLITE_EVENTS, {"now": now, "flipped": json.dumps(pairs)})
        flagged = len(rows)
    if flagged:
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Claim):
                session.expire(obj)
    return flagged


def flag_overdue_claims(
    session: Session, now: datetime, *, grace: timedelta = timedelta(0), batch: int = DEFAULT_BATCH
) -> int:
    """Flag every pending claim with `window_end + grace < now`; returns how many.

    Unlike the other domain functions this commits, once per batch: a sweep is a job of its
    own, and batches keep a backlog of a million claims from becoming one huge transaction.
    Interfaces pass `grace=app.config["OVERDUE_GRACE"]` (see app.sweep).
    """
    total = 0
    while True:
        flagged = flag_overdue_batch(session, now, grace=grace, batch=batch)
        session.commit()
        total += flagged
        if flagged < batch:
            return total

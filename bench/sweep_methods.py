"""One measured sweep in a process of its own: `python -m bench.sweep_methods METHOD URL`.

Prints JSON: seconds (the sweep and its commits, on an already warm connection), flagged, and
the process's peak RSS in MB. The methods:
  ours     app.sweep.flag_overdue_claims (batches of 5,000, SKIP LOCKED)
  floor    one hand-written UPDATE ... RETURNING feeding INSERT, one commit: the floor
  per_row  the common way: load the due claims with the ORM, update each, add its event,
           commit each
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import timedelta

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from app.claims.events import record_event
from app.db import UTCDateTime, make_engine
from app.models import Claim, EventKind
from app.sweep import flag_overdue_claims
from bench.sweep_data import NOW

LONG_AGO = NOW - timedelta(days=365 * 50)

FLOOR = text(
    """
    WITH flipped AS (
        UPDATE claims
        SET status = 'overdue', flagged_at = :now, updated_at = :now, version = version + 1
        WHERE status = 'pending' AND window_end < :now
        RETURNING id, window_end
    )
    INSERT INTO claim_events (claim_id, kind, at, actor_id, data)
    SELECT id, 'flagged_overdue', :now, NULL, json_build_object('window_end', window_end)
    FROM flipped
    """
).bindparams(bindparam("now", type_=UTCDateTime()))


def ours(session: Session, now: object) -> int:
    return flag_overdue_claims(session, now)


def floor(session: Session, now: object) -> int:
    flagged = session.execute(FLOOR, {"now": now}).rowcount
    session.commit()
    return flagged


def per_row(session: Session, now: object) -> int:
    due = session.scalars(
        select(Claim).where(Claim.status == "pending", Claim.window_end < now)
    ).all()
    for claim in due:
        claim.status = "overdue"
        claim.flagged_at = now
        record_event(
            session, claim, EventKind.FLAGGED_OVERDUE, None, now, window_end=claim.window_end
        )
        session.commit()
    return len(due)


METHODS = {"ours": ours, "floor": floor, "per_row": per_row}


def main(method: str, url: str) -> None:
    sweep = METHODS[method]
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        sweep(session, LONG_AGO)  # warm: connection, catalog caches, plans; flags nothing
        session.commit()
        started = time.perf_counter()
        flagged = sweep(session, NOW)
        seconds = time.perf_counter() - started
    engine.dispose()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "flagged": flagged, "peak_mb": peak_mb}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

"""What `scripts/soak` seeds before the load, and what it checks in the database after it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

# Claims 1..n: a third with windows ending while the soak runs (spread over its length), so
# the sweep has work on every run; the rest pending far ahead or already resolved.
SEED_CLAIMS = """
INSERT INTO claims (statement, subject, details, claimant, first_seen_url, claimed_on,
    window_end, status, extensions, resolution_note, known_at, resolved_at, resolved_by_id,
    version, created_at, updated_at, created_by_id)
SELECT
    'Seed Corp will announce product ' || g, 'Seed Corp ' || (g % 50), '', 'Seed Corp', NULL,
    CAST(:start AS timestamptz)::date,
    CASE WHEN g % 3 = 0 THEN CAST(:start AS timestamptz) + (g % :seconds) * interval '1 second'
         ELSE CAST(:start AS timestamptz) + interval '30 days' + g * interval '1 minute' END,
    CASE WHEN g % 10 = 1 THEN 'void' ELSE 'pending' END,
    0,
    CASE WHEN g % 10 = 1 THEN 'settled' END,
    CASE WHEN g % 10 = 1 THEN CAST(:start AS timestamptz) END,
    CASE WHEN g % 10 = 1 THEN CAST(:start AS timestamptz) END,
    CASE WHEN g % 10 = 1 THEN :uid END,
    1, CAST(:start AS timestamptz), CAST(:start AS timestamptz), :uid
FROM generate_series(1, :n) AS g
"""


def seed_claims(engine: Engine, n: int, start: datetime, seconds: int) -> None:
    """Insert claims 1..n (see SEED_CLAIMS), created by the soak's reviewer."""
    with engine.begin() as conn:
        uid = conn.scalar(text("SELECT id FROM users ORDER BY id LIMIT 1"))
        conn.execute(
            text(SEED_CLAIMS),
            {"start": start, "seconds": max(1, seconds), "uid": uid, "n": n},
        )
        conn.execute(text("ANALYZE"))


@dataclass
class AckReport:
    acknowledged: dict[str, int]
    missing: list[str]


def check_acknowledged_writes(engine: Engine, acks: Path) -> AckReport:
    """Look up every acknowledged write (one line of `acks` each) in the database."""
    wanted: dict[str, set[tuple[int, str]]] = {k: set() for k in ("created", "commented", "edited")}
    for line in acks.read_text().splitlines():
        kind, claim_id, marker = line.split("\t")
        wanted[kind].add((int(claim_id), marker))
    with engine.connect() as conn:
        found = {
            "created": {
                (row.id, row.statement.rsplit(" ", 1)[-1])
                for row in conn.execute(
                    text("SELECT id, statement FROM claims WHERE statement LIKE 'Soak Corp %'")
                )
            },
            "commented": events(conn, "commented"),
            "edited": events(conn, "edited"),
        }
    missing = [
        f"{kind} {claim_id} {marker}"
        for kind, items in wanted.items()
        for claim_id, marker in sorted(items - found[kind])
    ]
    return AckReport({kind: len(items) for kind, items in wanted.items()}, missing)


def events(conn: Connection, kind: str) -> set[tuple[int, str]]:
    """(claim id, marker) of every event of `kind`: a comment's body, or the new subject of
    an edit (its data is {"changes": {field: [old, new]}})."""
    rows = conn.execute(
        text("SELECT claim_id, data FROM claim_events WHERE kind = :k"), {"k": kind}
    )
    found = set()
    for row in rows:
        data = row.data or {}
        if kind == "commented":
            value = data.get("body")
        else:
            value = (data.get("changes", {}).get("subject") or [None])[-1]
        if isinstance(value, str):
            found.add((row.claim_id, value))
    return found


@dataclass
class SweepReport:
    flagged_during_soak: int
    due_but_pending: int
    flagged_twice: int


def check_sweep(engine: Engine, start: datetime, due_before: datetime) -> SweepReport:
    """How many claims the sweep flagged since `start`; how many were due before `due_before`
    and are still pending (must be 0); how many have more than one flag (must be 0)."""
    with engine.connect() as conn:
        flagged = conn.scalar(
            text("SELECT count(*) FROM claim_events WHERE kind = 'flagged_overdue' AND at >= :s"),
            {"s": start},
        )
        pending = conn.scalar(
            text("SELECT count(*) FROM claims WHERE status = 'pending' AND window_end < :d"),
            {"d": due_before},
        )
        twice = conn.scalar(
            text(
                "SELECT count(*) FROM (SELECT claim_id FROM claim_events "
                "WHERE kind = 'flagged_overdue' GROUP BY claim_id HAVING count(*) > 1) AS t"
            )
        )
    return SweepReport(flagged or 0, pending or 0, twice or 0)

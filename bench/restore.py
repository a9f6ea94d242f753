"""Backup and restore, proven row by row: export 100,000 claims, restore them into an empty
PostgreSQL database, and compare the two databases table by table.

    scripts/bench restore [--claims 100000] [--keep]

1. Source: the database `cw_restore_source` is recreated and migrated; four users are created
   with passwords (one a viewer who wrote nothing), and an API token; the claims of
   `bench/restore_data.py` are loaded with `flask claims import`, and `flask sweep` flags
   the third of them that are due (so part of the history is written by the domain itself).
2. Backup: `flask claims export --format jsonl` of the source.
3. Restore: `cw_restore_target` is recreated and migrated (empty), and the file is loaded
   with `flask claims import`.
4. Comparison (`app/claims_io/restore_check.py`): every table the export carries, both
   databases streamed in key order side by side; row counts per table and the first
   differences. Exit status 1 if any table differs.

Each command runs in its own process (wall time, that process's CPU time and peak memory);
the comparison runs in this process (wall and CPU time; PostgreSQL's own work is in neither).
Environment: DATABASE_SERVER_URL (default: the local PostgreSQL, as postgres).
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.accounts.tokens import create_token
from app.accounts.users import create_user
from app.claims_io.restore_check import NOT_EXPORTED, compare_restore
from app.db import make_engine
from bench.import_export import flask
from bench.restore_data import USERS, write_source_file
from bench.stack import database_url, recreate_database, say

# The instant the source's history ends at; the sweep runs as of then.
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def create_people(url: str) -> None:
    """The users, with passwords, in an order that is not the export's (ids will differ)."""
    engine = make_engine(url)
    with Session(engine) as session:
        for email, name, role, timezone in reversed(USERS):
            user = create_user(session, NOW, email, role, name, secrets.token_urlsafe(16), timezone)
        create_token(session, user, NOW, "restore bench", "read")
        session.commit()
    engine.dispose()


def database_size(url: str) -> str:
    engine = make_engine(url)
    with engine.connect() as conn:
        size = conn.scalar(text("SELECT pg_size_pretty(pg_database_size(current_database()))"))
        flagged = conn.scalar(
            text("SELECT count(*) FROM claim_events WHERE kind = 'flagged_overdue' AND at = :now"),
            {"now": NOW},
        )
        not_exported = {
            name: conn.scalar(select(func.count()).select_from(text(name))) for name in NOT_EXPORTED
        }
    engine.dispose()
    rows = ", ".join(f"{name} {count}" for name, count in not_exported.items())
    return f"{size}, {flagged:,} claims flagged by the sweep; not in the export: {rows}"


def timed(label: str, url: str, *args: str) -> None:
    wall, cpu, peak = flask(url, *args)
    print(f"{label:34} wall {wall:6.1f} s   CPU {cpu:6.1f} s   peak {peak:4.0f} MiB", flush=True)


def compare(source_url: str, target_url: str) -> bool:
    source, target = make_engine(source_url), make_engine(target_url)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu = time.perf_counter(), time.process_time()
    with source.connect() as left, target.connect() as right:
        # One snapshot of each side, however long the comparison takes.
        left = left.execution_options(isolation_level="REPEATABLE READ")
        right = right.execution_options(isolation_level="REPEATABLE READ")
        tables = compare_restore(left, right)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    source.dispose()
    target.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{'compare, row by row':34} wall {wall:6.1f} s   CPU {cpu:6.1f} s   peak {peak:4.0f} MiB"
        f" (this process; {before:.0f} MiB before)"
    )
    print(f"\n{'table':20} {'source rows':>12} {'restored rows':>14} {'differing':>10}")
    for table in tables:
        print(
            f"{table.table:20} {table.source_rows:12,} {table.target_rows:14,} "
            f"{table.different:10,}"
        )
        for example in table.examples:
            print(f"    {example[:300]}")
    total = sum(table.source_rows for table in tables)
    equal = all(table.equal for table in tables)
    verdict = "EQUAL" if equal else "DIFFERENT"
    print(f"\n{total:,} rows compared; restored database {verdict} to the source")
    return equal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the export file")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cw-restore-"))
    source_url, target_url = database_url("cw_restore_source"), database_url("cw_restore_target")

    say(f"building the source database: {options.claims:,} claims")
    started = time.perf_counter()
    recreate_database(source_url)
    create_people(source_url)
    write_source_file(work / "source.jsonl", options.claims, NOW)
    flask(source_url, "claims", "import", str(work / "source.jsonl"))
    flask(source_url, "sweep", "--now", NOW.isoformat())
    (work / "source.jsonl").unlink()
    print(f"source built in {time.perf_counter() - started:.0f} s: {database_size(source_url)}")

    backup = work / "backup.jsonl"
    timed("export jsonl (backup)", source_url, "claims", "export", "--format", "jsonl", str(backup))
    print(f"{'':34} (the file: {backup.stat().st_size / 2**20:.0f} MiB)")
    recreate_database(target_url)
    timed("import jsonl (restore, empty db)", target_url, "claims", "import", str(backup))
    equal = compare(source_url, target_url)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if options.keep:
        print(f"export kept at {backup}")
    else:
        backup.unlink()
        work.rmdir()
    sys.exit(0 if equal else 1)


if __name__ == "__main__":
    main()

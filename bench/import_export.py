"""Import and export of 100,000 claims on PostgreSQL, through the real `flask claims` commands.

    scripts/bench import_export [--claims 100000] [--runs 3] [--database cw_io]

Generates an export file (each claim with evidence and 3-4 events), then per run: recreates
the database, restores the file, checks the status counters, exports JSON Lines (and compares
it byte for byte with the input) and CSV, and imports the first 10,000 CSV rows through the
domain. Each command runs in its own process; wall time and that process's peak memory are
measured. Baseline: the same command on an empty database (process start-up and app creation).
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

from app import migrate
from app.models import Claim, ClaimStatusCount

SERVER = os.environ.get("BENCH_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432")
START = datetime(2025, 1, 1, tzinfo=UTC)
USERS = [
    ("bench-admin@newsroom.example", "Bench Admin", "admin"),
    ("bench-reviewer@newsroom.example", "Bench Reviewer", "reviewer"),
]
STATUSES = ["pending", "overdue", "confirmed", "refuted", "void", "pending", "partly_confirmed"]


def stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def claim_record(n: int, event_id: int) -> tuple[dict[str, Any], int]:
    """One claim with one evidence item and its history, as `flask claims export` writes it."""
    admin, reviewer = USERS[0][0], USERS[1][0]
    created = START + timedelta(minutes=n)
    status = STATUSES[n % len(STATUSES)]
    resolved = status not in {"pending", "overdue"}
    window_end = created + timedelta(days=21)
    events = [
        (
            "created",
            created,
            admin,
            {
                "statement": f"Company {n} will announce product {n}",
                "window_end": stamp(window_end),
                "source": f"Outlet {n % 50}",
            },
        ),
        (
            "evidence_added",
            created,
            reviewer,
            {
                "evidence_id": n,
                "url": f"https://news.example/{n}",
                "title": f"Report {n}",
                "stance": "supports",
            },
        ),
        ("commented", created + timedelta(hours=1), reviewer, {"body": "Asked for comment."}),
    ]
    if status == "overdue":
        events.append(("flagged_overdue", window_end, None, {"window_end": stamp(window_end)}))
    if resolved:
        events.append(
            (
                "resolved",
                created + timedelta(days=3),
                admin,
                {
                    "outcome": status,
                    "note": "Settled.",
                    "known_at": stamp(created + timedelta(days=2)),
                    "previous_status": "pending",
                },
            )
        )
    record = {
        "type": "claim",
        "id": n,
        "version": len(events),
        "statement": events[0][3]["statement"],
        "subject": f"Company {n}",
        "details": f"Details of claim {n}.\nSecond line.",
        "tags": ["bench", f"t{n % 10}"],
        "claimant": f"Company {n}, per insiders",
        "source": {"id": n % 50 + 1, "name": f"Outlet {n % 50}", "url": None},
        "first_seen_url": f"https://first.example/{n}",
        "claimed_on": created.date().isoformat(),
        "window_start": None,
        "window_end": stamp(window_end),
        "status": status,
        "flagged_at": stamp(window_end) if status == "overdue" else None,
        "extensions": 0,
        "assignee": reviewer if n % 2 else None,
        "resolution_note": "Settled." if resolved else None,
        "known_at": stamp(created + timedelta(days=2)) if resolved else None,
        "resolved_at": stamp(created + timedelta(days=3)) if resolved else None,
        "resolved_by": admin if resolved else None,
        "created_at": stamp(created),
        "created_by": admin,
        "updated_at": stamp(events[-1][1]),
        "evidence": [
            {
                "id": n,
                "url": f"https://news.example/{n}",
                "title": f"Report {n}",
                "publisher": "",
                "published_on": None,
                "stance": "supports",
                "note": "",
                "added_by": reviewer,
                "added_at": stamp(created),
                "withdrawn_at": None,
                "withdrawn_by": None,
                "withdrawn_reason": None,
            }
        ],
        "events": [
            {"id": event_id + i, "kind": kind, "at": stamp(at), "actor": actor, "data": data}
            for i, (kind, at, actor, data) in enumerate(events)
        ],
    }
    return record, event_id + len(events)


def generate(path: Path, claims: int) -> None:
    dumps = lambda record: json.dumps(record, ensure_ascii=False, separators=(",", ":"))  # noqa: E731
    with path.open("w", encoding="utf-8") as out:
        header = {
            "type": "header",
            "format": "claimwatch-export",
            "version": 1,
            "users": len(USERS),
            "sources": 50,
            "claims": claims,
        }
        out.write(dumps(header) + "\n")
        for email, name, role in USERS:
            user = {"type": "user", "email": email, "name": name, "role": role, "timezone": "UTC"}
            out.write(dumps(user) + "\n")
        for i in range(50):
            source = {
                "type": "source",
                "id": i + 1,
                "name": f"Outlet {i}",
                "url": None,
                "created_at": stamp(START),
            }
            out.write(dumps(source) + "\n")
        event_id = 1
        for n in range(1, claims + 1):
            record, event_id = claim_record(n, event_id)
            out.write(dumps(record) + "\n")


def recreate(name: str) -> str:
    admin = create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = f"{SERVER}/{name}"
    migrate.upgrade(url)
    return url


def flask(url: str, *args: str) -> tuple[float, float, float]:
    """Run `flask ARGS` against `url`: wall seconds, CPU seconds and peak MiB of that process.

    CPU time is the steadier figure on a shared machine; PostgreSQL's own work is not in it.
    """
    env = {**os.environ, "DATABASE_URL": url, "CLAIMWATCH_ENV": "development"}
    command = [sys.executable, "-m", "flask", "--app", "app", *args]
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak_kib = 0
    while True:
        # The child's own high-water mark (ru_maxrss would include this process's size, which
        # a forked child inherits), read until it exits.
        peak_kib = max(peak_kib, high_water_kib(process.pid))
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"flask {' '.join(args)} failed: {process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, peak_kib / 1024


def high_water_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    line = next((line for line in status.splitlines() if line.startswith("VmHWM:")), "0 0")
    return int(line.split()[1])


def counters_match(url: str) -> bool:
    engine = create_engine(url)
    with engine.connect() as conn:
        kept = dict(conn.execute(select(ClaimStatusCount.status, ClaimStatusCount.count)).all())
        actual = dict(conn.execute(select(Claim.status, func.count()).group_by(Claim.status)).all())
    engine.dispose()
    return all(kept[s] == actual.get(s, 0) for s in kept)


def add_reviewer(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET active = true WHERE email = :e"), {"e": USERS[1][0]})
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--csv-rows", type=int, default=10_000)
    parser.add_argument("--database", default="cw_io")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cw-bench-"))
    source = work / "claims.jsonl"
    started = time.perf_counter()
    generate(source, options.claims)
    print(
        f"generated {options.claims} claims ({source.stat().st_size / 2**20:.0f} MiB) "
        f"in {time.perf_counter() - started:.1f}s"
    )
    results: dict[str, list[tuple[float, float, float]]] = {}
    for run in range(options.runs):
        url = recreate(options.database)
        empty = str(work / "empty.jsonl")
        results.setdefault("baseline: export of an empty database", []).append(
            flask(url, "claims", "export", empty)
        )
        results.setdefault(f"import jsonl ({options.claims} claims)", []).append(
            flask(url, "claims", "import", str(source))
        )
        assert counters_match(url), "claim_status_counts disagrees with the claims table"
        results.setdefault(f"export jsonl ({options.claims} claims)", []).append(
            flask(url, "claims", "export", str(work / "again.jsonl"))
        )
        # Compared in chunks: reading both files whole would grow this process, and a child
        # forked from it starts with its peak memory, spoiling the children's figures.
        identical = filecmp.cmp(work / "again.jsonl", source, shallow=False)
        results.setdefault(f"export csv ({options.claims} claims)", []).append(
            flask(url, "claims", "export", str(work / "claims.csv"))
        )
        sample = work / "sample.csv"
        with (
            (work / "claims.csv").open(encoding="utf-8-sig", newline="") as full,
            sample.open("w", encoding="utf-8", newline="") as part,
        ):
            writer = csv.writer(part)
            for i, row in enumerate(csv.reader(full)):
                if i > options.csv_rows:
                    break
                writer.writerow(row)
        add_reviewer(url)
        results.setdefault(f"import csv ({options.csv_rows} rows, through the domain)", []).append(
            flask(url, "claims", "import", str(sample), "--as", USERS[1][0])
        )
        assert counters_match(url), "claim_status_counts disagrees after the CSV import"
        load = os.getloadavg()[0]
        print(
            f"run {run + 1}: re-export byte-identical to the input: {identical}; "
            f"load average {load:.1f} on {os.cpu_count()} cores"
        )
    print(f"\n{'step':52} {'wall s (median; runs)':>26} {'CPU s':>6} {'peak MiB':>8}")
    for step, measured in results.items():
        walls = [wall for wall, _, _ in measured]
        runs = ", ".join(f"{wall:.1f}" for wall in walls)
        wall = f"{statistics.median(walls):.1f} ({runs})"
        cpu = statistics.median(cpu for _, cpu, _ in measured)
        peak = max(peak for *_, peak in measured)
        print(f"{step:52} {wall:>26} {cpu:6.1f} {peak:8.0f}")
    print("claim_status_counts matched the claims table after every import")


if __name__ == "__main__":
    main()

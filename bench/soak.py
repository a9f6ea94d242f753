"""`scripts/soak`: minutes of mixed reads and writes against gunicorn on PostgreSQL, with the
scheduler sweeping beside it; afterwards every acknowledged write must be in the database.

It recreates and migrates the database `cw_soak`, creates a reviewer with a write token (the
real `flask users create` / `flask tokens create`), seeds some thousands of claims (a third
with windows ending during the soak), starts gunicorn (the project's gunicorn.conf.py) on
127.0.0.1 and `flask scheduler` with a short SWEEP_INTERVAL, and runs locust headless
(bench/soak_locust.py) for the given minutes. Then it checks: no 5xx (other than 503 during a
restart), every acknowledged write is in the database, every claim whose window ended during
the soak was flagged, none twice. It prints throughput and p50 / p99 latency (locust's).

With --restart-postgres, PostgreSQL is restarted halfway through, or after --restart-after
seconds (pg_ctlcluster ... restart: it is shared with anything else on this server!), and
bench/soak_outage.py reports what the
requests got during the outage and how soon the web and the scheduler recovered, without
restarting either.

Usage: scripts/soak [--minutes 5] [--restart-postgres [--restart-after SECONDS]] [--users 8]
                    [--claims 3000] [--sweep-interval 10]
Logs (server, access log, scheduler, locust, acknowledged writes): bench-results/soak/.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from app.clock import utcnow
from app.db import make_engine
from bench.soak_checks import check_acknowledged_writes, check_sweep, seed_claims
from bench.soak_outage import Probe, Restart, recovery_report, restart_postgres, wait_until_ready
from bench.stack import (
    BIN,
    PORTS,
    ROOT,
    app_env,
    database_url,
    free_port,
    gunicorn,
    line_count,
    process,
    recreate_database,
    reviewer_token,
    say,
    status_counts,
    stop_on_sigterm,
)

LOGS = ROOT / "bench-results" / "soak"


def run_locust(base: str, token: str, seconds: int, args: argparse.Namespace, acks: Path) -> None:
    cmd = [
        str(BIN / "locust"),
        "-f",
        "bench/soak_locust.py",
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.users),
        "--run-time",
        f"{seconds}s",
        "--host",
        base,
        "--csv",
        str(LOGS / "locust"),
        "--only-summary",
        "--stop-timeout",
        "5",
        "--loglevel",
        "WARNING",
    ]
    env = {
        **os.environ,
        "CW_TOKEN": token,
        "SOAK_ACKS": str(acks),
        "SOAK_SEEDED": str(args.claims),
    }
    with (LOGS / "locust.log").open("w") as log:
        # Locust exits non-zero when any request failed; the checks below judge the run.
        subprocess.run(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)  # noqa: S603


def locust_summary() -> tuple[str, list[str]]:
    """The aggregated line (requests, failures, req/s, p50, p99) and one line per request."""
    with (LOGS / "locust_stats.csv").open() as stats:
        rows = list(csv.DictReader(stats))

    def line(row: dict[str, str]) -> str:
        return (
            f"{row['Name']:<28} {int(row['Request Count']):>8,} req "
            f"{int(row['Failure Count']):>5} failed {float(row['Requests/s']):>7.1f} req/s "
            f"p50 {row['50%']:>5} ms  p99 {row['99%']:>5} ms"
        )

    total = next(r for r in rows if r["Name"] == "Aggregated")
    return line(total), [line(r) for r in rows if r["Name"] != "Aggregated"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--restart-postgres", action="store_true")
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--claims", type=int, default=3000)
    parser.add_argument("--sweep-interval", type=int, default=10)
    parser.add_argument(
        "--restart-after", type=float, default=None, help="seconds (default: half the soak)"
    )
    args = parser.parse_args()
    stop_on_sigterm()
    LOGS.mkdir(parents=True, exist_ok=True)
    seconds = max(10, round(args.minutes * 60))

    url = database_url("cw_soak")
    say(f"recreating and migrating {url.rsplit('/', 1)[-1]}")
    recreate_database(url)
    port = free_port(PORTS.start + 50)  # fuzz starts at the bottom: both may run at once
    env = app_env(url, port, LOGS / "instance", SWEEP_INTERVAL=f"{args.sweep_interval}s")
    token = reviewer_token(env, "soak@newsroom.example")
    engine = make_engine(url)
    start = utcnow()
    seed_claims(engine, args.claims, start, seconds)
    # Hold no pooled connection through the soak: one cut by the restart would fail the checks
    # (the app has no pre-ping either; it recovers by invalidating its pool, see app/db.py).
    engine.dispose()
    acks = LOGS / "acks.tsv"
    acks.write_text("")
    restart = Restart()
    after = args.restart_after if args.restart_after is not None else seconds / 2
    scheduler = [str(BIN / "flask"), "scheduler"]
    try:
        with (
            gunicorn(env, port, LOGS) as base,
            process(scheduler, env, LOGS / "scheduler.log"),
        ):
            skip = line_count(LOGS / "access.log")
            probe = Probe(base, token)
            probe.start()
            if args.restart_postgres:
                restart_postgres(after, restart)
            say(f"soak: {args.users} users for {seconds} s against {base}")
            run_locust(base, token, seconds, args, acks)
            load_end = utcnow()
            probe.stop()
            time.sleep(args.sweep_interval + 3)  # one more sweep after the load
            counts = status_counts(LOGS / "access.log", skip)
    finally:
        if args.restart_postgres and not wait_until_ready(60):
            say("WARNING: PostgreSQL is not accepting connections; start it again!")

    acked = check_acknowledged_writes(engine, acks)
    sweep = check_sweep(engine, start, load_end - timedelta(seconds=1))
    engine.dispose()
    total, per_request = locust_summary()
    server_errors = counts.get("5xx", 0) - counts.get("503", 0)
    lines = [
        f"soak: {seconds} s, {args.users} locust users, {args.claims:,} seeded claims, "
        f"SWEEP_INTERVAL {args.sweep_interval}s"
        + (f", PostgreSQL restarted after {after:.0f} s" if args.restart_postgres else ""),
        "locust (all requests): " + total.strip(),
        *["  " + line for line in per_request],
        "server access log by status class: "
        + ", ".join(f"{k}: {v:,}" for k, v in sorted(counts.items())),
        f"acknowledged writes: {sum(acked.acknowledged.values()):,} "
        f"({', '.join(f'{k} {v:,}' for k, v in acked.acknowledged.items())}); "
        f"missing from the database: {len(acked.missing)}",
        f"sweep: {sweep.flagged_during_soak:,} claims flagged during the soak; "
        f"due but still pending at the end: {sweep.due_but_pending}; "
        f"flagged more than once: {sweep.flagged_twice}",
    ]
    if args.restart_postgres:
        lines += recovery_report(probe.answers, restart, LOGS / "scheduler.log")
    ok = (
        server_errors == 0
        and (counts.get("503", 0) == 0 or args.restart_postgres)
        and not acked.missing
        and sweep.due_but_pending == 0
        and sweep.flagged_twice == 0
    )
    lines.append(f"result: {'PASS' if ok else 'FAIL'}")
    print("\n".join(lines))
    for missing in acked.missing[:20]:
        print(f"  missing: {missing}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

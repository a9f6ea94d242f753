"""`scripts/bench sweep`: the overdue sweep on 1,000,000 claims of which 10,000 are due.

Measures, interleaved in one run so that the noise of a shared machine hits all alike:
  (a) ours     app.sweep.flag_overdue_claims
  (b) floor    one hand-written UPDATE ... RETURNING feeding the INSERT: the floor
  (c) per_row  the ORM loop: load the due claims, update each, add its event, commit each
each in a fresh process (peak RSS is that process's), reset to the same state between runs;
then a sweep with nothing due on 1,000,000 claims against one on 1,000, and the share of the
statement-level status-count triggers (EXPLAIN ANALYZE). PostgreSQL only: BENCH_DATABASE_URL,
or the local database cw_bench_sweep (created when missing; schemas `big` and `small`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.claims import overdue
from app.claims.policy import DeskPolicy
from app.config import check_database_url
from app.db import make_engine
from app.sweep import flag_overdue_claims
from bench import sweep_data
from bench.sweep_data import NOW
from bench.sweep_methods import FLOOR

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cw_bench_sweep"
TOTAL, DUE, SMALL_TOTAL, SMALL_DUE = 1_000_000, 10_000, 1_000, 10
# Before the oldest due claim's window (10,000 minutes back): nothing is due then.
NOTHING_DUE_AT = NOW - timedelta(days=8)


def ensure_database(url: str) -> None:
    server = make_url(url)
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": server.database}
        ).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{server.database}"'))
    admin.dispose()


def measure(method: str, url: str) -> dict[str, float]:
    """One sweep by `method` in a fresh process, then the due claims put back."""
    done = subprocess.run(  # noqa: S603 - our own module and URL
        [sys.executable, "-m", "bench.sweep_methods", method, url],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(done.stdout)
    if result["flagged"] != DUE:
        raise SystemExit(f"{method} flagged {result['flagged']}, expected {DUE}")
    sweep_data.reset(url, DUE)
    return result


def nothing_due(big: str, small: str, repetitions: int) -> dict[str, list[float]]:
    """Seconds of `flag_overdue_claims` with nothing due, alternating the two tables."""
    times: dict[str, list[float]] = {"big": [], "small": []}
    engines = {"big": make_engine(big), "small": make_engine(small)}
    sessions = {name: Session(engine) for name, engine in engines.items()}
    for _ in range(repetitions + 1):  # the first round warms up and is dropped
        for name, session in sessions.items():
            started = time.perf_counter()
            assert flag_overdue_claims(session, NOTHING_DUE_AT) == 0
            times[name].append(time.perf_counter() - started)
    for name, session in sessions.items():
        session.close()
        engines[name].dispose()
    return {name: values[1:] for name, values in times.items()}


def node_types(node: dict) -> list[str]:
    """Every node of a JSON plan, depth first, e.g. ["ModifyTable", "Tid Scan", ...]."""
    children = [t for child in node.get("Plans", []) for t in node_types(child)]
    return [node.get("Node Type", "?"), *children]


def trigger_share(url: str) -> dict[str, dict[str, object]]:
    """Execution and trigger milliseconds, pages touched and plan nodes of one batch of (a)
    and of (b), rolled back."""
    engine = make_engine(url)
    flip = overdue._flip("postgresql", NOW, DeskPolicy(), overdue.DEFAULT_BATCH)
    compiled = flip.compile(dialect=engine.dialect)
    ours = (str(compiled), compiled.construct_params())
    floor = (FLOOR.text.replace(":now", "%(now)s"), {"now": NOW})
    statements = {"(a) one batch (5,000) of ours: its flip": ours, "(b) floor (10,000)": floor}
    shares = {}
    for label, (sql, params) in statements.items():
        with engine.connect() as conn:
            explained = conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params
            )
            [plan] = explained.scalar_one()
            conn.rollback()
        triggers = {t["Trigger Name"]: t["Time"] for t in plan.get("Triggers", [])}
        counting = sum(ms for name, ms in triggers.items() if name.startswith("claims_count"))
        shares[label] = {
            "execution_ms": plan["Execution Time"],
            "count_trigger_ms": counting,
            "fk_trigger_ms": sum(triggers.values()) - counting,
            "pages": plan["Plan"]["Shared Hit Blocks"] + plan["Plan"]["Shared Read Blocks"],
            "scans": sorted({n for n in node_types(plan["Plan"]) if "Scan" in n}),
        }
    engine.dispose()
    return shares


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=9, help="runs of (a) and (b)")
    parser.add_argument("--per-row-repetitions", type=int, default=3, help="runs of (c)")
    parser.add_argument("--nothing-due-repetitions", type=int, default=50)
    args = parser.parse_args()
    url = check_database_url(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL)
    ensure_database(url)

    started = time.perf_counter()
    big = sweep_data.build(url, "big", TOTAL, DUE)
    small = sweep_data.build(url, "small", SMALL_TOTAL, SMALL_DUE)
    sweep_data.reset(big, DUE)
    print(f"data ready in {time.perf_counter() - started:.0f} s", flush=True)

    runs: dict[str, list[dict[str, float]]] = {"ours": [], "floor": [], "per_row": []}
    for round_ in range(args.repetitions):
        methods = ["ours", "floor"] + (["per_row"] if round_ < args.per_row_repetitions else [])
        for method in methods:
            runs[method].append(measure(method, big))
            print(f"round {round_ + 1} {method}: {runs[method][-1]['seconds']:.3f} s", flush=True)
    idle = nothing_due(big, small, args.nothing_due_repetitions)
    shares = trigger_share(big)
    report(runs, idle, shares, time.perf_counter() - started)


def report(
    runs: dict[str, list[dict[str, float]]],
    idle: dict[str, list[float]],
    shares: dict[str, dict[str, float]],
    elapsed: float,
) -> None:
    medians = {m: median_ms([r["seconds"] for r in rs]) for m, rs in runs.items()}
    labels = {
        "ours": "(a) ours: flag_overdue_claims",
        "floor": "(b) floor: one hand-written statement",
        "per_row": "(c) per row: ORM loop, commit each",
    }
    print(f"\nsweep of {DUE:,} due claims among {TOTAL:,} (PostgreSQL), medians")
    header = f"{'runs':>4} {'median ms':>10} {'min ms':>8} {'max ms':>8} {'peak MB':>8}"
    print(f"{'method':<40} {header}")
    for method, results in runs.items():
        seconds = [r["seconds"] * 1000 for r in results]
        peak = max(r["peak_mb"] for r in results)
        print(
            f"{labels[method]:<40} {len(results):>4} {medians[method]:>10.1f}"
            f" {min(seconds):>8.1f} {max(seconds):>8.1f} {peak:>8.1f}"
        )
    paired = statistics.median(
        a["seconds"] / b["seconds"] for a, b in zip(runs["ours"], runs["floor"], strict=True)
    )
    print(
        f"\n(a) / (b) = {medians['ours'] / medians['floor']:.2f} from the medians,"
        f" {paired:.2f} as the median of each round's ratio   (target: at most 1.5)"
    )
    print(f"(c) / (a) = {medians['per_row'] / medians['ours']:.1f}   (target: at least 20)")
    big_ms, small_ms = median_ms(idle["big"]), median_ms(idle["small"])
    print(
        f"nothing due, median of {len(idle['big'])}: {TOTAL:,} claims {big_ms:.2f} ms,"
        f" {SMALL_TOTAL:,} claims {small_ms:.2f} ms, ratio {big_ms / small_ms:.2f}"
        "   (target: at most 2)"
    )
    print("\nEXPLAIN ANALYZE (rolled back), status-count triggers vs the whole statement:")
    for label, share in shares.items():
        print(
            f"  {label}: {share['execution_ms']:.1f} ms, of which count triggers"
            f" {share['count_trigger_ms']:.1f} ms"
            f" ({share['count_trigger_ms'] / share['execution_ms']:.0%}),"
            f" foreign-key checks {share['fk_trigger_ms']:.1f} ms;"
            f" {share['pages']:,} pages touched; scans: {', '.join(share['scans'])}"
        )
    print(f"\nwhole benchmark: {elapsed:.0f} s")


if __name__ == "__main__":
    main()

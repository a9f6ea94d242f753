"""`scripts/bench watches`: matching feed entries against open claims, and polling feeds that
have not changed, on PostgreSQL.

  (1) 1,000 new entries matched against 100,000 open claims and against 10,000, interleaved
      so the noise of a shared machine hits both alike: the matching (normalising the
      entries and the one statement) and the whole recording (matching, then writing the
      leads and their events; rolled back each time);
  (2) 500 unchanged feeds polled from a local server in another process (every answer a
      304): the poller's process CPU per feed (all its threads), its wall time, and the CPU
      of PostgreSQL's backends.
BENCH_DATABASE_URL, or the local database cw_bench_watches (schemas `big` and `small`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.claims.percolate import match_terms
from app.claims.terms import words_of
from app.config import check_database_url
from app.db import make_engine
from app.outbound import OutboundClient, OutboundPolicy
from app.polling import poll_watches
from app.watches.leads import record_leads
from bench.cpu import backend_seconds
from bench.sweep import ensure_database
from bench.sweep_data import NOW
from bench.watches_data import build, entries
from bench.watches_feeds import add_watches

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cw_bench_watches"
BIG, SMALL, FEEDS = 100_000, 10_000, 500


def bench_watch(url: str) -> int:
    """The id of the watch the recorded leads name (made once)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        found = conn.scalar(text("SELECT id FROM watches WHERE name = 'Bench wire'"))
        if found is None:
            found = conn.scalar(
                text(
                    "INSERT INTO watches (url, name, created_at, consecutive_failures,"
                    " next_poll_at) VALUES ('https://wire.example/feed', 'Bench wire', :now, 0,"
                    " :now + interval '100 years') RETURNING id"
                ),
                {"now": NOW},
            )
    engine.dispose()
    return found


def match_once(session: Session, batch: list) -> tuple[float, int]:
    started = time.perf_counter()
    texts = [words_of(entry.text) for entry in batch]
    found = match_terms(session.connection(), texts)
    elapsed = time.perf_counter() - started
    session.rollback()
    return elapsed, len(found)


def record_once(session: Session, watch_id: int, batch: list) -> tuple[float, int]:
    started = time.perf_counter()
    found = record_leads(session, watch_id, "Bench wire", batch, NOW)
    elapsed = time.perf_counter() - started
    session.rollback()
    return elapsed, len(found)


def matching(urls: dict[str, str], repetitions: int) -> dict[str, dict[str, list[float]]]:
    batch = entries(SMALL)
    engines = {name: make_engine(url) for name, url in urls.items()}
    watches = {name: bench_watch(url) for name, url in urls.items()}
    times: dict[str, dict[str, list[float]]] = {name: {"match": [], "record": []} for name in urls}
    counts: dict[str, set[tuple[int, int]]] = {name: set() for name in urls}
    for round_ in range(repetitions + 1):  # the first round warms up and is dropped
        for name, engine in engines.items():
            with Session(engine) as session:
                matched, found = match_once(session, batch)
                recorded, leads = record_once(session, watches[name], batch)
            counts[name].add((found, leads))
            if round_:
                times[name]["match"].append(matched)
                times[name]["record"].append(recorded)
    for engine in engines.values():
        engine.dispose()
    for name, seen in counts.items():
        print(f"{name}: matches and leads per run {sorted(seen)}", flush=True)
    return times


def feed_server() -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(  # noqa: S603 - our own module
        [sys.executable, "-m", "bench.watches_feeds"], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    ready = process.stdout.readline().split()
    return process, int(ready[1])


def polling(url: str, repetitions: int, fetchers: int) -> list[dict[str, float]]:
    """A first pass (500 answers of 200), then `repetitions` passes of 500 304s, measured."""
    process, port = feed_server()
    engine = make_engine(url)
    probe = make_engine(url)  # its own connection, so the poller's backend is counted
    runs = []
    try:
        add_watches(url, port, FEEDS)
        policy = OutboundPolicy(allow_private=True)
        with Session(engine) as session, OutboundClient(policy) as client:
            first = poll_watches(session, NOW, client, fetchers=fetchers)
            assert first.updated == FEEDS, str(first)
            for n in range(1, repetitions + 1):
                backends = backend_seconds(probe)
                cpu, wall = time.process_time(), time.perf_counter()
                summary = poll_watches(session, NOW + timedelta(hours=n), client, fetchers=fetchers)
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                after = backend_seconds(probe)
                assert summary.unchanged == FEEDS, str(summary)
                runs.append(
                    {
                        "cpu_ms_per_feed": cpu * 1000 / FEEDS,
                        "wall_s": wall,
                        "db_ms_per_feed": (after - backends) * 1000 / FEEDS
                        if after is not None and backends is not None
                        else float("nan"),
                    }
                )
                print(f"poll pass {n} ({fetchers} fetchers): {runs[-1]}", flush=True)
    finally:
        process.terminate()
        process.wait(timeout=10)
        engine.dispose()
        probe.dispose()
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--poll-repetitions", type=int, default=5)
    args = parser.parse_args()
    url = check_database_url(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL)
    ensure_database(url)
    started = time.perf_counter()
    urls = {"big": build(url, "big", BIG), "small": build(url, "small", SMALL)}
    print(f"data ready in {time.perf_counter() - started:.0f} s", flush=True)
    times = matching(urls, args.repetitions)
    polls = {n: polling(urls["small"], args.poll_repetitions, n) for n in (8, 1)}
    report(times, polls, time.perf_counter() - started)


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def report(times: dict, polls: dict[int, list[dict[str, float]]], elapsed: float) -> None:
    runs = len(times["big"]["match"])
    print(f"\n1,000 new entries against open claims (PostgreSQL), medians of {runs}")
    for step in ("match", "record"):
        big, small = median_ms(times["big"][step]), median_ms(times["small"][step])
        paired = statistics.median(
            b / s for b, s in zip(times["big"][step], times["small"][step], strict=True)
        )
        print(
            f"  {step:<7} {BIG:,} claims {big:8.1f} ms (max {max(times['big'][step]) * 1000:.1f}),"
            f" {SMALL:,} claims {small:8.1f} ms; ratio {big / small:.2f}"
            f" (median of paired rounds {paired:.2f})   targets: at most 2,000 ms, ratio 1.5"
        )
    for fetchers, runs in polls.items():
        cpu = statistics.median(r["cpu_ms_per_feed"] for r in runs)
        wall = statistics.median(r["wall_s"] for r in runs)
        db = statistics.median(r["db_ms_per_feed"] for r in runs)
        print(
            f"{FEEDS} unchanged feeds, {fetchers} fetcher thread(s), median of {len(runs)}:"
            f" poller CPU {cpu:.3f} ms per feed (target: at most 1), wall {wall:.2f} s,"
            f" PostgreSQL backends {db:.3f} ms per feed"
        )
    print(f"\nwhole benchmark: {elapsed:.0f} s")


if __name__ == "__main__":
    main()

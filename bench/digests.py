"""Digest pass at 100 and 10,000 readers over 1,000,000 claims on PostgreSQL, against a floor.

The floor is plain `smtplib` sending the same, already-rendered messages over one connection
to the same local aiosmtpd (a separate process that discards what it receives). Reported:
queries per digest (counted with a cursor hook), pass time against the floor, and time per
digest at 10,000 readers against 100. Usage:

    scripts/bench digests [--users 10000] [--small 100] [--claims 1000000] [--runs 3]

BENCH_DATABASE_URL names the PostgreSQL server (default postgresql://postgres@127.0.0.1:5432);
the data lives in the database `cw_bench_digests`, seeded once and reused.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

from app import create_app, migrate
from app.config import check_database_url
from app.digests.job import run_digest_pass
from app.mail.content import build_digests, readers_of
from app.mail.render import MailSettings, render_digest
from app.unit_of_work import get_db
from bench.digests_seed import seed

NOW = datetime(2026, 11, 20, 8, 0, 30, tzinfo=UTC)
DATABASE = "cw_bench_digests"


def database_url() -> str:
    server = make_url(
        check_database_url(
            os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
        )
    )
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DATABASE})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    return server.set(database=DATABASE).render_as_string(hide_password=False)


def start_sink(port: int) -> subprocess.Popen:
    """aiosmtpd in its own process, so the server does not share the sender's interpreter."""
    sink = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            smtplib.SMTP("127.0.0.1", port, timeout=2).quit()
            return sink
        except OSError:
            time.sleep(0.1)
    sink.kill()
    raise RuntimeError("aiosmtpd did not start")


class QueryCounter:
    """Counts the statements an engine sends while in use as a context manager."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0

    def _tick(self, *_args: object) -> None:
        self.count += 1

    def __enter__(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._tick)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._tick)


def reset(engine: Engine, readers: int) -> None:
    """No deliveries yet; exactly the first `readers` users take a daily digest."""
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM digest_deliveries"))
        conn.execute(
            text(
                "UPDATE users SET digest_frequency = CASE WHEN id <= :n THEN 'daily' ELSE 'off' END"
            ),
            {"n": readers},
        )
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(
            text("VACUUM ANALYZE digest_deliveries")
        )


def one_run(app: Flask, readers: int) -> dict[str, float]:
    engine = get_db(app).engine
    reset(engine, readers)
    with QueryCounter(engine) as counter:
        started = time.perf_counter()
        summary = run_digest_pass(app, NOW)
        elapsed = time.perf_counter() - started
    queries = counter.count
    assert summary.sent == readers, summary

    # The floor: the same messages, rendered beforehand, over one plain smtplib connection.
    mail = MailSettings.from_config(app.config)
    with get_db(app).sessionmaker() as session:
        ids = session.scalars(text("SELECT id FROM digest_deliveries ORDER BY id")).all()
        contents = build_digests(session, readers_of(session, ids))
    messages = [(c.email, render_digest(c, mail, NOW).data) for c in contents]
    target = urlsplit(app.config["SMTP_URL"])
    floor_started = time.perf_counter()
    smtp = smtplib.SMTP(target.hostname, target.port)
    for recipient, data in messages:
        smtp.sendmail(app.config["MAIL_FROM"], [recipient], data)
    smtp.quit()
    floor = time.perf_counter() - floor_started
    return {"pass": elapsed, "floor": floor, "queries": queries, "sent": summary.sent}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8325)
    args = parser.parse_args()

    url = database_url()
    migrate.upgrade(url)
    seconds = seed(url, args.users, args.claims, NOW)
    if seconds is not None:
        print(f"seeded {args.users} users and {args.claims} claims in {seconds:.0f} s")
    sink = start_sink(args.port)
    try:
        app = create_app(
            {
                "CLAIMWATCH_ENV": "testing",
                "DATABASE_URL": url,
                "SECRET_KEY": "bench-secret-key-not-for-production",
                "PUBLIC_URL": "https://claimwatch.example",
                "SMTP_URL": f"smtp://127.0.0.1:{args.port}?starttls=off",
                "DIGEST_SKIP_EMPTY": "false",
            }
        )
        logging_quiet()
        one_run(app, 10)  # warm-up, not reported: templates compiled, connections open
        results: dict[int, list[dict[str, float]]] = {args.small: [], args.users: []}
        for run in range(args.runs):
            for readers in (args.small, args.users):
                result = one_run(app, readers)
                results[readers].append(result)
                print(
                    f"run {run + 1}: {readers:>6} readers: pass {result['pass']:.2f} s, "
                    f"floor {result['floor']:.2f} s, {result['queries']} queries",
                    flush=True,
                )
    finally:
        sink.kill()
        sink.wait()
    report(results, args.small, args.users)


def logging_quiet() -> None:
    import logging

    logging.getLogger().setLevel(logging.WARNING)


def report(results: dict[int, list[dict[str, float]]], small: int, large: int) -> None:
    def median(readers: int, key: str) -> float:
        return statistics.median(r[key] for r in results[readers])

    per_small = median(small, "pass") / small
    per_large = median(large, "pass") / large
    print()
    print(
        "| readers | pass (median) | floor (median) | pass / floor | ms per digest "
        "| queries per digest |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for readers in (small, large):
        p, f = median(readers, "pass"), median(readers, "floor")
        q = median(readers, "queries") / readers
        print(
            f"| {readers:,} | {p:.2f} s | {f:.2f} s | {p / f:.2f}x | "
            f"{1000 * p / readers:.2f} | {q:.2f} |"
        )
    print()
    print(
        f"time per digest at {large:,} vs {small:,} readers: {per_large / per_small:.2f}x "
        "(target <= 1.5x); pass vs floor at "
        f"{large:,}: {median(large, 'pass') / median(large, 'floor'):.2f}x (target <= 2x)"
    )


if __name__ == "__main__":
    main()

"""Webhook pass: 10,000 events to 10 endpoints (100,000 deliveries) on PostgreSQL, against a
bare httpx loop posting the same signed bodies to the same receiver in the same run.

The receiver is `bench.webhook_receiver` (asyncio, its own process). Reported: deliveries per
second of the pass (fan-out included) and of its sending alone, the bare loop's, the ratio,
CPU seconds of this process for each, and statements per delivery (counted with a cursor
hook). The pass runs with one worker (the same one-at-a-time sending as the bare loop) and
with the default four. Usage:

    scripts/bench webhooks [--events 10000] [--endpoints 10] [--runs 1]

BENCH_DATABASE_URL names the PostgreSQL server (default postgresql://postgres@127.0.0.1:5432);
the data lives in the database `cw_bench_webhooks`, seeded once and reused.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from flask import Flask
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from standardwebhooks import Webhook

from app import create_app, migrate
from app.config import check_database_url
from app.unit_of_work import get_db, job_session
from app.webhook_job import run_webhook_pass
from app.webhooks.endpoints import create_endpoint
from app.webhooks.fanout import fan_out
from app.webhooks.formats import signed_headers
from app.webhooks.settings import outbound_policy, secret_box
from bench.webhooks_seed import seed

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
DATABASE = "cw_bench_webhooks"


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


class StatementCounter:
    """Counts the statements an engine sends while in use as a context manager; an
    executemany counts once per parameter set (each is a statement on the server)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0

    def _tick(
        self, _conn: object, _cursor: object, _sql: str, params: Any, _ctx: object, many: bool
    ) -> None:
        self.count += len(params) if many else 1

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._tick)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._tick)


def start_receiver(port: int) -> subprocess.Popen:
    receiver = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "bench.webhook_receiver", str(port)]
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.delete(f"http://127.0.0.1:{port}/count", timeout=2)
            return receiver
        except httpx.HTTPError:
            time.sleep(0.1)
    receiver.kill()
    raise RuntimeError("the receiver did not start")


def received(port: int, reset: bool = False) -> int:
    method = "DELETE" if reset else "GET"
    return int(httpx.request(method, f"http://127.0.0.1:{port}/count", timeout=5).text)


def reset(app: Flask, engine: Engine, endpoints: int, port: int) -> None:
    """No endpoints, messages or deliveries; `endpoints` new ones, told about every event."""
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM webhook_deliveries"))
        conn.execute(text("DELETE FROM webhook_messages"))
        conn.execute(text("DELETE FROM webhook_endpoints"))
        conn.execute(
            text("UPDATE webhook_fanout SET done_upto = 0, seen_upto = 0, seen_xmax = NULL")
        )
    with job_session(app) as session:
        from app.models import User

        admin = session.query(User).filter_by(role="admin").first()
        for n in range(endpoints):
            create_endpoint(
                session,
                admin,
                NOW,
                {"url": f"http://127.0.0.1:{port}/endpoint-{n}"},
                secret_box(app.config),
                outbound_policy(app.config),
            )
        session.execute(text("UPDATE webhook_endpoints SET events_after = 0"))
        session.commit()
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(
            text("VACUUM ANALYZE webhook_deliveries, webhook_messages, webhook_endpoints")
        )
    received(port, reset=True)


def one_run(app: Flask, engine: Engine, endpoints: int, port: int, workers: int) -> dict:
    reset(app, engine, endpoints, port)
    app.config["WEBHOOK_WORKERS"] = workers
    with StatementCounter(engine) as counter:
        cpu, started = time.process_time(), time.perf_counter()
        with job_session(app) as session:
            made = fan_out(session, NOW)
            session.commit()
        fanned = time.perf_counter() - started
        summary = run_webhook_pass(app, NOW)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert summary.delivered == made, (summary, made)
    assert received(port) == made, "the receiver did not get every delivery"
    floor, floor_cpu = bare_loop(engine, app, port)
    return {
        "deliveries": made,
        "pass": elapsed,
        "fanout": fanned,
        "cpu": cpu,
        "queries": counter.count,
        "floor": floor,
        "floor_cpu": floor_cpu,
    }


def bare_loop(engine: Engine, app: Flask, port: int) -> tuple[float, float]:
    """The same signed bodies to the same URLs over one plain httpx client, one at a time."""
    box = secret_box(app.config)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT d.webhook_id, e.url, e.secret_key_id, e.secret_ciphertext, m.payload"
                " FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id"
                " JOIN webhook_messages m ON m.id = d.message_id ORDER BY d.id"
            )
        ).all()
    signers: dict[str, Webhook] = {}
    requests = []
    at = datetime.now(UTC)
    for webhook_id, url, key_id, sealed, payload in rows:
        signer = signers.get(url) or signers.setdefault(url, Webhook(box.open(key_id, sealed)))
        headers = signed_headers(signer, webhook_id, at, payload)
        requests.append((url, headers, payload.encode("utf-8")))
    received(port, reset=True)
    cpu, started = time.process_time(), time.perf_counter()
    with httpx.Client(timeout=10) as client:
        for url, headers, body in requests:
            response = client.post(url, content=body, headers=headers)
            assert response.status_code == 200
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert received(port) == len(requests)
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--endpoints", type=int, default=10)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--port", type=int, default=8326)
    args = parser.parse_args()

    url = database_url()
    migrate.upgrade(url)
    seconds = seed(url, args.events, NOW)
    if seconds is not None:
        print(f"seeded {args.events} events in {seconds:.0f} s")
    receiver = start_receiver(args.port)
    try:
        app = create_app(
            {
                "CLAIMWATCH_ENV": "testing",
                "DATABASE_URL": url,
                "SECRET_KEY": "bench-secret-key-not-for-production",
                "PUBLIC_URL": "https://claimwatch.example",
                "ALLOW_PRIVATE_URLS": "1",
            }
        )
        logging.getLogger().setLevel(logging.WARNING)
        engine = get_db(app).engine
        results: dict[int, list[dict]] = {1: [], 4: []}
        for run in range(args.runs):
            for workers in (1, 4):
                result = one_run(app, engine, args.endpoints, args.port, workers)
                results[workers].append(result)
                print(
                    f"run {run + 1}, {workers} worker(s): {result['deliveries']} deliveries, "
                    f"pass {result['pass']:.1f} s (fan-out {result['fanout']:.1f} s), "
                    f"bare {result['floor']:.1f} s, {result['queries']} statements",
                    flush=True,
                )
    finally:
        receiver.kill()
        receiver.wait()
    report(results)


def report(results: dict[int, list[dict]]) -> None:
    print()
    print(
        "| workers | deliveries | pass/s | sending/s | bare loop/s | pass time / bare time "
        "| CPU ms/delivery (pass / bare) | statements/delivery |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for workers, runs in results.items():

        def median(key: str, runs: list[dict] = runs) -> float:
            return statistics.median(r[key] for r in runs)

        n = median("deliveries")
        rate = n / median("pass")
        sending = n / (median("pass") - median("fanout"))
        bare = n / median("floor")
        print(
            f"| {workers} | {n:,.0f} | {rate:,.0f} | {sending:,.0f} | {bare:,.0f} | "
            f"{bare / rate:.2f}x | {1000 * median('cpu') / n:.2f} / "
            f"{1000 * median('floor_cpu') / n:.2f} | {median('queries') / n:.2f} |"
        )


if __name__ == "__main__":
    main()

"""`scripts/bench web`: the claim list page on PostgreSQL at 10,000 and at 1,000,000 claims.

1. Server time: the page rendered in-process (Flask test client, no network), median of N
   requests, first page and a deep page (a cursor 90% into the resolved claims), once with
   10,000 claims and again after growing the same database to 1,000,000.
2. Throughput: wrk on loopback against gunicorn serving the list page and, in the same run
   with the same gunicorn settings, the bare Flask endpoint (bench/bare.py); rounds are
   interleaved and medians reported, because the two cores are shared with other work.

Usage: scripts/bench web [--requests N] [--rounds N] [--duration SECONDS] [--skip-load]
Environment: BENCH_DATABASE_URL (default: the local PostgreSQL, database cw_bench_web).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import text

from app import create_app
from app.claims.listing import Cursor
from bench import web_data

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cw_bench_web"
WEB_PORT, BARE_PORT = 8201, 8202
GUNICORN = ["-c", str(ROOT / "bench" / "gunicorn_bench.py")]
SECRET = "bench-secret-key-not-for-production"  # noqa: S105
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
RESOLVED = "('confirmed', 'partly_confirmed', 'refuted', 'retracted', 'void')"


def app_env(url: str) -> dict[str, str]:
    return {
        "CLAIMWATCH_ENV": "production",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": url,
        "INSTANCE_PATH": tempfile.mkdtemp(prefix="cw-bench-web-"),
    }


def signed_in_client(url: str) -> FlaskClient:
    app = create_app(app_env(url))
    client = app.test_client()
    base = "https://localhost"
    page = client.get("/sign-in", base_url=base).get_data(as_text=True)
    form = {
        "csrf_token": TOKEN.search(page).group(1),
        "email": web_data.EMAIL,
        "password": web_data.PASSWORD,
    }
    # Over https Flask-WTF also checks that the Referer is our own site, as browsers send it.
    headers = {"Referer": f"{base}/sign-in"}
    assert client.post("/sign-in", data=form, base_url=base, headers=headers).status_code == 302
    return client


def deep_cursor(url: str) -> tuple[str, int]:
    """A cursor 90% of the way into the resolved claims, and the page number it is."""
    engine = web_data.engine_for(url)
    with engine.connect() as conn:
        open_n = conn.scalar(
            text("SELECT count(*) FROM claims WHERE status IN ('overdue', 'pending')")
        )
        resolved_n = conn.scalar(text(f"SELECT count(*) FROM claims WHERE status IN {RESOLVED}"))
        skip = int(resolved_n * 0.9)
        window_end, claim_id = conn.execute(
            text(
                f"SELECT window_end, id FROM claims WHERE status IN {RESOLVED} "
                "ORDER BY window_end DESC, id DESC OFFSET :skip LIMIT 1"
            ),
            {"skip": skip},
        ).one()
    engine.dispose()
    return Cursor(2, window_end.astimezone(UTC), claim_id).encode(), (open_n + skip) // 50 + 2


def server_times(client: FlaskClient, paths: dict[str, str], requests: int) -> dict[str, float]:
    """Median (ms) of rendering each path in-process; the paths take turns, so that the
    machine's changing load falls on all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in paths}
    for n in range(requests + 10):
        for name, path in paths.items():
            start = time.perf_counter()
            response = client.get(path, base_url="https://localhost")
            if n >= 10:  # the first rounds warm the caches
                times[name].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
    return {name: statistics.median(values) for name, values in times.items()}


def measure_pages(url: str, label: str, requests: int) -> list[str]:
    client = signed_in_client(url)
    cursor, page_no = deep_cursor(url)
    resolved = "&".join(f"status={s}" for s in RESOLVED.strip("()").replace("'", "").split(", "))
    paths = {
        "first page": "/claims",
        "first page of the resolved claims": f"/claims?{resolved}",
        f"deep page (page ~{page_no:,}, in the resolved claims)": (
            f"/claims?cursor={urllib.parse.quote(cursor)}"
        ),
    }
    lines = []
    for name, median in server_times(client, paths, requests).items():
        lines.append(f"| {label} | {name} | {median:.2f} |")
        print(lines[-1], flush=True)
    return lines


@contextmanager
def gunicorn(app: str, port: int, env: dict[str, str]) -> Iterator[None]:
    cmd = [str(ROOT / ".venv/bin/gunicorn"), *GUNICORN, "--bind", f"127.0.0.1:{port}", app]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})  # noqa: S603
    try:
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError(f"gunicorn for {app} did not start") from None
                time.sleep(0.3)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def http_session_cookie(port: int) -> str:
    """Sign in over HTTP; returns the Cookie header value of the session."""
    base = f"http://127.0.0.1:{port}"
    with urllib.request.urlopen(f"{base}/sign-in") as response:  # noqa: S310
        cookie = response.headers["Set-Cookie"].split(";", 1)[0]
        token = TOKEN.search(response.read().decode()).group(1)
    body = urllib.parse.urlencode(
        {"csrf_token": token, "email": web_data.EMAIL, "password": web_data.PASSWORD}
    ).encode()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    request = urllib.request.Request(f"{base}/sign-in", data=body, headers={"Cookie": cookie})  # noqa: S310
    try:
        urllib.request.build_opener(NoRedirect).open(request)
    except urllib.error.HTTPError as exc:
        if exc.code == 302:
            return exc.headers["Set-Cookie"].split(";", 1)[0]
        raise
    raise RuntimeError("sign-in did not redirect")


def wrk(url: str, duration: int, cookie: str | None = None) -> float:
    cmd = ["wrk", "-t2", "-c8", f"-d{duration}s"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw errors:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def throughput(url: str, rounds: int, duration: int) -> list[str]:
    env = app_env(url)
    web_rps, bare_rps = [], []
    with gunicorn("app.wsgi:app", WEB_PORT, env), gunicorn("bench.bare:app", BARE_PORT, {}):
        cookie = http_session_cookie(WEB_PORT)
        wrk(f"http://127.0.0.1:{WEB_PORT}/claims", 2, cookie)  # warm-up
        for n in range(rounds):
            web_rps.append(wrk(f"http://127.0.0.1:{WEB_PORT}/claims", duration, cookie))
            bare_rps.append(wrk(f"http://127.0.0.1:{BARE_PORT}/ping", duration))
            print(f"round {n + 1}: list page {web_rps[-1]:.0f} rps, bare {bare_rps[-1]:.0f} rps")
    web, bare = statistics.median(web_rps), statistics.median(bare_rps)

    def each(rates: list[float]) -> str:
        return ", ".join(f"{r:.0f}" for r in rates)

    return [
        f"| list page `/claims` (1,000,000 claims) | {web:.0f} | {each(web_rps)} |",
        f"| bare Flask `/ping` | {bare:.0f} | {each(bare_rps)} |",
        f"| ratio | {100 * web / bare:.1f}% | |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--skip-load", action="store_true", help="reuse the 1M database")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    now = datetime.now(UTC)

    times = ["| claims | page | median ms |", "|---|---|---|"]
    if not args.skip_load:
        web_data.recreate_database(url)
        engine = web_data.engine_for(url)
        user_id = web_data.seed_people_and_sources(engine, now)
        web_data.add_claims(engine, 1, 10_000, user_id, now)
        times += measure_pages(url, "10,000", args.requests)
        started = time.perf_counter()
        web_data.add_claims(engine, 10_001, 1_000_000, user_id, now)
        print(f"grew to 1,000,000 claims in {time.perf_counter() - started:.0f} s", flush=True)
        engine.dispose()
    times += measure_pages(url, "1,000,000", args.requests)
    rates = ["| endpoint | median req/s | rounds |", "|---|---|---|"]
    rates += throughput(url, args.rounds, args.duration)
    print("\n".join(["", *times, "", *rates]))


if __name__ == "__main__":
    main()

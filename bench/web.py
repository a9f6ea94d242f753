"""`scripts/bench web`: the claim list page on PostgreSQL at 10,000 and at 1,000,000 claims.

1. Server time: the page rendered in-process (Flask test client, no network), median of N
   requests: first page, first page of the resolved claims, and a deep page (a cursor 90%
   into the resolved claims), on two databases, 10,000 claims (`<name>_10k`) and 1,000,000,
   every case taking turns request by request so the machine's changing load hits all alike;
   wall time and this process's CPU time (which the machine's load moves much less).
2. Throughput: wrk on loopback against gunicorn serving the list page and, in the same run
   with the same gunicorn settings, the bare Flask endpoint (bench/bare.py); rounds are
   interleaved and medians reported, because the two cores are shared with other work. Each
   round also reports the CPU per request of gunicorn (master and workers) and, for the list
   page, of the database's PostgreSQL backends (bench/cpu.py; when PostgreSQL is local).

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
from sqlalchemy.engine import Engine, make_url

from app import create_app
from app.claims.cursor import Cursor
from app.claims.reads import ATTENTION
from bench import cpu, web_data
from bench.stack import RATELIMIT_STORAGE

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cw_bench_web"
WEB_PORT, BARE_PORT = 8611, 8612
GUNICORN = ["-c", str(ROOT / "bench" / "gunicorn_bench.py")]
SECRET = "bench-secret-key-not-for-production"  # noqa: S105
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
RESOLVED = "('confirmed', 'partly_confirmed', 'refuted', 'retracted', 'void')"
# Sign-in and wrk send the same User-Agent, as one browser does: Flask-Login's session
# protection marks a session whose client changed as not fresh, which rewrites the cookie.
USER_AGENT = "claimwatch-bench"


def app_env(url: str) -> dict[str, str]:
    return {
        "CLAIMWATCH_ENV": "production",
        "RATELIMIT_STORAGE_URI": RATELIMIT_STORAGE,
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
    return Cursor(ATTENTION, window_end.astimezone(UTC), claim_id, 2).encode(), (
        open_n + skip
    ) // 50 + 2


def cases(url: str, label: str) -> dict[str, str]:
    """The pages measured on one database: first page, first resolved page, a deep page."""
    cursor, page_no = deep_cursor(url)
    resolved = "&".join(f"status={s}" for s in RESOLVED.strip("()").replace("'", "").split(", "))
    return {
        f"{label} | first page": "/claims",
        f"{label} | first page of the resolved claims": f"/claims?{resolved}",
        f"{label} | deep page (page ~{page_no:,}, in the resolved claims)": (
            f"/claims?cursor={urllib.parse.quote(cursor)}"
        ),
    }


def measure_pages(urls: dict[str, str], requests: int) -> list[str]:
    """Every case of every database, taking turns request by request: the median wall time
    and the median CPU time of this process (the app's side; not PostgreSQL's)."""
    clients = {label: signed_in_client(url) for label, url in urls.items()}
    all_times: dict[str, list[tuple[float, float]]] = {}
    paths = {label: cases(url, label) for label, url in urls.items()}
    for n in range(requests + 10):
        for label, client in clients.items():
            for name, path in paths[label].items():
                start, cpu_start = time.perf_counter(), time.process_time()
                response = client.get(path, base_url="https://localhost")
                if n >= 10:  # the first rounds warm the caches
                    spent = (time.perf_counter() - start, time.process_time() - cpu_start)
                    all_times.setdefault(name, []).append(spent)
                assert response.status_code == 200
    lines = [
        f"| {name} | {1000 * statistics.median(w for w, _ in t):.2f} "
        f"| {1000 * statistics.median(c for _, c in t):.2f} |"
        for name, t in all_times.items()
    ]
    print("\n".join(lines), flush=True)
    return lines


@contextmanager
def gunicorn(app: str, port: int, env: dict[str, str]) -> Iterator[subprocess.Popen]:
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
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def http_session_cookie(port: int) -> str:
    """Sign in over HTTP; returns the Cookie header value of the session."""
    base = f"http://127.0.0.1:{port}"
    first = urllib.request.Request(f"{base}/sign-in", headers={"User-Agent": USER_AGENT})  # noqa: S310
    with urllib.request.urlopen(first) as response:  # noqa: S310
        cookie = response.headers["Set-Cookie"].split(";", 1)[0]
        token = TOKEN.search(response.read().decode()).group(1)
    body = urllib.parse.urlencode(
        {"csrf_token": token, "email": web_data.EMAIL, "password": web_data.PASSWORD}
    ).encode()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    headers = {"Cookie": cookie, "User-Agent": USER_AGENT}
    request = urllib.request.Request(f"{base}/sign-in", data=body, headers=headers)  # noqa: S310
    try:
        urllib.request.build_opener(NoRedirect).open(request)
    except urllib.error.HTTPError as exc:
        if exc.code != 302:
            raise
        # Sign-in sets the new session's cookie and the browser's device cookie.
        cookies = "; ".join(value.split(";", 1)[0] for value in exc.headers.get_all("Set-Cookie"))
        check = urllib.request.Request(  # noqa: S310
            f"{base}/claims", headers={"Cookie": cookies, "User-Agent": USER_AGENT}
        )
        with urllib.request.build_opener(NoRedirect).open(check) as page:
            if page.status != 200 or 'class="claim-list"' not in page.read().decode():
                raise RuntimeError("the signed-in cookie does not open the claim list") from None
        return cookies
    raise RuntimeError("sign-in did not redirect")


def wrk(url: str, duration: int, cookie: str | None = None) -> float:
    cmd = ["wrk", "-t2", "-c8", f"-d{duration}s", "-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw errors:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def wrk_with_cpu(
    url: str, duration: int, server: subprocess.Popen, db: Engine | None, cookie: str | None
) -> tuple[float, float, float | None]:
    """Requests per second, and CPU ms per request of the server and of its database."""
    server_cpu = cpu.tree_seconds(server.pid)
    db_cpu = cpu.backend_seconds(db) if db is not None else None
    rate = wrk(url, duration, cookie)
    served = rate * duration
    server_ms = 1000 * (cpu.tree_seconds(server.pid) - server_cpu) / served
    db_after = cpu.backend_seconds(db) if db is not None else None
    db_ms = None if db_cpu is None or db_after is None else 1000 * (db_after - db_cpu) / served
    return rate, server_ms, db_ms


def throughput(url: str, rounds: int, duration: int) -> list[str]:
    env = app_env(url)
    db = web_data.engine_for(url)
    web: list[tuple[float, float, float | None]] = []
    bare: list[tuple[float, float, float | None]] = []
    with (
        gunicorn("app.wsgi:app", WEB_PORT, env) as web_server,
        gunicorn("bench.bare:app", BARE_PORT, {}) as bare_server,
    ):
        cookie = http_session_cookie(WEB_PORT)
        wrk(f"http://127.0.0.1:{WEB_PORT}/claims", 2, cookie)  # warm-up
        for n in range(rounds):
            page = f"http://127.0.0.1:{WEB_PORT}/claims"
            web.append(wrk_with_cpu(page, duration, web_server, db, cookie))
            ping = f"http://127.0.0.1:{BARE_PORT}/ping"
            bare.append(wrk_with_cpu(ping, duration, bare_server, None, None))
            print(
                f"round {n + 1}: list page {web[-1][0]:.0f} rps ({cpu_text(web[-1])}), "
                f"bare {bare[-1][0]:.0f} rps ({cpu_text(bare[-1])})",
                flush=True,
            )
    db.dispose()
    web_rps = statistics.median(r for r, *_ in web)
    bare_rps = statistics.median(r for r, *_ in bare)

    def each(runs: list[tuple[float, float, float | None]]) -> str:
        return ", ".join(f"{r:.0f}" for r, *_ in runs)

    def cpu_median(runs: list[tuple[float, float, float | None]]) -> str:
        server = statistics.median(s for _, s, _ in runs)
        dbs = [d for *_, d in runs if d is not None]
        return f"{server:.2f}" + (f" + {statistics.median(dbs):.2f}" if dbs else "")

    return [
        f"| list page `/claims` (1,000,000 claims) | {web_rps:.0f} | {each(web)} "
        f"| {cpu_median(web)} |",
        f"| bare Flask `/ping` | {bare_rps:.0f} | {each(bare)} | {cpu_median(bare)} |",
        f"| ratio | {100 * web_rps / bare_rps:.1f}% | | |",
    ]


def cpu_text(run: tuple[float, float, float | None]) -> str:
    _, server_ms, db_ms = run
    spent = f"{server_ms:.2f} ms CPU/request in gunicorn"
    return spent + (f" + {db_ms:.2f} in PostgreSQL" if db_ms is not None else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--skip-load", action="store_true", help="reuse the 1M database")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    now = datetime.now(UTC)

    small = make_url(url).set(database=make_url(url).database + "_10k")
    small_url = small.render_as_string(hide_password=False)
    if not args.skip_load:
        for target, size in [(small_url, 10_000), (url, 1_000_000)]:
            started = time.perf_counter()
            web_data.recreate_database(target)
            engine = web_data.engine_for(target)
            user_id = web_data.seed_people_and_sources(engine, now)
            web_data.add_claims(engine, 1, size, user_id, now)
            engine.dispose()
            print(f"{size:,} claims loaded in {time.perf_counter() - started:.0f} s", flush=True)
    times = ["| claims | page | median ms | median CPU ms |", "|---|---|---|---|"]
    times += measure_pages({"10,000": small_url, "1,000,000": url}, args.requests)
    rates = [
        "| endpoint | median req/s | rounds | CPU ms/request: gunicorn + PostgreSQL |",
        "|---|---|---|---|",
    ]
    rates += throughput(url, args.rounds, args.duration)
    print("\n".join(["", *times, "", *rates]))


if __name__ == "__main__":
    main()

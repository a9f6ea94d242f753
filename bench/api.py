"""`scripts/bench api`: the JSON API under gunicorn on PostgreSQL with 1,000,000 claims.

Each case runs wrk on loopback against our app and, in the same run, against a bare Flask
endpoint (bench/bare_app.py) under the same gunicorn settings; the cases are interleaved over
several rounds and the medians reported, because the two cores are shared with other work.
Throughput cases use 8 connections; the first-page / deep-page latency cases use one
connection, so that latency is the request's own time rather than time in a queue.

Usage: scripts/bench api [--rounds N] [--duration SECONDS] [--profile-only]
                        [--gunicorn bench|production]
Environment: BENCH_DATABASE_URL (default: the local PostgreSQL, database cw_bench_api).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from app.claims.cursor import Cursor
from app.db import make_engine
from bench.seed import bench_token, seed
from bench.stack import RATELIMIT_STORAGE

ROOT = Path(__file__).resolve().parent.parent
WRK_DIR = ROOT / "bench" / "wrk"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cw_bench_api"
OUR_PORT, BARE_PORT = 8601, 8602
# An explicit config file, so the project's gunicorn.conf.py (access log on) is not read:
# "bench" is 2 sync workers, one per core; "production" the shipped settings, no access log.
GUNICORN_CONFIGS = {"bench": "bench/gunicorn_conf.py", "production": "bench/gunicorn_production.py"}
GUNICORN = ["--config", GUNICORN_CONFIGS["bench"]]
LIST_QUERY = "/api/v1/claims?status=pending&limit=50"


@contextmanager
def gunicorn(app: str, port: int, env: dict[str, str]) -> Iterator[None]:
    """A gunicorn serving `app` on 127.0.0.1:port until the block ends."""
    cmd = [str(ROOT / ".venv/bin/gunicorn"), *GUNICORN, "--bind", f"127.0.0.1:{port}", app]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)  # noqa: S603 (our own command line)
    try:
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            except urllib.error.HTTPError:
                break  # it answers (a 404 is an answer)
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError(f"gunicorn for {app} did not start") from None
                time.sleep(0.3)
            else:
                break
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def wrk(url: str, duration: int, connections: int, script: str | None) -> dict[str, float]:
    """Requests per second and p50 / p99 latency (ms) of one wrk run."""
    threads = min(2, connections)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    if script:
        cmd += ["-s", str(WRK_DIR / script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"{url}: {non2xx.group(1)} error responses\n{out}")

    def pct(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {"rps": rps, "p50": pct("50"), "p99": pct("99")}


def deep_cursor(url: str, offset: int = 900_000) -> str:
    """The cursor of the list page that starts after `offset` rows of the filtered list."""
    engine = make_engine(url)
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT window_end, id FROM claims WHERE status = 'pending' "
                "ORDER BY window_end, id OFFSET :o LIMIT 1"
            ),
            {"o": offset - 1},
        ).one()
    engine.dispose()
    return Cursor("window_end", row.window_end, row.id).encode()


def some_claim_ids(url: str) -> list[int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        ids = conn.scalars(text("SELECT id FROM claims ORDER BY id LIMIT 1 OFFSET 500000")).all()
    engine.dispose()
    return list(ids)


def claim_with_evidence(url: str, items: int = 3) -> int:
    """A claim with `items` evidence items (added once): GET of such a claim takes the
    second statement that a claim without evidence skips."""
    engine = make_engine(url)
    with engine.begin() as conn:
        claim_id = conn.scalar(text("SELECT id FROM claims ORDER BY id LIMIT 1 OFFSET 400000"))
        have = conn.scalar(
            text("SELECT count(*) FROM evidence WHERE claim_id = :c"), {"c": claim_id}
        )
        for n in range(have, items):
            conn.execute(
                text(
                    "INSERT INTO evidence (claim_id, url, title, publisher, stance, note, "
                    "added_by_id, added_at) SELECT :c, :u, 'Bench report', 'Outlet 7', "
                    "'supports', '', id, now() FROM users WHERE email = 'bench@newsroom.example'"
                ),
                {"c": claim_id, "u": f"https://outlet7.example/evidence/{n}"},
            )
    engine.dispose()
    return claim_id


def run(url: str, rounds: int, duration: int) -> dict[str, list[dict[str, float]]]:
    token = bench_token(url)
    env = {
        **os.environ,
        "CLAIMWATCH_ENV": "production",
        "RATELIMIT_STORAGE_URI": RATELIMIT_STORAGE,
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "DATABASE_URL": url,
        "CW_TOKEN": token,
    }
    os.environ["CW_TOKEN"] = token
    claim_id = some_claim_ids(url)[0]
    ours, bare = f"http://127.0.0.1:{OUR_PORT}", f"http://127.0.0.1:{BARE_PORT}"
    cases = {
        "bare /ping": (bare + "/ping", 8, None),
        "reference: our /healthz (one SELECT 1, no token)": (ours + "/healthz", 8, None),
        "GET /claims (limit 50, status=pending)": (ours + LIST_QUERY, 8, "get.lua"),
        "GET /claims/{id}": (f"{ours}/api/v1/claims/{claim_id}", 8, "get.lua"),
        "GET /claims/{id}, a claim with 3 evidence items": (
            f"{ours}/api/v1/claims/{claim_with_evidence(url)}",
            8,
            "get.lua",
        ),
        "POST /claims": (ours + "/api/v1/claims", 8, "post_claim.lua"),
        "first page, 1 connection": (ours + LIST_QUERY, 1, "get.lua"),
        "page after 900,000 rows, 1 connection": (
            f"{ours}{LIST_QUERY}&cursor={deep_cursor(url)}",
            1,
            "get.lua",
        ),
    }
    results: dict[str, list[dict[str, float]]] = {name: [] for name in cases}
    with gunicorn("app.wsgi:app", OUR_PORT, env), gunicorn("bench.bare_app:app", BARE_PORT, env):
        for target, _c, script in cases.values():  # warm both apps and the caches
            wrk(target, 2, 2, script)
        for r in range(rounds):
            for name, (target, connections, script) in cases.items():
                results[name].append(wrk(target, duration, connections, script))
                print(f"round {r + 1} {name}: {results[name][-1]}", file=sys.stderr)
    return results


def report(results: dict[str, list[dict[str, float]]], rounds: int, duration: int) -> str:
    bare_rps = statistics.median(r["rps"] for r in results["bare /ping"])
    lines = [
        f"{rounds} interleaved rounds of {duration} s per case; medians over rounds.",
        "",
        "| case | req/s | % of bare | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, runs in results.items():
        rps = statistics.median(r["rps"] for r in runs)
        p50 = statistics.median(r["p50"] for r in runs)
        p99 = statistics.median(r["p99"] for r in runs)
        lines.append(
            f"| {name} | {rps:,.0f} | {100 * rps / bare_rps:.0f}% | {p50:.2f} | {p99:.2f} |"
        )
    first = statistics.median(r["p50"] for r in results["first page, 1 connection"])
    deep = statistics.median(r["p50"] for r in results["page after 900,000 rows, 1 connection"])
    lines += ["", f"deep page / first page median latency: {deep / first:.2f}x"]
    return "\n".join(lines)


def profile(url: str, requests: int = 200) -> str:
    """Where the time of one list request goes, in-process (pyinstrument)."""
    from pyinstrument import Profiler

    from app import create_app

    token = bench_token(url)
    app = create_app(
        {
            "CLAIMWATCH_ENV": "production",
            "RATELIMIT_STORAGE_URI": RATELIMIT_STORAGE,
            "SECRET_KEY": "x" * 32,
            "DATABASE_URL": url,
        }
    )
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(20):
        client.get(LIST_QUERY, headers=headers)
    profiler = Profiler(interval=0.0002)
    profiler.start()
    for _ in range(requests):
        assert client.get(LIST_QUERY, headers=headers).status_code == 200
    profiler.stop()
    return profiler.output_text(unicode=False, color=False, show_all=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--profile-only", action="store_true")
    parser.add_argument("--gunicorn", choices=sorted(GUNICORN_CONFIGS), default="bench")
    args = parser.parse_args()
    GUNICORN[1] = GUNICORN_CONFIGS[args.gunicorn]
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    seed(url)
    if not args.profile_only:
        print(report(run(url, args.rounds, args.duration), args.rounds, args.duration))
    print("\nprofile of 200 list requests (in-process):\n")
    print(profile(url))


if __name__ == "__main__":
    main()

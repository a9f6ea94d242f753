"""Quick API probe: requests per second and machine CPU per request of single cases.

`scripts/bench api_probe [list|get|post|ping ...] [--duration S] [--gunicorn bench|production]`
starts gunicorn (our app, or the bare endpoint for `ping`) with the bench settings against the
bench database of `scripts/bench api` (seeded by it), runs wrk for each case and reads from
/proc the CPU time that the gunicorn processes, every PostgreSQL process (WAL writer and
checkpointer included) and wrk spent. On 2 cores the throughput ratio of `scripts/bench api`
is made of these figures, and they move much less than requests per second when the host is
noisy: use this to decide whether a change helps (interleave A/B runs), then confirm with the
full `scripts/bench api`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from pathlib import Path

from bench import api
from bench.cpu import process_seconds, tree_seconds
from bench.seed import bench_token
from bench.stack import RATELIMIT_STORAGE

APPS = {"ping": "bench.bare_app:app"}


def postgres_seconds() -> float:
    """CPU seconds of every process named postgres on this machine."""
    total = 0.0
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().startswith("postgres"):
                total += process_seconds(int(comm.parent.name))
        except (OSError, ValueError):
            continue
    return total


def probe(name: str, target: str, script: str | None, duration: int, app: str) -> str:
    env = {
        **os.environ,
        "CLAIMWATCH_ENV": "production",
        "RATELIMIT_STORAGE_URI": RATELIMIT_STORAGE,
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "DATABASE_URL": api.DEFAULT_URL,
    }
    cmd = [
        str(api.ROOT / ".venv/bin/gunicorn"),
        *api.GUNICORN,
        "--bind",
        f"127.0.0.1:{api.OUR_PORT}",
    ]
    server = subprocess.Popen([*cmd, app], cwd=api.ROOT, env=env)  # noqa: S603 (our command)
    try:
        time.sleep(2)
        api.wrk(target, 2, 2, script)  # warm up
        gunicorn, postgres, own = tree_seconds(server.pid), postgres_seconds(), os.times()
        result = api.wrk(target, duration, 8, script)
        after = os.times()
        requests = result["rps"] * duration
        wrk = after.children_user + after.children_system - own.children_user - own.children_system
        gunicorn = tree_seconds(server.pid) - gunicorn
        postgres = postgres_seconds() - postgres
    finally:
        server.terminate()
        server.wait(timeout=30)
    per = {
        key: 1000 * value / requests
        for key, value in {"gunicorn": gunicorn, "postgres": postgres, "wrk": wrk}.items()
    }
    return (
        f"{name}: {result['rps']:,.0f} req/s, p50 {result['p50']} ms | CPU ms per request: "
        f"gunicorn {per['gunicorn']:.3f}, PostgreSQL {per['postgres']:.3f}, wrk {per['wrk']:.3f},"
        f" total {sum(per.values()):.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=["list", "get", "post", "ping"])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--gunicorn", choices=sorted(api.GUNICORN_CONFIGS), default="bench")
    args = parser.parse_args()
    api.GUNICORN[1] = api.GUNICORN_CONFIGS[args.gunicorn]
    os.environ["CW_TOKEN"] = bench_token(api.DEFAULT_URL)
    ours = f"http://127.0.0.1:{api.OUR_PORT}"
    claim_id = api.some_claim_ids(api.DEFAULT_URL)[0]
    cases = {
        "list": (ours + api.LIST_QUERY, "get.lua"),
        "get": (f"{ours}/api/v1/claims/{claim_id}", "get.lua"),
        "post": (ours + "/api/v1/claims", "post_claim.lua"),
        "ping": (ours + "/ping", None),
    }
    for name in args.cases:
        target, script = cases[name]
        print(probe(name, target, script, args.duration, APPS.get(name, "app.wsgi:app")))


if __name__ == "__main__":
    main()

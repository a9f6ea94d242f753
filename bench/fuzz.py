"""`scripts/fuzz`: schemathesis against the running API (gunicorn on PostgreSQL).

It recreates and migrates the database `cw_fuzz`, loads `flask demo`, creates a reviewer and
a write token with `flask users create` / `flask tokens create` (and a feed key), starts
gunicorn (the project's gunicorn.conf.py) on 127.0.0.1, runs `schemathesis run` on
/api/v1/openapi.json with the token, every phase (examples, coverage, fuzzing, stateful) and
`--checks all` (see CONFIG for what they expect), and stops the server. The requests
are counted from the server's access log, by status class; the run passes when schemathesis
reports no failure and the server answered no 5xx.

Usage: scripts/fuzz [--max-examples N] [--seed N] [--workers N] [--min-requests N] [--phases P]
  --max-examples  cases per operation and phase (default 300: about 10,000 requests)
  --min-requests  fail unless at least this many requests were made (default 0)
Logs (server, access log, schemathesis output): bench-results/fuzz/.
Environment: DATABASE_SERVER_URL (default: the local PostgreSQL, as postgres).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.users import regenerate_feed_key
from app.db import make_engine
from app.models import User
from bench.stack import (
    BIN,
    ROOT,
    app_env,
    database_url,
    flask,
    free_port,
    gunicorn,
    line_count,
    recreate_database,
    reviewer_token,
    say,
    status_counts,
    stop_on_sigterm,
)

LOGS = ROOT / "bench-results" / "fuzz"
PHASES = "examples,coverage,fuzzing,stateful"
FUZZ_AUTH_FAILURE_LIMIT = "1000000 per minute"
# What "schema-valid data must be accepted" and "a missing required header must be refused"
# mean for this API. The document types fields (strings, integers) but leaves their meaning
# to the domain's validation, which answers 422 with a message per field: dates and times,
# ISO durations, http URLs, outcomes and stances, cursors and Idempotency-Keys are opaque to
# the schema. A schema-valid request may also meet the claim's state (409), a stale or empty
# If-Match (412 / 428, the generator cannot know the ETag). Everything else (500s, 400s, a
# 2xx for a refused request, undocumented statuses or bodies) still fails the run.
#
# Header values are generated without control characters but horizontal tab (RFC 9110
# section 5.5: a field value is visible characters, spaces and tabs; CR, LF and NUL are
# "invalid and dangerous"): gunicorn refuses such a request with its own HTML 400 before the
# app sees it, so those cases test gunicorn, not Claimwatch. (Excluding only CR, LF and NUL
# still let one run generate an Idempotency-Key that gunicorn refused.) Every other character
# still goes into header values, and every character into bodies, query strings and paths;
# the in-process conformance test (tests/api/test_schemathesis.py) keeps the default
# alphabet, control characters included.
CONTROL_CHARACTERS = "".join(f"\\u{code:04x}" for code in [*range(9), *range(10, 32), 127])
CONFIG = """
[generation]
exclude-header-characters = "{control_characters}"

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "412", "422", "428"]

[checks.missing_required_header]
expected-statuses = ["428"]

[parameters]
"query.key" = "{feed_key}"
"""


def feed_key(url: str, email: str) -> str:
    """A feed key for `email`, so the fuzzer reaches the feed's real work, not just its 404."""
    engine = make_engine(url)
    with Session(engine) as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        key = regenerate_feed_key(user)
        session.commit()
    engine.dispose()
    return key


def schemathesis(base: str, token: str, args: argparse.Namespace) -> int:
    """Run schemathesis against `base`; its exit status (its report goes to the log too)."""
    cmd = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(args.config),
        "run",
        f"{base}/api/v1/openapi.json",
        "--url",
        base,  # the document's paths start with /api/v1
        "--header",
        f"Authorization: Bearer {token}",
        "--phases",
        args.phases,
        "--checks",
        "all",
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--workers",
        str(args.workers),
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--generation-database",
        "none",
        "--continue-on-failure",
        "--no-color",
        "--output-sanitize",
        "true",
    ]
    with (LOGS / "schemathesis.log").open("w") as log:
        proc = subprocess.Popen(  # noqa: S603 (our own command line)
            cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            sys.stderr.write(line)
        return proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--min-requests", type=int, default=0)
    parser.add_argument("--phases", default=PHASES, help=f"default: {PHASES}")
    args = parser.parse_args()
    stop_on_sigterm()
    LOGS.mkdir(parents=True, exist_ok=True)

    url = database_url("cw_fuzz")
    say(f"recreating and migrating {url.rsplit('/', 1)[-1]}")
    recreate_database(url)
    port = free_port()
    # After every 2xx, schemathesis's `ignored_auth` check resends the request with an invalid
    # token and wants exactly 401: hundreds a minute, all from 127.0.0.1. Under the default
    # API_AUTH_FAILURE_LIMIT (20 a minute) they would become 429s within seconds and fail that
    # check on the limit, not on the operations. The limit has its own tests
    # (tests/api/test_auth_limits.py); here it is set out of reach.
    env = app_env(url, port, LOGS / "instance", API_AUTH_FAILURE_LIMIT=FUZZ_AUTH_FAILURE_LIMIT)
    email = "fuzz@newsroom.example"
    token = reviewer_token(env, email)
    # A few real claims with evidence and events, so low ids exist; the demo refuses to run in
    # production (it creates an admin with a published password), and this database is ours.
    flask({**env, "CLAIMWATCH_ENV": "development"}, "demo")
    args.config = LOGS / "schemathesis.toml"
    config = CONFIG.format(feed_key=feed_key(url, email), control_characters=CONTROL_CHARACTERS)
    args.config.write_text(config)
    with gunicorn(env, port, LOGS) as base:
        skip = line_count(LOGS / "access.log")  # the health checks of the start-up
        started = time.monotonic()
        exit_status = schemathesis(base, token, args)
        elapsed = time.monotonic() - started
        time.sleep(1)  # let the workers flush their last access-log lines
        counts = status_counts(LOGS / "access.log", skip)
    total = sum(v for k, v in counts.items() if len(k) == 3 and k.endswith("xx"))
    server_errors = counts.get("5xx", 0)
    by_class = ", ".join(f"{k}: {v:,}" for k, v in sorted(counts.items()))
    ok = exit_status == 0 and server_errors == 0 and total >= args.min_requests
    print(
        f"fuzz: {total:,} requests in {elapsed:.0f} s ({by_class}); "
        f"schemathesis exit status {exit_status}; "
        f"5xx: {server_errors}; result: {'PASS' if ok else 'FAIL'}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

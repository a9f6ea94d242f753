"""The running stack for `scripts/fuzz`, `scripts/soak` and `scripts/slowclients`: a fresh
PostgreSQL database, a reviewer with a write token, gunicorn and the scheduler as real
processes on loopback, with the rate-limit counts in the local Redis (RATELIMIT_STORAGE_URI).

Everything started here is stopped when its `with` block ends, also on Ctrl-C or SIGTERM
(`stop_on_sigterm` turns TERM into the same unwinding).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import IO

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import migrate
from app.config import check_database_url

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
RATELIMIT_STORAGE = "redis://127.0.0.1:6379/0"  # production refuses per-process memory://
PORTS = range(8700, 8800)  # the range these scripts may bind on loopback


def stop_on_sigterm() -> None:
    """Make SIGTERM unwind like Ctrl-C, so every `with` block stops what it started."""

    def raise_interrupt(_signum: int, _frame: FrameType | None) -> None:
        # Once: `timeout` and a process group's TERM may both arrive; the unwinding that the
        # first one started must not be interrupted by the second.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, raise_interrupt)


def database_url(name: str) -> str:
    """The URL of database `name` on the server of DATABASE_SERVER_URL (default: local)."""
    server = make_url(check_database_url(os.environ.get("DATABASE_SERVER_URL", SERVER_URL)))
    return server.set(database=name).render_as_string(hide_password=False)


def recreate_database(url: str) -> None:
    """Drop and create the database of `url`, then run the migrations."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    migrate.upgrade(url)


def free_port(first: int = PORTS.start) -> int:
    """The first port from `first` on in PORTS that nothing listens on."""
    for port in range(first, PORTS.stop):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def app_env(url: str, port: int, instance: Path, **extra: str) -> dict[str, str]:
    """The environment of a production-like Claimwatch process on `url`; `instance` holds
    what it writes to disk (the digest outbox when SMTP_URL is unset)."""
    return {
        **os.environ,
        "CLAIMWATCH_ENV": "production",
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": url,
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "FLASK_APP": "app",
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or RATELIMIT_STORAGE,
        **extra,
    }


def flask(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run `flask ARGS` as its own process; its standard output."""
    done = subprocess.run(  # noqa: S603 (our own command line)
        [str(BIN / "flask"), *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def reviewer_token(env: dict[str, str], email: str, role: str = "reviewer") -> str:
    """Create a reviewer (or another `role`) `email` and a write token for them, through the
    real commands."""
    password = secrets.token_urlsafe(16)
    flask(env, "users", "create", email, "--role", role, "--password-stdin", stdin=password)
    out = flask(env, "tokens", "create", email, "--scope", "write", "--name", "hardening")
    return out.strip().splitlines()[-1]


def wait_healthy(base: str, timeout: float = 60) -> None:
    """Wait until `base`/healthz answers 200."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{base} did not become healthy in {timeout:.0f} s")
        time.sleep(0.3)


@contextmanager
def process(cmd: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run `cmd` with its output in `log` until the block ends, then TERM it (KILL if stuck)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    out: IO[bytes] = log.open("wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()


@contextmanager
def gunicorn(
    env: dict[str, str], port: int, logs: Path, workers: int = 2, threads: int = 4
) -> Iterator[str]:
    """gunicorn with the project's gunicorn.conf.py on 127.0.0.1:port; yields its base URL.

    The access log goes to `logs`/access.log (it is how the scripts count requests and 5xx).
    """
    server_env = {
        **env,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "WEB_THREADS": str(threads),
        "ACCESS_LOG": str(logs / "access.log"),
    }
    cmd = [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "app.wsgi:app"]
    with process(cmd, server_env, logs / "gunicorn.log"):
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base)
        yield base


def status_counts(access_log: Path, skip: int = 0) -> dict[str, int]:
    """Requests by status class in a gunicorn access log (our format), after `skip` lines."""
    counts: dict[str, int] = {}
    with access_log.open() as lines:
        for number, line in enumerate(lines):
            if number < skip:
                continue
            # ... "GET /path HTTP/1.1" 200 123 4ms "agent": the status follows the request.
            try:
                status = line.split('" ', 1)[1].split(" ", 1)[0]
            except IndexError:
                continue
            key = f"{status[0]}xx" if status[:1].isdigit() else "other"
            counts[key] = counts.get(key, 0) + 1
            if status[:1] == "5":
                counts[status] = counts.get(status, 0) + 1
    return counts


def line_count(path: Path) -> int:
    with path.open() as lines:
        return sum(1 for _ in lines)


def say(message: str) -> None:
    """Progress on stderr, so that stdout carries only the result."""
    print(message, file=sys.stderr, flush=True)

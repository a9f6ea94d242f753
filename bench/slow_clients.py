"""`scripts/slowclients`: does the web server keep answering while hundreds of clients stall
halfway through their request headers?

It recreates and migrates the database `cw_slowclients` on PostgreSQL, creates a reviewer with
a write token (the real `flask users create` / `flask tokens create`), seeds claims, and starts
the web server the way the image does (`scripts/entrypoint web`: migrations, then gunicorn with
gunicorn.conf.py and its defaults) on 127.0.0.1. Then it opens --stalled connections (200)
that each send half a request header (`GET /healthz HTTP/1.1`, `Host`, and half of one more
header line) and nothing more (with --stall body: a whole `POST /api/v1/claims` header
with the token and a tenth of its body); whenever the server closes one, another takes its place, so
that many stay stalled for the whole run, as a slowloris attacker keeps them. Meanwhile, for
--seconds (30), one client after another sends `GET /healthz` and another `GET /api/v1/claims`
with the bearer token, each on a fresh connection. It prints p50 / p99 / max latency and the
errors per path, and how long the server let a stalled connection wait. PASS: every request
answered 200 within 1 s.

--worker-class runs gunicorn with another worker class (through GUNICORN_CMD_ARGS, over the
shipped gunicorn.conf.py) to compare; the shipped setting is what the image runs.

Usage: scripts/slowclients [--stalled 200] [--seconds 30] [--stall headers|body] [--claims 500]
                          [--worker-class K]
Logs (server, access log): bench-results/slowclients/.
Environment: DATABASE_SERVER_URL (default: the local PostgreSQL, as postgres).
"""

from __future__ import annotations

import argparse
import http.client
import os
import runpy
import selectors
import socket
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from app.clock import utcnow
from app.db import make_engine
from bench.soak_checks import seed_claims
from bench.stack import (
    BIN,
    PORTS,
    ROOT,
    app_env,
    database_url,
    free_port,
    process,
    recreate_database,
    reviewer_token,
    say,
    stop_on_sigterm,
    wait_healthy,
)

LOGS = ROOT / "bench-results" / "slowclients"
HALF_HEADER = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: a"
BODY = b'{"statement": "Stalled", "window_end": "2027-01-01", "details": "' + b"x" * 160 + b'"}'
DEADLINE = 1.0  # seconds: PASS when every request answered within this
REQUEST_TIMEOUT = 10.0  # seconds a probe waits before it counts the request as lost


@dataclass
class StallStats:
    opened: int = 0
    refused: int = 0  # connections that could not even be opened
    answered: int = 0  # the server sent something (an error page) before closing
    lifetimes: list[float] = field(default_factory=list)  # seconds until the server closed


class StalledClients:
    """`count` connections that each sent the start of `request` and then nothing. One that the
    server closes is replaced at once, so `count` stay stalled until `stop`."""

    def __init__(self, host: str, port: int, count: int, request: bytes = HALF_HEADER) -> None:
        self.address = (host, port)
        self.count = count
        self.request = request
        self.stats = StallStats()
        self.selector = selectors.DefaultSelector()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name="stalled-clients", daemon=True)

    def start(self) -> StalledClients:
        for _ in range(self.count):
            self._open()
        self.thread.start()
        return self

    def _open(self) -> None:
        try:
            sock = socket.create_connection(self.address, timeout=5)
            sock.sendall(self.request)
        except OSError:
            self.stats.refused += 1
            return
        sock.setblocking(False)
        self.stats.opened += 1
        self.selector.register(sock, selectors.EVENT_READ, time.monotonic())

    def _run(self) -> None:
        while not self.done.is_set():
            for key, _ in self.selector.select(timeout=0.2):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                try:
                    if sock.recv(4096):
                        self.stats.answered += 1
                except OSError:
                    pass
                self.selector.unregister(sock)
                sock.close()
                self.stats.lifetimes.append(time.monotonic() - key.data)
                if not self.done.is_set():
                    self._open()
            missing = self.count - len(self.selector.get_map())
            for _ in range(missing):  # connections that could not be opened: try again
                self._open()

    def stop(self) -> None:
        self.done.set()
        self.thread.join()
        for key in list(self.selector.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]
        self.selector.close()


@dataclass
class Probe:
    path: str
    headers: dict[str, str]
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)


def run_probe(probe: Probe, host: str, port: int, until: float) -> None:
    """Send `probe.path` again and again, each on a fresh connection, until `until`."""
    while time.monotonic() < until:
        started = time.perf_counter()
        error = None
        conn = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request("GET", probe.path, headers=probe.headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                error = f"HTTP {response.status}"
        except TimeoutError:
            error = f"no answer in {REQUEST_TIMEOUT:.0f} s"
        except OSError as exc:
            error = type(exc).__name__
        finally:
            conn.close()
        probe.latencies.append(time.perf_counter() - started)
        if error:
            probe.errors[error] = probe.errors.get(error, 0) + 1


def half_body(token: str) -> bytes:
    """A whole `POST /api/v1/claims` header, and a tenth of the body it announces."""
    head = (
        f"POST /api/v1/claims HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(BODY)}\r\n\r\n"
    )
    return head.encode() + BODY[: len(BODY) // 10]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def latency_line(name: str, latencies: list[float], errors: dict[str, int]) -> str:
    if not latencies:
        return f"{name:<20} no requests"
    ms = [x * 1000 for x in latencies]
    failed = sum(errors.values())
    detail = f" ({', '.join(f'{k}: {v}' for k, v in sorted(errors.items()))})" if errors else ""
    return (
        f"{name:<20} {len(ms):>6,} requests {failed:>5} errors  p50 {percentile(ms, 0.5):7.1f} ms"
        f"  p99 {percentile(ms, 0.99):7.1f} ms  max {max(ms):8.1f} ms{detail}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stalled", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--stall", choices=["headers", "body"], default="headers")
    parser.add_argument("--claims", type=int, default=500)
    parser.add_argument("--worker-class", default=None)
    args = parser.parse_args()
    stop_on_sigterm()
    LOGS.mkdir(parents=True, exist_ok=True)

    url = database_url("cw_slowclients")
    say(f"recreating and migrating {url.rsplit('/', 1)[-1]}")
    recreate_database(url)
    port = free_port(PORTS.start + 70)  # fuzz and soak start lower: all may run at once
    env = app_env(url, port, LOGS / "instance")
    token = reviewer_token(env, "slow@newsroom.example")
    engine = make_engine(url)
    seed_claims(engine, args.claims, utcnow(), int(timedelta(days=1).total_seconds()))
    engine.dispose()

    server_env = {
        **env,
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "ACCESS_LOG": str(LOGS / "access.log"),
    }
    if args.worker_class:
        server_env["GUNICORN_CMD_ARGS"] = f"--worker-class {args.worker_class}"
    host, base = "127.0.0.1", f"http://127.0.0.1:{port}"
    probes = [
        Probe("/healthz", {}),
        Probe("/api/v1/claims", {"Authorization": f"Bearer {token}"}),
    ]
    with process([str(ROOT / "scripts" / "entrypoint"), "web"], server_env, LOGS / "server.log"):
        wait_healthy(base)
        say(f"{args.stalled} stalled connections, then {args.seconds:.0f} s of requests")
        request = HALF_HEADER if args.stall == "headers" else half_body(token)
        stalled = StalledClients(host, port, args.stalled, request).start()
        time.sleep(1)  # let the server take them all in before the clock starts
        until = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=run_probe, args=(probe, host, port, until)) for probe in probes
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stalled.stop()

    every = [x for probe in probes for x in probe.latencies]
    errors: dict[str, int] = {}
    for probe in probes:
        for kind, n in probe.errors.items():
            errors[kind] = errors.get(kind, 0) + n
    stats = stalled.stats
    cut = stats.lifetimes
    shipped = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["worker_class"]
    worker = f"{args.worker_class} workers" if args.worker_class else f"{shipped} workers, shipped"
    lines = [
        f"slow clients: {args.stalled} connections stalled halfway through their {args.stall} "
        f"for {args.seconds:.0f} s; server: scripts/entrypoint web (gunicorn.conf.py, {worker})",
        *[latency_line(f"GET {probe.path}", probe.latencies, probe.errors) for probe in probes],
        latency_line("all", every, errors),
        f"stalled connections: {stats.opened:,} opened, {stats.refused} could not connect; "
        f"the server closed {len(cut):,}"
        + (
            f" after a median {statistics.median(cut):.1f} s (max {max(cut):.1f} s), "
            f"{stats.answered} of them with an answer"
            if cut
            else ""
        ),
    ]
    ok = bool(every) and not errors and max(every) < DEADLINE
    verdict = "PASS" if ok else "FAIL"
    lines.append(f"result: {verdict} (every request must answer 200 within {DEADLINE:.0f} s)")
    print("\n".join(lines))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

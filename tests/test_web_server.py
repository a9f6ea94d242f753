"""The web server as the image runs it (`scripts/entrypoint web`: gunicorn with gunicorn.conf.py,
two workers) on a free port: clients that stall halfway through a request keep nobody else
waiting, the access log leaves out query strings, and stopping finishes the requests in hand.
The long version with 200 stalled clients is `scripts/slowclients`."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from app import create_app
from app.accounts.tokens import create_token
from app.accounts.users import create_user
from app.clock import utcnow
from app.unit_of_work import get_db, get_session
from tests.conftest import app_config
from tests.databases import backends, fresh_database

ROOT = Path(__file__).resolve().parent.parent
DEADLINE = 1.0  # seconds: every request must be answered within this
HALF_HEADER = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: a"
NEW_CLAIM = b'{"statement": "Acme will ship the X1 by spring", "window_end": "2027-04-01"}'
# One backend, as each server takes seconds to start: PostgreSQL when the suite has it (what
# production runs, and psycopg is the driver that must cooperate with gevent), else SQLite.
BACKEND = backends()[-1]


@dataclass
class Server:
    port: int
    token: str
    access_log: Path
    process: subprocess.Popen[bytes]

    def get(self, path: str) -> tuple[int, float]:
        """Status and seconds taken of a GET on a fresh connection."""
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path, headers={"Authorization": f"Bearer {self.token}"})
            response = conn.getresponse()
            response.read()
        finally:
            conn.close()
        return response.status, time.perf_counter() - started

    def post_head(self, body_length: int) -> bytes:
        return (
            f"POST /api/v1/claims HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {self.token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {body_length}\r\n\r\n"
        ).encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reviewer_token(url: str, instance: Path) -> str:
    app = create_app(app_config(url, INSTANCE_PATH=str(instance)))
    with app.app_context():
        session = get_session()
        now = utcnow()
        user = create_user(session, now, "desk@newsroom.example", "reviewer", "Desk", "x" * 12)
        _, secret = create_token(session, user, now, "server test", "write")
        session.commit()
    get_db(app).engine.dispose()
    return secret


@contextmanager
def running_server(backend: str, directory: Path) -> Iterator[Server]:
    with fresh_database(backend, directory) as url:
        token = reviewer_token(url, directory / "instance")
        port = free_port()
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"WEB_THREADS", "GUNICORN_CMD_ARGS"}  # the shipped settings only
        }
        env.update(
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            CLAIMWATCH_ENV="production",
            SECRET_KEY=secrets.token_urlsafe(32),
            DATABASE_URL=url,
            INSTANCE_PATH=str(directory / "instance"),
            PUBLIC_URL=f"http://127.0.0.1:{port}",
            RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
            HOST="127.0.0.1",
            PORT=str(port),
            WEB_CONCURRENCY="2",
            ACCESS_LOG=str(directory / "access.log"),
        )
        log_path = directory / "server.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [str(ROOT / "scripts" / "entrypoint"), "web"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        server = Server(port, token, directory / "access.log", process)
        try:
            wait_until_healthy(server, log_path)
            yield server
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def wait_until_healthy(server: Server, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"the server stopped:\n{log_path.read_text()[-3000:]}")
        try:
            if server.get("/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the server did not answer /healthz:\n{log_path.read_text()[-3000:]}")


@contextmanager
def stalled(port: int, count: int, start_of_request: bytes) -> Iterator[list[socket.socket]]:
    """`count` connections that sent `start_of_request` and then nothing."""
    socks = []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(start_of_request)
            socks.append(sock)
        time.sleep(0.5)  # the server has taken them in
        yield socks
    finally:
        for sock in socks:
            sock.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    with running_server(BACKEND, tmp_path_factory.mktemp("server")) as running:
        yield running


def assert_answered_in_time(server: Server) -> None:
    for _ in range(5):
        for path in ("/healthz", "/api/v1/claims"):
            status, seconds = server.get(path)
            assert status == 200, path
            assert seconds < DEADLINE, f"{path} took {seconds:.2f} s"


def test_clients_stalled_in_their_headers_keep_nobody_waiting(server):
    with stalled(server.port, 50, HALF_HEADER):
        assert_answered_in_time(server)


def test_clients_stalled_in_their_bodies_keep_nobody_waiting(server):
    head = server.post_head(len(NEW_CLAIM))
    with stalled(server.port, 20, head + NEW_CLAIM[:10]):
        assert_answered_in_time(server)


def test_a_body_over_the_limit_is_refused_without_waiting_for_it(server):
    with stalled(server.port, 1, server.post_head(2 * 1024 * 1024)) as (sock,):
        sock.settimeout(5)
        assert sock.makefile("rb").readline().startswith(b"HTTP/1.1 413 ")


@pytest.mark.parametrize(
    "header",
    [b"Idempotency-Key: a\x00b", b"X-Folded: one\r\n two", b"Bad Name: x"],
    ids=["nul", "folded", "space-in-name"],
)
def test_a_request_the_server_cannot_parse_gets_a_problem_document(server, header):
    """gunicorn refuses such requests before the app sees them; its answer is a problem
    document like every other error (app.serving.write_problem), not an HTML page."""
    request = b"GET /api/v1/claims HTTP/1.1\r\nHost: x\r\n" + header + b"\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"Content-Type: application/problem+json" in head
    problem = json.loads(body)
    assert problem["status"] == 400 and problem["title"] == "Bad Request"


def test_a_client_gets_a_few_seconds_for_its_headers_then_is_cut_off(server):
    started = time.monotonic()
    with stalled(server.port, 1, HALF_HEADER) as (sock,):
        sock.settimeout(20)
        assert sock.recv(1024) == b""
    # gunicorn.conf.py: keepalive = 5 also bounds the wait for a request's headers.
    assert 4 < time.monotonic() - started < 10


def test_the_access_log_has_paths_without_query_strings(server):
    assert server.get("/healthz?key=feed-key-that-must-not-be-logged")[0] == 200
    deadline = time.monotonic() + 5
    while "feed-key" not in (log := server.access_log.read_text()) and time.monotonic() < deadline:
        if '"GET /healthz HTTP/1.1" 200' in log.splitlines()[-1]:
            break
        time.sleep(0.1)
    assert '"GET /healthz HTTP/1.1" 200' in log
    assert "feed-key" not in log


def test_stopping_finishes_the_requests_in_hand(tmp_path):
    with running_server(BACKEND, tmp_path) as server:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        sock.sendall(server.post_head(len(NEW_CLAIM)) + NEW_CLAIM[:10])
        time.sleep(0.5)
        server.process.terminate()
        time.sleep(1)
        assert server.process.poll() is None, "the server must wait for the request in hand"
        sock.sendall(NEW_CLAIM[10:])
        answer = sock.makefile("rb").readline()
        sock.close()
        assert answer.startswith(b"HTTP/1.1 201 ")
        assert server.process.wait(timeout=25) == 0

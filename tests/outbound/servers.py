"""Real HTTP servers on loopback addresses, in threads, that record every connection and request.

A route is a function of the request handler; `reply` answers with a whole body. Servers speak
HTTP/1.1 with keep-alive, so a test can see whether a client reused its connection.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Route = Callable[["Handler"], None]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self.server.owner.handle(self)

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests assert on what was seen instead."""


def reply(
    handler: Handler, status: int = 200, body: bytes = b"", headers: dict[str, str] | None = None
) -> None:
    """Answer with `status`, `headers` and the whole `body` (Content-Length set)."""
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: LocalServer, host: str, port: int) -> None:
        self.owner = owner
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), Handler)

    def verify_request(self, request: object, client_address: object) -> bool:
        with self.owner.lock:
            self.owner.connections += 1
        return True


class LocalServer:
    """An HTTP (or, with `tls`, HTTPS) server on `host`:`port`; port 0 picks a free one."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None):
        self.lock = threading.Lock()
        self.connections = 0
        self.seen: list[Seen] = []
        self.routes: dict[str, Route] = {}
        self._server = _Server(self, host, port)
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.host = host
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    @property
    def netloc(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def url(self, path: str = "/", host: str | None = None) -> str:
        """This server's URL for `path`, optionally under another host name."""
        return f"http://{host}:{self.port}{path}" if host else f"http://{self.netloc}{path}"

    def handle(self, handler: Handler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        with self.lock:
            self.seen.append(
                Seen(handler.command, handler.path, dict(handler.headers.items()), body)
            )
        route = self.routes.get(handler.path.split("?")[0])
        if route is None:
            reply(handler, 404, b"not found")
        else:
            route(handler)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextlib.contextmanager
def running(host: str = "127.0.0.1", port: int = 0) -> Iterator[LocalServer]:
    server = LocalServer(host, port)
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def twins() -> Iterator[tuple[LocalServer, LocalServer]]:
    """Two servers on one port: 127.0.0.2 (the tests' stand-in public host) and 127.0.0.1."""
    for _ in range(20):
        stand_in = LocalServer("127.0.0.2")
        try:
            loopback = LocalServer("127.0.0.1", stand_in.port)
        except OSError:  # that port is taken on 127.0.0.1: try another
            stand_in.stop()
            continue
        try:
            yield stand_in, loopback
        finally:
            stand_in.stop()
            loopback.stop()
        return
    raise RuntimeError("no port free on both 127.0.0.1 and 127.0.0.2")

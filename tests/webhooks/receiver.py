"""A real webhook receiver: an HTTP server thread that checks every signature as it arrives.

Each path is an endpoint. A path with a secret (`expect`) has every request verified with the
`standardwebhooks` package (`Webhook(secret).verify(body, headers)`), as a receiver in the
wild would; a request that fails is recorded in `refused` and answered 401. Answers are
scripted per path: lists of statuses and delays used in turn (the last repeats),
or a hold that keeps the request open until released.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

from tests.outbound.servers import Handler, LocalServer, Seen, reply


@dataclass
class Received:
    """One request as the receiver saw it, and what its verified body said."""

    path: str
    headers: dict[str, str]
    body: bytes
    payload: Any

    @property
    def webhook_id(self) -> str:
        return self.headers.get("webhook-id", "")

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Script:
    """How one path answers."""

    secret: str | None = None
    statuses: list[int] = field(default_factory=lambda: [200])
    delays: list[float] = field(default_factory=lambda: [0.0])
    body: bytes = b"ok"
    hold: threading.Event | None = None
    holding: threading.Event = field(default_factory=threading.Event)


class _Server(LocalServer):
    """The tests' local server, handing each request's own body to the receiver."""

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        super().__init__("127.0.0.1")

    def handle(self, handler: Handler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        seen = Seen(handler.command, handler.path, dict(handler.headers.items()), body)
        with self.lock:
            self.seen.append(seen)
        if handler.path.split("?")[0] not in self.receiver.scripts:
            reply(handler, 404, b"not found")
            return
        self.receiver.handle(handler, seen)


class Receiver:
    """A receiver on 127.0.0.1; `url(path)` is an endpoint's URL."""

    def __init__(self) -> None:
        self.server = _Server(self)
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.refused: list[tuple[str, str]] = []
        self.scripts: dict[str, Script] = {}
        self.answered: dict[str, int] = {}

    def url(self, path: str) -> str:
        return self.server.url(path)

    def expect(self, path: str, secret: str | None, **script: Any) -> Script:
        """Route `path`: verify with `secret` (None: do not verify) and answer as scripted."""
        self.scripts[path] = Script(secret=secret, **script)
        return self.scripts[path]

    def handle(self, handler: Handler, seen: Seen) -> None:
        path = handler.path.split("?")[0]
        script = self.scripts[path]
        headers = {name.lower(): value for name, value in seen.headers.items()}
        payload = None
        if script.secret is not None:
            try:
                payload = Webhook(script.secret).verify(seen.body, headers)
            except WebhookVerificationError as exc:
                with self.lock:
                    self.refused.append((path, str(exc)))
                reply(handler, 401, b"bad signature")
                return
        with self.lock:
            self.received.append(Received(path, headers, seen.body, payload))
            turn = self.answered.get(path, 0)
            self.answered[path] = turn + 1
        if script.hold is not None and turn == 0:
            script.holding.set()
            script.hold.wait(timeout=120)
        delay = script.delays[min(turn, len(script.delays) - 1)]
        if delay:
            time.sleep(delay)
        status = script.statuses[min(turn, len(script.statuses) - 1)]
        # A sender that gave up waiting has closed the connection: nobody to answer.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            reply(handler, status, script.body, {"Content-Type": "text/plain"})

    def at(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == path]

    def stop(self) -> None:
        for script in self.scripts.values():
            if script.hold is not None:
                script.hold.set()
        self.server.stop()

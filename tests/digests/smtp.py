"""A real SMTP server for the digest tests (aiosmtpd in a thread) with scriptable replies."""

from __future__ import annotations

import asyncio
import email
import socket
import ssl
import threading
from collections import deque
from dataclasses import dataclass, field
from email.message import Message

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


def free_port() -> int:
    """An ephemeral port nobody listens on (aiosmtpd's Controller cannot bind port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Mailbox:
    """Messages received (after DATA), and what to answer next."""

    messages: list[Message] = field(default_factory=list)
    # Replies to the next DATA commands, e.g. "451 4.3.0 Try again later"; then "250 OK".
    replies: deque[str] = field(default_factory=deque)
    # When set, the first DATA is recorded and its reply held until `release` is set.
    hold_first: bool = False
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:
        reply = self.replies.popleft() if self.replies else "250 OK"
        if reply.startswith("250"):
            with self.lock:
                self.messages.append(email.message_from_bytes(envelope.original_content))
        if self.hold_first and not self.holding.is_set():
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        return reply

    def recipients(self) -> list[str]:
        return [str(m["To"]).split("<")[-1].rstrip(">") for m in self.messages]


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1; `url` is what SMTP_URL should say."""

    def __init__(self, mailbox: Mailbox | None = None, port: int | None = None) -> None:
        self.mailbox = mailbox or Mailbox()
        self.port = port or free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.mailbox.release.set()
        self.controller.stop()


class AuthServer:
    """An aiosmtpd server that accepts any login and records the credentials it received;
    given a `ca`, it offers STARTTLS (a certificate from that CA) and refuses AUTH before it,
    else it offers AUTH on the plain connection and no STARTTLS."""

    def __init__(self, ca: trustme.CA | None = None) -> None:
        self.mailbox = Mailbox()
        self.logins: list[tuple[bytes, bytes]] = []
        self.port = free_port()
        tls = {}
        if ca is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ca.issue_cert("127.0.0.1").configure_cert(context)
            tls = {"tls_context": context, "require_starttls": True}
        self.controller = Controller(
            self.mailbox,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self.authenticate,
            auth_require_tls=ca is not None,
            **tls,
        )

    def authenticate(self, _server, _session, _envelope, _mechanism, data) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login, data.password))
        return AuthResult(success=True)

    def __enter__(self) -> AuthServer:
        self.controller.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.controller.stop()

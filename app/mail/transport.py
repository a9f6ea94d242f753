"""Getting messages out: SMTP from SMTP_URL (one connection per batch), or .eml files.

`SMTP_URL` is `smtp://[user:password@]host[:port]` or `smtps://...` (TLS from the first byte,
port 465 by default). With `smtp://` STARTTLS is used whenever the server offers it; add
`?starttls=require` to refuse a server that does not (a downgrade), or `?starttls=off` for a
local relay without TLS. A login is attempted only when the URL has a user, and only over an
encrypted connection: with a user, `auto` means `require`, and `off` is refused (at start-up
by app/config.py, and here again), so the password never crosses the network in the clear.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

SMTP_TIMEOUT = 30.0


class TemporaryFailure(Exception):
    """Try again later: a 4xx reply, or no connection."""


class ConnectionFailure(TemporaryFailure):
    """No usable connection: every message still waiting in the batch is retried later."""


class PermanentFailure(Exception):
    """The server refused the message for good (5xx); the text is its answer."""


class Transport(Protocol):
    def send(self, sender: str, recipient: str, data: bytes, message_id: str) -> None: ...

    def close(self) -> None: ...


def _reply_text(code: int, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {text}".strip()


def _classify(code: int, text: bytes | str) -> Exception:
    reply = _reply_text(code, text)
    return PermanentFailure(reply) if 500 <= code < 600 else TemporaryFailure(reply)


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    implicit_tls: bool
    starttls: str
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> SmtpConfig:
        parts = urlsplit(url)
        implicit = parts.scheme == "smtps"
        starttls = parse_qs(parts.query).get("starttls", ["auto"])[0]
        if starttls not in {"auto", "require", "off"}:
            raise ValueError("SMTP_URL ?starttls= must be auto, require or off")
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or (465 if implicit else 25),
            implicit_tls=implicit,
            starttls=starttls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


class SmtpTransport:
    """One SMTP connection, opened on first use and reopened after the server drops it."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        context = ssl.create_default_context()
        try:
            if cfg.implicit_tls:
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    cfg.host, cfg.port, timeout=SMTP_TIMEOUT, context=context
                )
            else:
                conn = smtplib.SMTP(cfg.host, cfg.port, timeout=SMTP_TIMEOUT)
            conn.ehlo()
            encrypted = cfg.implicit_tls
            if not encrypted and cfg.starttls != "off" and conn.has_extn("starttls"):
                conn.starttls(context=context)
                conn.ehlo()
                encrypted = True
            if not encrypted and (cfg.username or cfg.starttls == "require"):
                conn.close()
                raise ConnectionFailure(self._why_unencrypted())
            if cfg.username:
                conn.login(cfg.username, cfg.password or "")
        except smtplib.SMTPResponseException as exc:
            # Even a 5xx here (a refused login, say) is about the setup, not one message:
            # the whole batch waits and is retried, and the reply is kept on every row.
            reply = _reply_text(exc.smtp_code, exc.smtp_error)
            raise ConnectionFailure(f"{cfg.host}:{cfg.port} refused the session: {reply}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise ConnectionFailure(f"cannot reach {cfg.host}:{cfg.port}: {exc}") from exc
        return conn

    def _why_unencrypted(self) -> str:
        cfg = self.config
        if cfg.starttls == "off":
            return f"not sending the SMTP password unencrypted to {cfg.host} (?starttls=off)"
        if cfg.username:
            return f"{cfg.host} does not offer STARTTLS: not sending the SMTP password unencrypted"
        return f"{cfg.host} does not offer STARTTLS (SMTP_URL says ?starttls=require)"

    def send(self, sender: str, recipient: str, data: bytes, message_id: str) -> None:
        """Send one message (wire bytes, CRLF); raise TemporaryFailure or PermanentFailure."""
        if self.connection is None:
            self.connection = self._connect()
        try:
            refused = self.connection.sendmail(sender, [recipient], data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _classify(code, text) from exc
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:
                self._drop()
            raise _classify(exc.smtp_code, exc.smtp_error) from exc
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self._drop()
            raise ConnectionFailure(f"connection lost: {exc}") from exc
        if refused:
            code, text = next(iter(refused.values()))
            raise _classify(code, text)

    def _drop(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.quit()
            self._drop()


class EmlTransport:
    """Writes each message to `<outbox>/<Message-ID>.eml`: a retry overwrites, never doubles."""

    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox

    def send(self, sender: str, recipient: str, data: bytes, message_id: str) -> None:
        self.outbox.mkdir(parents=True, exist_ok=True)
        name = "".join(ch for ch in message_id if ch.isalnum() or ch in ".-@_")
        target = self.outbox / f"{name}.eml"
        partial = target.with_suffix(".eml.part")
        partial.write_bytes(data)
        partial.replace(target)

    def close(self) -> None:
        pass


def open_transport(smtp_url: str | None, instance_path: Path) -> Transport:
    """SMTP when SMTP_URL is set, else .eml files under instance/outbox/."""
    if smtp_url:
        return SmtpTransport(SmtpConfig.from_url(smtp_url))
    return EmlTransport(instance_path / "outbox")


class Closing:
    """`with Closing(transport):` closes the connection at the end of a batch."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def __enter__(self) -> Transport:
        return self.transport

    def __exit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.transport.close()

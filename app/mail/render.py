"""Turning a digest's content into an email: text and HTML parts from Jinja templates."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.accounts.unsubscribe import unsubscribe_url
from app.claims.policy import DEFAULT_POLICY, DeskPolicy
from app.mail.content import DigestContent, Section
from app.mail.lines import lines
from app.mail.mime import (
    address,
    compose,
    quoted_printable,
    reformat_address,
    wire_address,
)
from app.present.dates import format_instant, zone_named

TEMPLATES = Path(__file__).parent / "templates"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class MailSettings:
    """What rendering needs from the app's config."""

    public_url: str
    secret_key: str
    mail_from: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        return cls(
            public_url=config["PUBLIC_URL"],
            secret_key=config["SECRET_KEY"],
            mail_from=config["MAIL_FROM"],
        )


@dataclass(frozen=True)
class RenderedDigest:
    """A digest ready to show (preview) or send (`data`: the whole message, wire format)."""

    subject: str
    text: str
    html: str
    recipient: str
    message_id: str
    data: bytes


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["local"] = _local_time
    return env


def _local_time(value: datetime, zone_name: str) -> str:
    """The one date format of `app.present`, in the reader's zone."""
    return format_instant(value, zone_named(zone_name))


def subject_of(content: DigestContent) -> str:
    """Counts only: no user-entered text ever reaches a header."""
    parts = [
        (content.overdue.total, "newly overdue"),
        (content.closing.total, "closing this week"),
        (content.resolved.total, "resolved"),
        (content.assigned.total, "assigned to you"),
        (content.leads.total, "new leads on your claims"),
    ]
    said = [f"{n} {label}" for n, label in parts if n]
    return "Claimwatch digest: " + (", ".join(said) if said else "nothing new")


def display_name(name: str) -> str:
    """A display name safe for a header (the policy encodes it; we drop control characters)."""
    return _CONTROL.sub(" ", name).strip()[:120]


@dataclass(frozen=True)
class Fragment:
    """Rendered text and HTML, with their quoted-printable wire form."""

    text: str
    html: str
    text_qp: bytes
    html_qp: bytes


def _fragment(env: Environment, name: str, context: dict[str, object]) -> Fragment:
    text = env.get_template(f"{name}.txt").render(context)
    html = env.get_template(f"{name}.html").render(context)
    return Fragment(text, html, quoted_printable(text), quoted_printable(html))


@lru_cache(maxsize=64)
def _shared_sections(
    overdue: Section,
    closing: Section,
    resolved: Section,
    timezone: str,
    claim_url: str,
    minute: datetime,
    policy: DeskPolicy,
) -> Fragment:
    """The sections every reader of a range shares: rendered and encoded once per range, zone
    and minute of sending (they are most of a digest's bytes; readers differ only in the head
    and tail; "closes in 3 days" is said as of the minute the digest is sent)."""
    zone = zone_named(timezone)
    context: dict[str, object] = {
        "overdue": overdue,
        "closing": closing,
        "resolved": resolved,
        "rows": {
            "overdue": lines(overdue, zone, minute, policy),
            "closing": lines(closing, zone, minute, policy),
            "resolved": lines(resolved, zone, minute, policy),
        },
        "tz": timezone,
        "claim_url": claim_url,
    }
    return _fragment(_environment(), "shared", context)


def render_digest(
    content: DigestContent,
    mail: MailSettings,
    sent_at: datetime,
    policy: DeskPolicy = DEFAULT_POLICY,
) -> RenderedDigest:
    """The `multipart/alternative` message for one digest, with its stored Message-ID, dated
    `sent_at` (the moment it is sent) and saying how soon each deadline is as of then;
    UnsendableMessage when it cannot be sent at all."""
    recipient = wire_address(content.email)
    unsubscribe = unsubscribe_url(
        mail.public_url, mail.secret_key, content.user_id, content.reader.unsubscribe_mark
    )
    claim_url = f"{mail.public_url}/claims/"
    minute = sent_at.replace(second=0, microsecond=0)
    shared = _shared_sections(
        content.overdue,
        content.closing,
        content.resolved,
        content.timezone,
        claim_url,
        minute,
        policy,
    )
    zone = zone_named(content.timezone)
    context: dict[str, object] = {
        "d": content,
        "assigned": lines(content.assigned, zone, minute, policy),
        "claim_url": claim_url,
        "settings_url": f"{mail.public_url}/settings",
        "unsubscribe_url": unsubscribe,
    }
    env = _environment()
    head = _fragment(env, "head", context)
    tail = _fragment(env, "tail", context)
    subject = subject_of(content)
    headers = [
        ("Subject", subject),
        ("From", reformat_address(mail.mail_from)),
        ("To", address(display_name(content.name), recipient)),
        ("Date", format_datetime(sent_at)),
        ("Message-ID", content.message_id),
        ("List-Unsubscribe", f"<{unsubscribe}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ("Auto-Submitted", "auto-generated"),
    ]
    # Each piece ends a line, so their encodings concatenate to the encoding of the whole.
    data = compose(
        headers,
        head.text_qp + shared.text_qp + tail.text_qp,
        head.html_qp + shared.html_qp + tail.html_qp,
    )
    return RenderedDigest(
        subject,
        head.text + shared.text + tail.text,
        head.html + shared.html + tail.html,
        recipient,
        content.message_id,
        data,
    )

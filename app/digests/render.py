"""Turning a digest's content into an email: text and HTML parts from Jinja templates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from functools import cache, lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from app.digests.build import DigestContent, Section
from app.digests.mime import address, compose, reformat_address
from app.digests.periods import zone_of
from app.digests.unsubscribe import unsubscribe_url

TEMPLATES = Path(__file__).parent / "templates" / "mail"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class MailSettings:
    """What rendering needs from the app's config."""

    public_url: str
    secret_key: str
    mail_from: str


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
    return value.astimezone(zone_of(zone_name)).strftime("%a %d %b %Y %H:%M %Z")


def subject_of(content: DigestContent) -> str:
    """Counts only: no user-entered text ever reaches a header."""
    parts = [
        (content.overdue.total, "newly overdue"),
        (content.closing.total, "closing this week"),
        (content.resolved.total, "resolved"),
        (content.assigned.total, "assigned to you"),
    ]
    said = [f"{n} {label}" for n, label in parts if n]
    return "Claimwatch digest: " + (", ".join(said) if said else "nothing new")


def display_name(name: str) -> str:
    """A display name safe for a header (the policy encodes it; we drop control characters)."""
    return _CONTROL.sub(" ", name).strip()[:120]


@lru_cache(maxsize=64)
def _shared_sections(
    overdue: Section, closing: Section, resolved: Section, timezone: str, claim_url: str
) -> tuple[str, Markup]:
    """The sections every reader of a range shares, rendered once per range and zone."""
    env = _environment()
    context = {
        "overdue": overdue,
        "closing": closing,
        "resolved": resolved,
        "tz": timezone,
        "claim_url": claim_url,
    }
    text = env.get_template("shared.txt").render(context)
    html = Markup(env.get_template("shared.html").render(context))  # noqa: S704 (autoescaped)
    return text, html


def render_digest(content: DigestContent, mail: MailSettings) -> RenderedDigest:
    """The `multipart/alternative` message for one digest, with its stored Message-ID."""
    unsubscribe = unsubscribe_url(mail.public_url, mail.secret_key, content.user_id)
    claim_url = f"{mail.public_url}/claims/"
    shared_text, shared_html = _shared_sections(
        content.overdue, content.closing, content.resolved, content.timezone, claim_url
    )
    context = {
        "d": content,
        "claim_url": claim_url,
        "settings_url": f"{mail.public_url}/settings",
        "unsubscribe_url": unsubscribe,
    }
    env = _environment()
    text = env.get_template("digest.txt").render(context, shared=shared_text)
    html = env.get_template("digest.html").render(context, shared=shared_html)
    subject = subject_of(content)
    headers = [
        ("Subject", subject),
        ("From", reformat_address(mail.mail_from)),
        ("To", address(display_name(content.name), content.email)),
        ("Date", format_datetime(content.until)),
        ("Message-ID", content.message_id),
        ("List-Unsubscribe", f"<{unsubscribe}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ("Auto-Submitted", "auto-generated"),
    ]
    data = compose(headers, text, html)
    return RenderedDigest(subject, text, html, content.email, content.message_id, data)

"""Turning a digest's content into an email: text and HTML parts from Jinja templates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.digests.build import DigestContent
from app.digests.periods import zone_of
from app.digests.unsubscribe import unsubscribe_url

TEMPLATES = Path(__file__).parent / "templates" / "mail"
# The default policy, but folding only past SMTP's own limit: a long List-Unsubscribe URL must
# stay one token, never become an RFC 2047 encoded word that mail clients cannot follow.
MAIL_POLICY = policy.default.clone(max_line_length=998)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class MailSettings:
    """What rendering needs from the app's config."""

    public_url: str
    secret_key: str
    mail_from: str


@dataclass(frozen=True)
class RenderedDigest:
    """A digest ready to show (preview) or send."""

    subject: str
    text: str
    html: str
    message: EmailMessage


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


def render_digest(content: DigestContent, mail: MailSettings) -> RenderedDigest:
    """The `multipart/alternative` message for one digest, with its stored Message-ID."""
    unsubscribe = unsubscribe_url(mail.public_url, mail.secret_key, content.user_id)
    context = {
        "d": content,
        "claim_url": f"{mail.public_url}/claims/",
        "settings_url": f"{mail.public_url}/settings",
        "unsubscribe_url": unsubscribe,
    }
    env = _environment()
    text = env.get_template("digest.txt").render(context)
    html = env.get_template("digest.html").render(context)
    subject = subject_of(content)

    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = subject
    message["From"] = mail.mail_from
    message["To"] = Address(display_name=display_name(content.name), addr_spec=content.email)
    message["Date"] = format_datetime(content.until)
    message["Message-ID"] = content.message_id
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return RenderedDigest(subject, text, html, message)

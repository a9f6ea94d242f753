"""Signed one-click unsubscribe tokens (RFC 8058): made for digest emails, read by the page that
turns a reader's digest off.

The token travels in the link's query string, which the access log never records (the log
keeps paths only). It names the reader and the digest settings it was made under: once the
settings change — the link was used, or the reader turned digests on again — an old link
cannot turn them off again, so a forwarded or leaked email is no lasting key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.models import User

# Long enough for a digest read weeks later; short enough that old mail stops being a key.
LINK_LIFETIME = timedelta(days=60)
_SALT = "claimwatch.digest-unsubscribe"
PATH = "/digests/unsubscribe"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def settings_mark(frequency: str, hour: int, timezone: str) -> str:
    """A short digest of a reader's digest settings: it changes whenever they do."""
    return hashlib.sha256(f"{frequency}|{hour}|{timezone}".encode()).hexdigest()[:16]


def mark_of(user: User) -> str:
    return settings_mark(user.digest_frequency, user.digest_hour, user.timezone)


def make_token(secret_key: str, user_id: int, mark: str) -> str:
    return _serializer(secret_key).dumps({"u": user_id, "s": mark})


@dataclass(frozen=True)
class UnsubscribeToken:
    user_id: int
    mark: str


def read_token(secret_key: str, token: str) -> UnsubscribeToken | None:
    """What a valid, unexpired token names; None otherwise."""
    try:
        data = _serializer(secret_key).loads(token, max_age=LINK_LIFETIME.total_seconds())
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user_id, mark = data.get("u"), data.get("s")
    if not isinstance(user_id, int) or not isinstance(mark, str):
        return None
    return UnsubscribeToken(user_id, mark)


def unsubscribe_url(public_url: str, secret_key: str, user_id: int, mark: str) -> str:
    return f"{public_url}{PATH}?token={make_token(secret_key, user_id, mark)}"

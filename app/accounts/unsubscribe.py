"""Signed, expiring one-click unsubscribe tokens (RFC 8058): made for digest emails, read by the
page that turns a reader's digest off."""

from __future__ import annotations

from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer

# Long enough for a digest read weeks later; short enough that old mail stops being a key.
LINK_LIFETIME = timedelta(days=60)
_SALT = "claimwatch.digest-unsubscribe"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def make_token(secret_key: str, user_id: int) -> str:
    return _serializer(secret_key).dumps({"u": user_id})


def read_token(secret_key: str, token: str) -> int | None:
    """The user id in a valid, unexpired token; None otherwise."""
    try:
        data = _serializer(secret_key).loads(token, max_age=LINK_LIFETIME.total_seconds())
    except BadSignature:
        return None
    user_id = data.get("u") if isinstance(data, dict) else None
    return user_id if isinstance(user_id, int) else None


def unsubscribe_url(public_url: str, secret_key: str, user_id: int) -> str:
    return f"{public_url}/digests/unsubscribe/{make_token(secret_key, user_id)}"

"""Bearer-token authentication for the API; the web session cookie is never looked at.

401 when the token is missing, unknown, expired or revoked; 403 when the token's scope or its
user's role does not allow the call (the role check itself is the domain's `require_writer`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import g, request

from app.accounts.tokens import find_usable_token
from app.api.errors import ApiError
from app.claims.access import require_writer
from app.claims.errors import PermissionDenied
from app.db import get_session
from app.models import ApiToken, TokenScope, User

# `last_used_at` is "last used, to the minute": writing it on every read would turn each
# read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="claimwatch"'}


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(
            401,
            "Authentication required",
            "send an API token as `Authorization: Bearer <token>`",
            **CHALLENGE,
        )
    return secret.strip()


def authenticate(now: datetime, scope: TokenScope) -> User:
    """The user behind the request's token, if the token allows `scope`; else 401/403."""
    token = find_usable_token(get_session(), _bearer(), now)
    if token is None:
        raise ApiError(
            401,
            "Invalid token",
            "the token is unknown, expired or revoked",
            **{"WWW-Authenticate": 'Bearer realm="claimwatch", error="invalid_token"'},
        )
    _touch(token, now)
    if scope is TokenScope.WRITE:
        if token.scope != TokenScope.WRITE:
            raise PermissionDenied("this token has the read scope; writing needs a write token")
        require_writer(token.user)
    g.api_token = token
    return token.user


def _touch(token: ApiToken, now: datetime) -> None:
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        # Committed with the request's work, or on its own for reads.
        g.api_token_touched = True

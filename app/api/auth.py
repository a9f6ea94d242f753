"""Bearer-token authentication for the API; the web session cookie is never looked at.

401 when the token is missing, unknown, expired or revoked; 403 when the token's scope or its
user's role does not allow the call (the role check itself is the domain's `require_writer`).
Reads check the token on the read connection; a write checks it in the request's unit of
work. A token's `last_used_at` is written through the unit of work, to the minute.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from flask import current_app, g, request

from app.accounts.tokens import (
    TokenGrant,
    TokenUser,
    find_token_grant,
    hash_token,
    record_use,
)
from app.api.auth_limits import refuse_when_over_limit
from app.api.errors import ApiError
from app.claims.access import require_writer
from app.claims.errors import PermissionDenied
from app.models import TokenScope
from app.unit_of_work import get_session, read_connection

# `last_used_at` is "last used, to the minute": writing it on every read would turn each
# read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_CACHED_TOKENS = 10_000
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


class ReadTokenCache:
    """Tokens verified in the last `ttl`, so that reads skip the token query.

    The price: a revoked or expired token, or a deactivated user, can still *read* for up to
    `ttl`. Off by default (API_READ_TOKEN_CACHE_SECONDS=0); writes always check the database.
    """

    def __init__(self, ttl: timedelta) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[datetime, datetime | None]] = {}
        self._lock = threading.Lock()

    def allows(self, secret: str, now: datetime) -> bool:
        if self.ttl <= timedelta(0):
            return False
        entry = self._entries.get(hash_token(secret))
        if entry is None:
            return False
        checked_until, expires_at = entry
        return now < checked_until and (expires_at is None or now < expires_at)

    def remember(self, secret: str, expires_at: datetime | None, now: datetime) -> None:
        if self.ttl <= timedelta(0):
            return
        with self._lock:
            if len(self._entries) > MAX_CACHED_TOKENS:
                self._entries.clear()
            self._entries[hash_token(secret)] = (now + self.ttl, expires_at)


def read_cache() -> ReadTokenCache:
    """The app's cache of recently verified read tokens (API_READ_TOKEN_CACHE_SECONDS)."""
    cache = current_app.extensions.get("claimwatch.api_token_cache")
    if cache is None:
        seconds = float(current_app.config.get("API_READ_TOKEN_CACHE_SECONDS", 0))
        cache = ReadTokenCache(timedelta(seconds=seconds))
        current_app.extensions["claimwatch.api_token_cache"] = cache
    return cache


def _invalid_token() -> ApiError:
    refuse_when_over_limit()  # 429 instead, once this address has failed too often
    return ApiError(
        401,
        "Invalid token",
        "the token is unknown, expired or revoked",
        **{"WWW-Authenticate": 'Bearer realm="claimwatch", error="invalid_token"'},
    )


def authenticate(now: datetime) -> None:
    """Check that the request's token may read (401 if not); `authenticate_writer` is for
    writes."""
    secret = _bearer()
    cache = read_cache()
    if cache.allows(secret, now):
        return
    grant = find_token_grant(read_connection(), secret, now)
    if grant is None:
        raise _invalid_token()
    _touch(grant, now)
    cache.remember(secret, grant.expires_at, now)


def authenticate_writer(now: datetime) -> TokenUser:
    """The user behind a write token (the actor of the change), checked in the request's unit
    of work every time; 401 / 403. Asked twice in one request (the Idempotency-Key layer, then
    the view), the token is checked once."""
    writer: TokenUser | None = g.get("api_writer")
    if writer is not None:
        return writer
    grant = find_token_grant(get_session().connection(), _bearer(), now)
    if grant is None:
        raise _invalid_token()
    if grant.scope != TokenScope.WRITE:
        raise PermissionDenied("this token has the read scope; writing needs a write token")
    require_writer(grant.user)
    _touch(grant, now)
    g.api_writer = grant.user
    return grant.user


def authenticate_admin(now: datetime, *, write: bool = False) -> TokenUser:
    """The admin behind the request's token (webhooks): any scope to read, the write scope to
    change; 401 / 403, before anything about the request itself is looked at."""
    if write:
        user = authenticate_writer(now)
    else:
        grant = find_token_grant(read_connection(), _bearer(), now)
        if grant is None:
            raise _invalid_token()
        _touch(grant, now)
        user = grant.user
    if not user.is_admin:
        raise PermissionDenied("only admins manage webhooks")
    return user


def _touch(grant: TokenGrant, now: datetime) -> None:
    if grant.last_used_at is None or now - grant.last_used_at >= LAST_USED_RESOLUTION:
        record_use(get_session(), grant.token_id, now)

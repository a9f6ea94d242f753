"""Bearer-token authentication for the API; the web session cookie is never looked at.

401 when the token is missing, unknown, expired or revoked; 403 when the token's scope or its
user's role does not allow the call (the role check itself is the domain's `require_writer`).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from flask import current_app, g, request
from sqlalchemy.engine import Connection

from app.accounts.tokens import TokenUser, find_token_grant, hash_token, record_use
from app.api.auth_limits import refuse_when_over_limit
from app.api.errors import ApiError
from app.claims.access import require_writer
from app.claims.errors import PermissionDenied
from app.db import autocommit_connection, get_session
from app.models import TokenScope

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

    Why: on the list and single-claim reads the token lookup is a third of the request's
    database time (docs/benchmarks.md). The price: a revoked or expired token, or a deactivated
    user, can still *read* for up to `ttl` (5 s by default). Writes always check the database.
    `last_used_at` is still kept to the minute, since every refresh goes to the database.
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
    """The app's cache; `API_READ_TOKEN_CACHE_SECONDS` (default 0: off, so a revoked token
    stops reading at once; a few seconds trade that for one query less per read)."""
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


def authenticate(now: datetime, scope: TokenScope = TokenScope.READ) -> None:
    """Check that the request's token may read (401 if not); use `authenticate_writer` for
    writes.

    Reads check the token as plain columns (no ORM objects), and may be answered from the
    per-process cache of recently verified tokens (see `ReadTokenCache`).
    """
    if scope is TokenScope.WRITE:
        authenticate_writer(now)
        return
    secret = _bearer()
    cache = read_cache()
    if cache.allows(secret, now):
        return
    connection = autocommit_connection()
    grant = find_token_grant(connection, secret, now)
    if grant is None:
        raise _invalid_token()
    if _due_for_touch(grant.last_used_at, now):
        record_use(connection, grant.token_id, now)
        g.api_token_touched = True  # committed after the response is built (app.api)
    cache.remember(secret, grant.expires_at, now)


def authenticate_writer(now: datetime, connection: Connection | None = None) -> TokenUser:
    """The user behind a write token (the actor of the change), checked in the database every
    time (on `connection`, by default the session's); 401 / 403."""
    connection = connection or get_session().connection()
    grant = find_token_grant(connection, _bearer(), now)
    if grant is None:
        raise _invalid_token()
    if _due_for_touch(grant.last_used_at, now):
        record_use(connection, grant.token_id, now)  # committed with the work
        g.api_token_touched = True
    if grant.scope != TokenScope.WRITE:
        raise PermissionDenied("this token has the read scope; writing needs a write token")
    require_writer(grant.user)
    return grant.user


def _due_for_touch(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION

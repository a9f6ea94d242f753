"""Bearer-token authentication for the API; the web session cookie is never looked at.

401 when the token is missing, unknown, expired or revoked; 403 when the token's scope or its
user's role does not allow the call (the role check itself is the domain's `require_writer`).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from flask import current_app, g, request
from sqlalchemy import Select, bindparam, select, type_coerce
from sqlalchemy.engine import Connection, Row

from app.accounts.tokens import (
    GRANT,
    GRANT_WIDTH,
    TOKEN_PREFIX,
    TokenGrant,
    TokenUser,
    find_token_grant,
    grant_from_row,
    hash_token,
    record_use,
)
from app.api.auth_limits import refuse_when_over_limit
from app.api.errors import ApiError
from app.claims.access import require_writer
from app.claims.errors import PermissionDenied
from app.db import UTCDateTime, autocommit_connection, get_session
from app.models import TokenScope
from app.models.users import token_usable_sql

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


def authenticate(now: datetime) -> None:
    """Check that the request's token may read (401 if not); `authenticate_writer` is for
    writes.

    Reads check the token as plain columns (no ORM objects), and may be answered from the
    per-process cache of recently verified tokens (see `ReadTokenCache`).
    """
    secret = _bearer()
    cache = read_cache()
    if cache.allows(secret, now):
        return
    connection = autocommit_connection()
    _accept_reader(connection, find_token_grant(connection, secret, now), secret, now)


def _accept_reader(
    connection: Connection, grant: TokenGrant | None, secret: str, now: datetime
) -> None:
    if grant is None:
        raise _invalid_token()
    if _due_for_touch(grant.last_used_at, now):
        record_use(connection, grant.token_id, now)
        g.api_token_touched = True  # committed after the response is built (app.api)
    read_cache().remember(secret, grant.expires_at, now)


Order = tuple[tuple[str, bool], ...]  # (column label, descending) of a read's ORDER BY


def read_with_token_check(
    connection: Connection, read: Select[Any], params: dict[str, Any], now: datetime, order: Order
) -> list[Row[Any]]:
    """`read`'s rows, for a request whose token may read (401 if not, as `authenticate`).

    On PostgreSQL the token is checked in the same statement, one round trip instead of two
    (docs/benchmarks.md "api"): `read` runs as a LATERAL subquery beside the token's row, only
    when the token is usable, and its rows are put in `order` again outside. `read` must be a
    statement built once (its combined form is kept per statement) whose first column is never
    NULL.
    """
    secret = _bearer()
    if connection.dialect.name != "postgresql" or read_cache().allows(secret, now):
        authenticate(now)
        return list(connection.execute(read, params).all())
    if not secret.startswith(TOKEN_PREFIX):
        raise _invalid_token()
    params = {**params, "token_hash": hash_token(secret), "token_now": now}
    rows = connection.execute(_with_grant(read, order), params).all()
    _accept_reader(connection, grant_from_row(rows[0], now) if rows else None, secret, now)
    return [row[GRANT_WIDTH:] for row in rows if row[GRANT_WIDTH] is not None]


@lru_cache(maxsize=128)
def _with_grant(read: Select[Any], order: Order) -> Select[Any]:
    token = GRANT.subquery("token")
    # The token's columns come again on every row: as the driver reads them (aware instants
    # in the session's time zone, which compare as well), not through UTCDateTime's
    # per-value processing.
    plain = [
        type_coerce(column, column.type.impl) if isinstance(column.type, UTCDateTime) else column
        for column in token.c
    ]
    page = read.lateral("page")
    keys = [page.c[name].desc() if desc else page.c[name].asc() for name, desc in order]
    now = bindparam("token_now", type_=UTCDateTime())
    usable = token_usable_sql(token.c.revoked_at, token.c.expires_at, token.c.active, now)
    return select(*plain, page).select_from(token.outerjoin(page, usable)).order_by(*keys)


def authenticate_writer(now: datetime, connection: Connection | None = None) -> TokenUser:
    """The user behind a write token (the actor of the change), checked in the database every
    time (on `connection`, by default the session's); 401 / 403."""
    connection = connection or get_session().connection()
    grant = find_token_grant(connection, _bearer(), now)
    if grant is None:
        raise _invalid_token()
    if grant.scope != TokenScope.WRITE:
        raise PermissionDenied("this token has the read scope; writing needs a write token")
    require_writer(grant.user)
    if _due_for_touch(grant.last_used_at, now):
        # With the work's transaction, or at once on an autocommit connection (like reads).
        record_use(connection, grant.token_id, now)
        g.api_token_touched = True
    return grant.user


def _due_for_touch(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION

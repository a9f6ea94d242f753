"""API tokens: shown once, stored as a hash, scoped, expiring and revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.claims.errors import FieldErrors, ValidationError
from app.models import ApiToken, TokenRevocation, TokenScope, User
from app.models.users import AccountRules, token_usable

TOKEN_PREFIX = "cw_"  # noqa: S105 (a label, not a secret)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


MAX_LIFETIME_DAYS = 3650


def token_expiry(
    now: datetime, days: str | int | None, field: str = "expires_in"
) -> datetime | None:
    """When a token given `days` to live expires: None (never) for no value, else a whole
    number of days from 1 to MAX_LIFETIME_DAYS (a 422 naming `field` otherwise)."""
    if days is None or days == "":
        return None
    text = str(days)
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_LIFETIME_DAYS:
        raise ValidationError.single(
            field, f"must be a whole number of days from 1 to {MAX_LIFETIME_DAYS}"
        )
    return now + timedelta(days=int(text))


def create_token(
    session: Session,
    user: User,
    now: datetime,
    name: str,
    scope: str,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the token text, which is never kept."""
    errors = FieldErrors()
    if scope not in {s.value for s in TokenScope}:
        errors.add("scope", "must be read or write")
    if not name.strip() or len(name.strip()) > 100:
        errors.add("name", "is required, at most 100 characters")
    if expires_at is not None and expires_at <= now:
        errors.add("expires_at", "must be in the future")
    errors.raise_if_any()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip(),
        scope=scope,
        prefix=secret[:10],
        token_hash=hash_token(secret),
        created_at=now,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    return token, secret


@dataclass(frozen=True, slots=True)
class TokenUser(AccountRules):
    """The token's user as plain columns: who acts through the token (the domain needs only
    an actor's id, role and state, not the ORM row)."""

    id: int
    email: str
    name: str
    role: str
    active: bool


@dataclass(frozen=True)
class TokenGrant:
    """What a usable token allows, read as plain columns (no ORM objects)."""

    token_id: int
    scope: str
    expires_at: datetime | None
    last_used_at: datetime | None
    user: TokenUser


# What a token check reads; built once, so SQLAlchemy finds its compiled form by the memoized
# cache key.
GRANT = (
    select(
        ApiToken.id,
        ApiToken.scope,
        ApiToken.expires_at,
        ApiToken.revoked_at,
        ApiToken.last_used_at,
        User.id.label("user_id"),
        User.email,
        User.name,
        User.role,
        User.active,
    )
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def find_token_grant(connection: Connection, secret: str, now: datetime) -> TokenGrant | None:
    """What the token with this text allows, and its user, if the token is neither revoked
    nor expired and its user is active: one Core statement read as plain values (an API
    request's cheapest part, so no ORM objects)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    row = connection.execute(GRANT, {"token_hash": hash_token(secret)}).one_or_none()
    if row is None or not token_usable(row.revoked_at, row.expires_at, row.active, now):
        return None
    user = TokenUser(row.user_id, row.email, row.name, row.role, row.active)
    return TokenGrant(row.id, row.scope, row.expires_at, row.last_used_at, user)


def record_use(session: Session, token_id: int, now: datetime) -> None:
    """Set the token's `last_used_at`, in the caller's unit of work."""
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


def revoke_token(
    token: ApiToken, now: datetime, reason: TokenRevocation = TokenRevocation.BY_OWNER
) -> None:
    """Revoke the token for good (nothing makes a revoked token work again)."""
    if token.revoked_at is None:
        token.revoked_at, token.revoked_reason = now, reason.value


def revoke_all_tokens(
    session: Session, user_id: int, now: datetime, reason: TokenRevocation
) -> None:
    """Revoke every token of the user that still stands: a token minted from a session (or a
    stolen one) must not outlive a password change or the account's deactivation."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason.value)
    )

"""API tokens: shown once, stored as a hash, scoped, expiring and revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.claims.errors import FieldErrors
from app.models import ApiToken, TokenScope, User

TOKEN_PREFIX = "cw_"  # noqa: S105 (a label, not a secret)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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


def find_usable_token(session: Session, secret: str, now: datetime) -> ApiToken | None:
    """The token with this text, if it is neither revoked nor expired and its user is active."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = session.scalars(
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == hash_token(secret))
    ).one_or_none()
    return token if token is not None and token.usable_at(now) else None


def revoke_token(token: ApiToken, now: datetime) -> None:
    if token.revoked_at is None:
        token.revoked_at = now

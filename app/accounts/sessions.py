"""Web sessions: one row per sign-in that keeps only its token's hash, and when a session ends.

The signed cookie carries the session's token, when the user signed in and when they were last
seen; the database keeps the token's SHA-256. So a copy of the database opens no session, and
checking a session's age needs no write per request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.accounts.tokens import hash_token
from app.models import User, UserSession

# The last-seen mark is kept to the minute: rewriting it on every page would rewrite the
# cookie on every page, and the idle limit is hours.
SEEN_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class SessionLimits:
    """How long a session lasts: `idle` without a request, `absolute` after signing in."""

    idle: timedelta
    absolute: timedelta


def session_token_hash(token: str) -> str:
    return hash_token(token)


def start_session(session: Session, user: User, now: datetime, limits: SessionLimits) -> str:
    """A new session for `user`; returns its token for the cookie (only its hash is kept).

    The user's sessions older than the absolute limit are deleted on the way: they can no
    longer be used, and this keeps the table as small as the sessions people have open.
    """
    session.execute(
        delete(UserSession)
        .where(UserSession.user_id == user.id, UserSession.signed_in_at <= now - limits.absolute)
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    row = UserSession(user_id=user.id, token_hash=session_token_hash(token), signed_in_at=now)
    session.add(row)
    session.flush()
    return token


def end_session(session: Session, token: str) -> None:
    """Sign this session out; a copy of its cookie stops working too."""
    session.execute(
        delete(UserSession)
        .where(UserSession.token_hash == session_token_hash(token))
        .execution_options(synchronize_session=False)
    )


def end_all_sessions(session: Session, user_id: int) -> None:
    """Sign the user out everywhere (password change, deactivation)."""
    session.execute(
        delete(UserSession)
        .where(UserSession.user_id == user_id)
        .execution_options(synchronize_session=False)
    )


def session_expired(
    signed_in_at: datetime, seen_at: datetime, now: datetime, limits: SessionLimits
) -> bool:
    """Whether a session signed in at `signed_in_at` and last seen at `seen_at` has ended."""
    return now - signed_in_at >= limits.absolute or now - seen_at >= limits.idle


def seen_mark_due(seen_at: datetime, now: datetime) -> bool:
    """Whether the session's last-seen mark is old enough to be moved to `now`."""
    return now - seen_at >= SEEN_RESOLUTION

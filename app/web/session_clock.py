"""When this browser's session began and was last seen, kept in the signed session cookie.

The cookie is signed with SECRET_KEY, so neither time can be moved by the browser; keeping them
there means checking a session's age costs no database write. The rule itself (idle and
absolute limits) is `app.accounts.sessions.session_expired`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, session

from app.accounts.sessions import SessionLimits, seen_mark_due, session_expired

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"


def session_limits() -> SessionLimits:
    config = current_app.config
    return SessionLimits(config["SESSION_IDLE_TIMEOUT"], config["SESSION_ABSOLUTE_TIMEOUT"])


def _stamp(now: datetime) -> int:
    return int(now.timestamp())


def _instant(stamp: int) -> datetime:
    return datetime.fromtimestamp(stamp, UTC)


def start_session_clock(now: datetime) -> None:
    """Mark the session (just signed in) as begun and seen at `now`."""
    session[SIGNED_IN_AT] = session[SEEN_AT] = _stamp(now)


def session_clock_allows(now: datetime) -> bool:
    """Whether this session is within its idle and absolute limits at `now`; moves its
    last-seen mark forward (at most once a minute, so a page rarely sets a new cookie).
    A session that has ended is cleared."""
    signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if not isinstance(signed_in_at, int) or not isinstance(seen_at, int):
        # A session signed in before sessions had limits: its clock starts now.
        start_session_clock(now)
        return True
    if session_expired(_instant(signed_in_at), _instant(seen_at), now, session_limits()):
        session.clear()
        return False
    if seen_mark_due(_instant(seen_at), now):
        session[SEEN_AT] = _stamp(now)
    return True

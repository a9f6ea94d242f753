"""What people change about their own account, and what admins change about others."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.users import check_timezone, set_active
from app.claims.errors import FieldErrors, StateConflict
from app.models import DigestFrequency, Role, User


def update_preferences(
    user: User, name: str, timezone: str, digest_frequency: str, digest_hour: int | str
) -> None:
    """Name, time zone and digest settings; every problem is reported at once."""
    errors = FieldErrors()
    name = (name or "").strip()
    if not name:
        errors.add("name", "is required: it is how others see you on claims and timelines")
    elif len(name) > 120:
        errors.add("name", "must be at most 120 characters")
    check_timezone(errors, timezone)
    if digest_frequency not in {f.value for f in DigestFrequency}:
        errors.add("digest_frequency", "must be off, daily or weekly")
    try:
        hour = int(digest_hour)
    except (TypeError, ValueError):
        hour = -1
    if not 0 <= hour <= 23:
        errors.add("digest_hour", "must be an hour from 0 to 23")
    errors.raise_if_any()
    user.name, user.timezone = name, timezone
    user.digest_frequency, user.digest_hour = digest_frequency, hour


def _active_admins(session: Session) -> int:
    return session.scalar(
        select(func.count()).where(User.role == Role.ADMIN.value, User.active.is_(True))
    )


def change_access(
    session: Session, actor: User, user: User, role: str, active: bool, now: datetime
) -> None:
    """Set a user's role and active flag; the desk never loses its last active admin."""
    errors = FieldErrors()
    if role not in {r.value for r in Role}:
        errors.add("role", "must be viewer, reviewer or admin")
    errors.raise_if_any()
    losing_admin = user.is_admin and (role != Role.ADMIN.value or not active)
    if losing_admin and _active_admins(session) <= 1:
        raise StateConflict("this is the last active admin; make someone else admin first")
    if user.id == actor.id and not active:
        raise StateConflict("you cannot deactivate your own account")
    user.role = role
    if user.active != active:
        set_active(session, user, active, now)

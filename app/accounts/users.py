"""Creating users and changing what ends their sessions."""

from __future__ import annotations

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.passwords import hash_password, password_problem
from app.claims.errors import FieldErrors, ValidationError
from app.models import DigestFrequency, Role, User


def normalize_email(errors: FieldErrors, email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        errors.add("email", str(exc))
        return email


def check_timezone(errors: FieldErrors, name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        errors.add("timezone", f"{name!r} is not an IANA time zone, e.g. Europe/Berlin")
    return name


def create_user(
    session: Session,
    now: datetime,
    email: str,
    role: str,
    name: str = "",
    password: str | None = None,
    timezone: str = "UTC",
    digest_frequency: str = DigestFrequency.DAILY.value,
    digest_hour: int = 8,
    active: bool = True,
) -> User:
    """A new user; every problem with the input is reported at once."""
    errors = FieldErrors()
    email = normalize_email(errors, email)
    if role not in {r.value for r in Role}:
        errors.add("role", "must be viewer, reviewer or admin")
    if password is not None and (problem := password_problem(password)):
        errors.add("password", problem)
    if len(name) > 120:
        errors.add("name", "must be at most 120 characters")
    check_timezone(errors, timezone)
    if digest_frequency not in {f.value for f in DigestFrequency}:
        errors.add("digest_frequency", "must be off, daily or weekly")
    if not 0 <= digest_hour <= 23:
        errors.add("digest_hour", "must be an hour from 0 to 23")
    if "email" not in errors and session.scalar(select(User.id).where(User.email == email)):
        errors.add("email", f"{email} already has an account")
    errors.raise_if_any()
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        password_hash=hash_password(password) if password else None,
        timezone=timezone,
        digest_frequency=digest_frequency,
        digest_hour=digest_hour,
        active=active,
        session_token=new_session_token(),
        feed_key=None,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


def set_password(user: User, password: str) -> None:
    """Change the password and end every other session of the user."""
    if problem := password_problem(password):
        raise ValidationError.single("password", problem)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()


def set_active(user: User, active: bool) -> None:
    """(De)activate the user; deactivation ends their sessions."""
    user.active = active
    if not active:
        user.session_token = new_session_token()


def regenerate_feed_key(user: User) -> str:
    """A new feed key; the old one stops working."""
    user.feed_key = secrets.token_urlsafe(24)
    return user.feed_key

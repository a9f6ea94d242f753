"""Creating users, and the changes that end their sessions, tokens and feed keys."""

from __future__ import annotations

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.passwords import hash_password, password_problem, verify_password
from app.accounts.sessions import end_all_sessions
from app.accounts.tokens import hash_token, revoke_all_tokens
from app.claims.errors import FieldErrors, ValidationError
from app.models import DigestFrequency, Role, TokenRevocation, User

# A feed key is 24 random bytes as URL-safe text (32 characters): feed readers keep it in the
# URL. Longer input is no key and is not looked up.
FEED_KEY_BYTES = 24
MAX_FEED_KEY_LENGTH = 64


def normalize_email(errors: FieldErrors, email: str) -> str:
    """The address as stored (lower case), or the input with a message on `email`.

    An internationalised domain is fine (mail goes to its ASCII form), but letters outside
    ASCII before the @ would need SMTPUTF8 from every mail server on the way, which digests do
    not use: such an address is refused here rather than failing at the first digest.
    """
    text = email.strip()
    local_part = text.rpartition("@")[0]
    if local_part and not local_part.isascii():
        errors.add(
            "email",
            "must have only ASCII letters before the @ (Claimwatch's email cannot reach "
            f"{text}); use an ASCII address or alias of this mailbox",
        )
        return email
    try:
        return validate_email(
            text, check_deliverability=False, allow_smtputf8=False
        ).normalized.lower()
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
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def confirm_password(user: User, password: str) -> None:
    """Refuse (on `current_password`) unless `password` is the user's: a signed-in session alone
    does not change the password or mint API tokens."""
    if not verify_password(user.password_hash, password):
        raise ValidationError.single("current_password", "is not your current password")


def set_password(session: Session, user: User, password: str, now: datetime) -> None:
    """Change the password; every session of the user ends, and every API token and the feed
    key are revoked (whoever had the old password or a session may have minted them). The
    caller signs the browser that made the change in again."""
    if problem := password_problem(password):
        raise ValidationError.single("password", problem)
    user.password_hash = hash_password(password)
    _end_access(session, user, now, TokenRevocation.PASSWORD_CHANGED)


def set_active(session: Session, user: User, active: bool, now: datetime) -> None:
    """(De)activate the user. Deactivation ends their sessions and revokes their API tokens
    and feed key for good: turning the account on again brings none of them back."""
    user.active = active
    if not active:
        _end_access(session, user, now, TokenRevocation.USER_DEACTIVATED)


def _end_access(session: Session, user: User, now: datetime, reason: TokenRevocation) -> None:
    end_all_sessions(session, user.id)
    revoke_all_tokens(session, user.id, now, reason)
    user.feed_key_hash = None


def regenerate_feed_key(user: User) -> str:
    """A new feed key, returned to be shown once (only its hash is kept); the old one stops
    working."""
    key = secrets.token_urlsafe(FEED_KEY_BYTES)
    user.feed_key_hash = hash_token(key)
    return key


def feed_key_owner(session: Session, key: str) -> User | None:
    """The active user whose feed key `key` is, if any."""
    # Keys are short URL-safe ASCII: anything else opens nothing, without a query.
    if not key or len(key) > MAX_FEED_KEY_LENGTH or not (key.isascii() and key.isprintable()):
        return None
    user = session.scalars(select(User).where(User.feed_key_hash == hash_token(key))).one_or_none()
    return user if user is not None and user.active else None

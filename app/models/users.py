"""People who use Claimwatch and the API tokens they hold."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    func,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime
from app.models.enums import DigestFrequency, Role, TokenRevocation, TokenScope, sql_in


class AccountRules:
    """What an account may do, from its `role` and `active` columns; shared by `User` and the
    web's light copy of the signed-in user (app/web/signed_in.py)."""

    id: int
    role: str
    active: bool
    name: str
    email: str

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def can_write(self) -> bool:
        return self.active and self.role_enum.can_write

    @property
    def is_admin(self) -> bool:
        return self.active and self.role == Role.ADMIN

    @property
    def label(self) -> str:
        return self.name or self.email


def label_sql(user: Any) -> ColumnElement[str]:
    """`AccountRules.label` in SQL, for `User` or an alias of it: the name, or the e-mail."""
    return func.coalesce(func.nullif(user.name, literal_column("''")), user.email)


class User(AccountRules, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({sql_in(Role)})", name="role"),
        CheckConstraint(
            f"digest_frequency IN ({sql_in(DigestFrequency)})", name="digest_frequency"
        ),
        CheckConstraint("digest_hour >= 0 AND digest_hour <= 23", name="digest_hour"),
        # Named for the plain-text `feed_key` column it was made for: migration 0006 renamed
        # that column when it began to hold a hash, and SQLite cannot rename a constraint.
        UniqueConstraint("feed_key_hash", name="uq_users_feed_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(16), default=Role.VIEWER.value)
    # None for accounts that cannot sign in (e.g. authors of imported history).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    digest_frequency: Mapped[str] = mapped_column(String(8), default=DigestFrequency.DAILY.value)
    digest_hour: Mapped[int] = mapped_column(Integer, default=8)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # SHA-256 of the key that opens /feeds/overdue.atom (and nothing else). The key itself is
    # shown once, when it is made; making a new one revokes the old.
    feed_key_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class UserSession(Base):
    """One sign-in: the signed cookie carries its token, this row only the token's SHA-256.
    Signing out deletes the row; a password change or deactivation deletes all the user's."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    signed_in_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiToken(Base):
    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint(f"scope IN ({sql_in(TokenScope)})", name="scope"),
        CheckConstraint(f"revoked_reason IN ({sql_in(TokenRevocation)})", name="revoked_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(8))
    # The first characters of the token, shown in lists so people can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    # SHA-256 of the whole token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why it was revoked (`TokenRevocation`); a revoked token never works again.
    revoked_reason: Mapped[str | None] = mapped_column(String(16))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")

    def usable_at(self, now: datetime) -> bool:
        """Not revoked, not expired, and its user still active."""
        return token_usable(self.revoked_at, self.expires_at, self.user.active, now)


def token_usable(
    revoked_at: datetime | None, expires_at: datetime | None, user_active: bool, now: datetime
) -> bool:
    """The rule for an API token: not revoked, not expired, and its user still active."""
    if revoked_at is not None:
        return False
    if expires_at is not None and expires_at <= now:
        return False
    return user_active

"""The digest outbox: one row per (user, period), claimed with a lease by the sender."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime
from app.models.users import User

DELIVERY_STATES = ("pending", "sent", "skipped", "failed")


class DigestDelivery(Base):
    """One digest for one reader and one period, and everything about sending it."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (
        UniqueConstraint("user_id", "period"),
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in DELIVERY_STATES) + ")", name="status"
        ),
        # The sender's claim query: pending rows whose next attempt has come.
        Index("ix_digest_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        # Due-digest detection asks which users already have a row for a handful of periods.
        Index("ix_digest_deliveries_period", "period"),
        Index("ix_digest_deliveries_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # "D2026-11-20" (daily, the reader's local date) or "W2026-11-16" (weekly, its Monday).
    period: Mapped[str] = mapped_column(String(16))
    # The instant the period's digest became due (the reader's local hour), and the start of
    # the range it reports on (the previous period's start).
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    # Chosen when the row is created and reused on every attempt, so a repeat after a crash
    # is recognisable as the same message.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A sender owns the row until lease_until; after a crash the lease lapses and another
    # sender takes it over.
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<DigestDelivery {self.id} user={self.user_id} {self.period} {self.status}>"

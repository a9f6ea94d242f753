"""Webhooks: endpoints, the message of each event, the delivery outbox, how far events went out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime
from app.models.claims import BigId
from app.models.users import User

WEBHOOK_FORMATS = ("standard", "slack")
# pending: waiting for its next attempt. paused: its endpoint is switched off (sent again when
# it is switched on). delivered: answered 2xx. failed: given up, or answered 410.
DELIVERY_STATES = ("pending", "paused", "delivered", "failed")
# JSONB on PostgreSQL, so an attempt is appended in the UPDATE that records it (`||`).
AttemptLog = JSON().with_variant(JSONB(), "postgresql")


def _sql_in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


class WebhookEndpoint(Base):
    """A URL that is told about events, in one format, signed with its own secret."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (CheckConstraint(f"format IN ({_sql_in(WEBHOOK_FORMATS)})", name="format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    # The event kinds it wants; NULL: every kind, also kinds added later.
    event_kinds: Mapped[list[str] | None] = mapped_column(JSON)
    format: Mapped[str] = mapped_column(String(16), default="standard")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Why it is off: answered 410, or switched off by an admin.
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    # The `whsec_` secret, encrypted (app.webhooks.secrets): nonce and AES-GCM ciphertext,
    # base64. `secret_key_id` names the key it was sealed with (derived from SECRET_KEY or one
    # of SECRET_KEY_FALLBACKS), so rotating SECRET_KEY does not orphan it.
    secret_ciphertext: Mapped[str] = mapped_column(Text)
    secret_key_id: Mapped[str] = mapped_column(String(32))
    # Events up to this id happened before the endpoint was made (or switched on again): it is
    # not told about them.
    events_after: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.id} {self.format} {'on' if self.active else 'off'}>"


class WebhookMessage(Base):
    """What is said about one event (or one test), the same for every endpoint: its type and
    the standard body, built once, when the event is first fanned out."""

    __tablename__ = "webhook_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # NULL for a test message ("claimwatch.test").
    event_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("claim_events.id", ondelete="CASCADE"), unique=True
    )
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64))
    # The standard format's body, exactly as it is signed and sent (UTF-8 JSON).
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebhookDelivery(Base):
    """One message to one endpoint, and everything about sending it: the outbox row."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # Also the delivery log's index: an endpoint's deliveries, newest message first.
        UniqueConstraint("endpoint_id", "message_id"),
        CheckConstraint(f"status IN ({_sql_in(DELIVERY_STATES)})", name="status"),
        # The sender's claim query: pending rows whose next attempt has come, in its order.
        Index(
            "ix_webhook_deliveries_pending_next_attempt_at",
            "next_attempt_at",
            "message_id",
            "endpoint_id",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("webhook_messages.id", ondelete="CASCADE")
    )
    # The `webhook-id` header: chosen when the row is made and sent on every attempt, so a
    # receiver recognises a repeat (after a crash, or "deliver again") as the same message.
    # 128 random bits: unique without an index to keep (every index costs each state change).
    webhook_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    # Attempts in this round (reset by "deliver again" and by switching the endpoint on).
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_answer: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Every attempt, oldest first: {at, duration_ms, status, answer, error, outcome}.
    attempt_log: Mapped[list[dict[str, Any]]] = mapped_column(AttemptLog, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    endpoint: Mapped[WebhookEndpoint] = relationship()
    message: Mapped[WebhookMessage] = relationship()

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.id} endpoint={self.endpoint_id} {self.status}>"


class WebhookFanout(Base):
    """The one row saying how far events have become deliveries (see app.webhooks.fanout)."""

    __tablename__ = "webhook_fanout"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Every event up to this id has its deliveries.
    done_upto: Mapped[int] = mapped_column(BigInteger, default=0)
    # The newest event the last pass saw, and (PostgreSQL) the first transaction id that was
    # not yet started then: once every older transaction has ended, nothing at or below
    # `seen_upto` can still appear, and it becomes `done_upto`.
    seen_upto: Mapped[int] = mapped_column(BigInteger, default=0)
    seen_xmax: Mapped[int | None] = mapped_column(BigInteger)

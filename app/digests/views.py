"""What the web pages show about digests: a reader's preview, and recent deliveries for admins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.digests.build import Reader, build_digests
from app.digests.mime import UnsendableMessage
from app.digests.periods import latest_due_period
from app.digests.render import MailSettings, RenderedDigest, render_digest
from app.models import DigestDelivery, DigestFrequency, User


def preview_digest(
    session: Session, user: User, now: datetime, mail: MailSettings
) -> RenderedDigest:
    """The reader's next digest as it stands at `now` (what happened since the last one).

    A reader with digests off sees what a daily digest would say.
    """
    frequency = user.digest_frequency
    if frequency == DigestFrequency.OFF:
        frequency = DigestFrequency.DAILY.value
    period = latest_due_period(frequency, user.timezone, user.digest_hour, now)
    assert period is not None
    reader = Reader(
        delivery_id=None,
        user_id=user.id,
        email=user.email,
        name=user.name,
        timezone=user.timezone,
        message_id="<preview@claimwatch.invalid>",
        period="preview",
        since=period.start,
        until=now,
    )
    (content,) = build_digests(session, [reader])
    try:
        return render_digest(content, mail)
    except UnsendableMessage as exc:
        # What the reader needs to know instead: why no digest will reach them.
        subject = "No digest can be sent to you"
        return RenderedDigest(subject, str(exc), "", user.email, reader.message_id, b"")


@dataclass(frozen=True)
class DeliveryRow:
    """One outbox row as the admin page lists it."""

    id: int
    email: str
    period: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str | None
    message_id: str


def recent_deliveries(session: Session, limit: int = 50) -> list[DeliveryRow]:
    """The newest outbox rows with their state, newest first."""
    rows = session.execute(
        select(
            DigestDelivery.id,
            User.email,
            DigestDelivery.period,
            DigestDelivery.status,
            DigestDelivery.attempts,
            DigestDelivery.created_at,
            DigestDelivery.next_attempt_at,
            DigestDelivery.sent_at,
            DigestDelivery.last_error,
            DigestDelivery.message_id,
        )
        .join(User, User.id == DigestDelivery.user_id)
        .order_by(DigestDelivery.created_at.desc(), DigestDelivery.id.desc())
        .limit(limit)
    ).all()
    return [DeliveryRow(*row) for row in rows]

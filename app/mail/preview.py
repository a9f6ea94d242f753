"""A reader's next digest as it stands now, for the settings page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.accounts.unsubscribe import mark_of
from app.claims.policy import policy_of
from app.mail.content import Reader, build_digests
from app.mail.mime import UnsendableMessage
from app.mail.periods import latest_due_period
from app.mail.render import MailSettings, RenderedDigest, render_digest
from app.models import DigestFrequency, User


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
        unsubscribe_mark=mark_of(user),
    )
    (content,) = build_digests(session, [reader])
    try:
        return render_digest(content, mail, now, policy_of(session))
    except UnsendableMessage as exc:
        # What the reader needs to know instead: why no digest will reach them.
        subject = "No digest can be sent to you"
        return RenderedDigest(subject, str(exc), "", user.email, reader.message_id, b"")

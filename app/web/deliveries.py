"""Recent digest deliveries and their state, for admins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.mail.periods import describe_period
from app.models import DigestDelivery, User
from app.unit_of_work import get_session
from app.web.auth import admin_required
from app.web.blueprints import web_blueprint

bp = web_blueprint("deliveries", __name__, url_prefix="/admin/deliveries")


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

    @property
    def period_label(self) -> str:
        return describe_period(self.period)


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


@bp.get("")
@admin_required
def index() -> str:
    """The newest digest deliveries: sent, waiting for a retry, failed with the server's answer."""
    return render_template("admin/deliveries.html", deliveries=recent_deliveries(get_session()))

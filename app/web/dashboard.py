"""The dashboard: counts, the most overdue claims, and claims per week as an SVG chart."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required
from sqlalchemy import select

from app.claims.activity import weekly_activity
from app.claims.stats import claim_stats
from app.clock import utcnow
from app.models import Claim, ClaimStatus
from app.unit_of_work import get_session
from app.web.blueprints import web_blueprint
from app.web.chart import SERIES, weekly_chart

bp = web_blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.get("")
@login_required
def index() -> str:
    """Where the desk stands this week."""
    session, now = get_session(), utcnow()
    weeks = weekly_activity(session, now)
    most_overdue = session.scalars(
        select(Claim)
        .where(Claim.status == ClaimStatus.OVERDUE.value)
        .order_by(Claim.window_end, Claim.id)
        .limit(10)
    ).all()
    return render_template(
        "dashboard.html",
        stats=claim_stats(session, now),
        weeks=weeks,
        chart=weekly_chart(weeks),
        series=SERIES,
        most_overdue=most_overdue,
        now=now,
    )

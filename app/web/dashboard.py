"""The dashboard: counts, what is due this week, the most overdue claims, and claims per week
as an SVG chart."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required
from sqlalchemy import select

from app.claims.activity import weekly_activity
from app.claims.closing import SOON_DAYS, ClosingBounds
from app.claims.overdue import is_overdue_sql
from app.claims.reads import ClaimQuery, ClaimSummary, claim_page
from app.claims.stats import claim_stats
from app.models import Claim
from app.unit_of_work import get_session, read_connection
from app.web.blueprints import web_blueprint
from app.web.chart import SERIES, weekly_chart
from app.web.timefmt import desk_policy, request_now, viewer_zone

bp = web_blueprint("dashboard", __name__, url_prefix="/dashboard")
SHOWN = 10


@bp.get("")
@login_required
def index() -> str:
    """Where the desk stands this week."""
    session, now, policy = get_session(), request_now(), desk_policy()
    weeks = weekly_activity(session, now)
    # Overdue by the one rule: flagged, or pending and past its window before the sweep.
    most_overdue = session.scalars(
        select(Claim)
        .where(is_overdue_sql(now, policy))
        .order_by(Claim.window_end, Claim.id)
        .limit(SHOWN)
    ).all()
    due = ClaimQuery(
        closing=ClosingBounds.at(now, policy, viewer_zone(), SOON_DAYS),
        sort="window_end",
        limit=SHOWN,
    )
    due_page = claim_page(read_connection(), due, ClaimSummary)
    return render_template(
        "dashboard.html",
        stats=claim_stats(session, now),
        weeks=weeks,
        chart=weekly_chart(weeks),
        series=SERIES,
        most_overdue=most_overdue,
        due_this_week=due_page.rows,
        more_due=due_page.next is not None,
        soon_days=SOON_DAYS,
    )

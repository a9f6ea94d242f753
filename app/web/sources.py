"""Sources and their track records: how often each outlet's claims turned out right."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required
from sqlalchemy import select

from app.claims.track_record import track_records
from app.clock import utcnow
from app.models import Source
from app.unit_of_work import get_session
from app.web.blueprints import web_blueprint

bp = web_blueprint("sources", __name__, url_prefix="/sources")


@bp.get("")
@login_required
def index() -> str:
    """Every source with claims, most claims first."""
    session = get_session()
    records = track_records(session, utcnow())
    sources = session.scalars(select(Source).order_by(Source.name)).all()
    rows = sorted(
        ((source, records[source.id]) for source in sources if source.id in records),
        key=lambda row: (-row[1].total, row[0].name.casefold()),
    )
    return render_template("sources.html", rows=rows)

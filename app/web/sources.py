"""Sources and their track records: how often each outlet's claims turned out right, and a
page per source with its claims."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required
from sqlalchemy import select

from app.claims.errors import NotFound
from app.claims.reads import ATTENTION, ClaimQuery, ClaimSummary, claim_page
from app.claims.track_record import track_record, track_records
from app.models import Source
from app.unit_of_work import get_session, read_connection
from app.web.blueprints import web_blueprint
from app.web.claim_list import list_lines
from app.web.timefmt import request_now

bp = web_blueprint("sources", __name__, url_prefix="/sources")
SHOWN = 50


@bp.get("")
@login_required
def index() -> str:
    """Every source with claims, most claims first."""
    session = get_session()
    records = track_records(session, request_now())
    sources = session.scalars(select(Source).order_by(Source.name)).all()
    rows = sorted(
        ((source, records[source.id]) for source in sources if source.id in records),
        key=lambda row: (-row[1].total, row[0].name.casefold()),
    )
    return render_template("sources.html", rows=rows)


@bp.get("/<id:source_id>")
@login_required
def show(source_id: int) -> str:
    """One source: its track record, and its claims in the desk's order."""
    session = get_session()
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound(f"there is no source {source_id}")
    page = claim_page(
        read_connection(),
        ClaimQuery(source=source_id, sort=ATTENTION, limit=SHOWN),
        ClaimSummary,
    )
    return render_template(
        "source.html",
        source=source,
        record=track_record(session, source_id, request_now()),
        claims=page.rows,
        lines=list_lines(page.rows),
        more=page.next is not None,
    )

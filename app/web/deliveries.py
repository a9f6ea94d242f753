"""Recent digest deliveries and their state, for admins."""

from __future__ import annotations

from flask import render_template

from app.db import get_session
from app.digests.views import recent_deliveries
from app.web.auth import admin_required
from app.web.blueprints import web_blueprint

bp = web_blueprint("deliveries", __name__, url_prefix="/admin/deliveries")


@bp.get("")
@admin_required
def index() -> str:
    """The newest digest deliveries: sent, waiting for a retry, failed with the server's answer."""
    return render_template("admin/deliveries.html", deliveries=recent_deliveries(get_session()))

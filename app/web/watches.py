"""The watches page: the feeds the desk follows and their health; adding and removing one."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from app.claims import NotFound, ValidationError
from app.clock import utcnow
from app.unit_of_work import get_session
from app.watches import add_watch, remove_watch
from app.watches.health import span
from app.watches.reads import list_watches
from app.web.auth import actor, reviewer_required
from app.web.blueprints import web_blueprint
from app.web.forms.claims import EmptyForm
from app.web.forms.watches import WatchForm
from app.web.formtools import show_errors

bp = web_blueprint("watches", __name__, url_prefix="/watches")


def render_watches(form: WatchForm | None = None, status: int = 200) -> tuple[str, int]:
    now = utcnow()
    return (
        render_template(
            "watches/index.html",
            watches=list_watches(get_session().connection(), now),
            form=form or WatchForm(formdata=None),
            remove_form=EmptyForm(formdata=None),
            interval=span(current_app.config["WATCH_INTERVAL"]),
        ),
        status,
    )


@bp.get("")
@login_required
def index() -> tuple[str, int]:
    """Every feed followed, with its health in words; the form to add one."""
    return render_watches()


@bp.post("")
@reviewer_required
def add() -> Response | tuple[str, int]:
    """Follow a feed; it is checked at the next poll."""
    form = WatchForm()
    try:
        watch = add_watch(
            get_session(), actor(), utcnow(), form.url.data or "", form.name.data or ""
        )
    except ValidationError as exc:
        show_errors(form, exc)
        return render_watches(form, 422)
    flash(f"Now watching {watch.name}; it is checked at the next poll.", "success")
    return redirect(url_for("watches.index"))


@bp.post("/<id:watch_id>/remove")
@reviewer_required
def remove(watch_id: int) -> Response:
    """Stop following a feed (its leads stay)."""
    try:
        watch = remove_watch(get_session(), actor(), utcnow(), watch_id)
    except NotFound:
        flash("That feed is not being watched (already stopped?).", "info")
        return redirect(url_for("watches.index"))
    flash(f"Stopped watching {watch.name}. Its leads stay.", "success")
    return redirect(url_for("watches.index"))

"""The leads inbox, and a reviewer's decision on a lead (from the inbox or a claim's page):
accept it as evidence with a stance, or dismiss it with a reason. Each is its own small form;
a refused one comes back on a page of its own with the values kept and the reason."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from app.claims import StateConflict, ValidationError
from app.claims.cursor import decode_cursor
from app.clock import utcnow
from app.models import LeadStatus
from app.unit_of_work import get_session
from app.watches import accept_lead, dismiss_lead
from app.watches.reads import LEAD_SORT, LeadQuery, lead_page, new_lead_count, read_lead
from app.web.auth import actor, reviewer_required
from app.web.blueprints import web_blueprint
from app.web.forms.watches import BACK, AcceptLeadForm, DismissLeadForm

bp = web_blueprint("leads", __name__)
PAGE_SIZE = 50
STATUSES = [s.value for s in LeadStatus]
Result = Response | tuple[str, int]


@bp.app_template_global("lead_forms")
def lead_forms() -> dict[str, Any]:
    """Fresh accept and dismiss forms for the lead cards of a page (ids made unique there)."""
    return {"accept": AcceptLeadForm(formdata=None), "dismiss": DismissLeadForm(formdata=None)}


@bp.get("/leads")
@login_required
def index() -> str:
    """Leads across claims, newest first: new ones (the default), accepted or dismissed."""
    status = request.args.get("status", LeadStatus.NEW.value)
    if status not in STATUSES:
        status = LeadStatus.NEW.value
    cursor = None
    if request.args.get("cursor"):
        try:
            cursor = decode_cursor(request.args["cursor"], LEAD_SORT, 1)
        except ValidationError:
            cursor = None  # a stale link shows the first page
    connection = get_session().connection()
    rows, next_cursor = lead_page(
        connection, LeadQuery(status=status, limit=PAGE_SIZE, cursor=cursor)
    )
    return render_template(
        "leads/index.html",
        leads=rows,
        status=status,
        waiting=new_lead_count(connection),
        next_cursor=next_cursor.encode() if next_cursor else None,
    )


def _back(form: Any, claim_id: int) -> Response:
    if form.back.data == "inbox":
        return redirect(url_for("leads.index"))
    return redirect(url_for("claims.show", claim_id=claim_id, _anchor="leads"))


def _refused(
    claim_id: int, lead_id: int, name: str, form: Any, status: int, problem: str = ""
) -> Result:
    """The lead on a page of its own, with the refused form's values, errors and reason."""
    lead = read_lead(get_session().connection(), claim_id, lead_id)
    return (
        render_template("leads/decide.html", lead=lead, bound={name: form}, problem=problem),
        status,
    )


def _decide(claim_id: int, lead_id: int, name: str, form: Any, change: Any, done: str) -> Result:
    if form.back.data not in BACK:
        form.back.data = "claim"
    try:
        change()
    except ValidationError as exc:
        for field, messages in exc.errors.items():
            if field in form._fields:
                form[field].errors = [*form[field].errors, *messages]
        return _refused(claim_id, lead_id, name, form, 422)
    except StateConflict as exc:
        get_session().rollback()
        return _refused(claim_id, lead_id, name, form, 409, exc.detail)
    flash(done, "success")
    return _back(form, claim_id)


@bp.post("/claims/<id:claim_id>/leads/<id:lead_id>/accept")
@reviewer_required
def accept(claim_id: int, lead_id: int) -> Result:
    """Accept the lead as evidence with the stance chosen."""
    form = AcceptLeadForm()
    stance = (form.stance.raw_data or [""])[0]
    return _decide(
        claim_id,
        lead_id,
        "accept",
        form,
        lambda: accept_lead(
            get_session(), actor(), utcnow(), claim_id, lead_id, stance, form.note.data or ""
        ),
        "Lead accepted as evidence.",
    )


@bp.post("/claims/<id:claim_id>/leads/<id:lead_id>/dismiss")
@reviewer_required
def dismiss(claim_id: int, lead_id: int) -> Result:
    """Set the lead aside with a reason."""
    form = DismissLeadForm()
    reason = form.reason.data or ""
    return _decide(
        claim_id,
        lead_id,
        "dismiss",
        form,
        lambda: dismiss_lead(get_session(), actor(), utcnow(), claim_id, lead_id, reason),
        "Lead dismissed.",
    )

"""The actions on a claim, each on a page of its own with one form (add evidence, extend,
resolve, reopen, assign), and the two that stay on the claim page beside what they act on
(a comment, with the timeline; withdrawing an evidence item, on the item). A refusal shows
the form again with the entered values and the reason beside the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.claims import (
    StateConflict,
    ValidationError,
    add_evidence,
    assign_claim,
    comment_on_claim,
    extend_window,
    reopen_claim,
    resolve_claim,
    withdraw_evidence,
)
from app.clock import utcnow
from app.unit_of_work import get_session
from app.web.auth import actor, reviewer_required
from app.web.blueprints import web_blueprint
from app.web.claim_page import action_form, load_claim, render_action_page, render_claim_page
from app.web.forms.claims import CommentForm, WithdrawEvidenceForm, text_values
from app.web.formtools import show_errors
from app.web.timefmt import local_input_to_instant

bp = web_blueprint("claim_actions", __name__, url_prefix="/claims/<id:claim_id>")
Result = Response | tuple[str, int]
ACTION_METHODS = ["GET", "POST"]


def done(claim_id: int, message: str) -> Response:
    """Back to the claim, at its timeline, where the change now shows (the unit of work
    commits after the redirect is answered)."""
    flash(message, "success")
    return redirect(url_for("claims.show", claim_id=claim_id, _anchor="timeline"))


def action(claim_id: int, name: str, change: Callable[[FlaskForm], Any], message: str) -> Result:
    """The action's page (GET), or apply it (POST): back to the claim when done, its page
    again with why when refused (nothing changed: the domain refuses before it changes)."""
    if request.method == "GET":
        return render_action_page(claim_id, name)
    form = action_form(name, load_claim(claim_id), formdata=request.form)
    try:
        change(form)
    except ValidationError as exc:
        show_errors(form, exc)
        return render_action_page(claim_id, name, form, status=422)
    except StateConflict as exc:
        return render_action_page(claim_id, name, form, problem=exc.detail, status=409)
    return done(claim_id, message)


def raw(form: FlaskForm, name: str) -> str:
    """What was sent for field `name`, as sent ("" when nothing)."""
    return (form[name].raw_data or [""])[0] or ""


@bp.route("/evidence", methods=ACTION_METHODS)
@reviewer_required
def evidence(claim_id: int) -> Result:
    """Add an evidence link."""

    def change(form: FlaskForm) -> Any:
        values = text_values(form, form.FIELDS)
        return add_evidence(get_session(), actor(), utcnow(), claim_id, values)

    return action(claim_id, "evidence", change, "Evidence added.")


@bp.route("/resolve", methods=ACTION_METHODS)
@reviewer_required
def resolve(claim_id: int) -> Result:
    """Record the outcome; nothing is chosen for the reviewer."""

    def change(form: FlaskForm) -> Any:
        known_at = local_input_to_instant(form.known_at.data) or None
        note = form.note.data or ""
        return resolve_claim(
            get_session(), actor(), utcnow(), claim_id, raw(form, "outcome"), note, known_at
        )

    return action(claim_id, "resolve", change, "Claim resolved.")


@bp.route("/extend", methods=ACTION_METHODS)
@reviewer_required
def extend(claim_id: int) -> Result:
    """Move the window's end later."""

    def change(form: FlaskForm) -> Any:
        return extend_window(
            get_session(),
            actor(),
            utcnow(),
            claim_id,
            form.reason.data or "",
            window_end=local_input_to_instant(form.window_end.data) or None,
            expected_within=raw(form, "expected_within") or None,
        )

    return action(claim_id, "extend", change, "Window extended.")


@bp.route("/reopen", methods=ACTION_METHODS)
@reviewer_required
def reopen(claim_id: int) -> Result:
    """Undo the resolution."""

    def change(form: FlaskForm) -> Any:
        return reopen_claim(get_session(), actor(), utcnow(), claim_id, form.reason.data or "")

    return action(claim_id, "reopen", change, "Claim reopened.")


@bp.route("/assign", methods=ACTION_METHODS)
@reviewer_required
def assign(claim_id: int) -> Result:
    """Give the claim to a reviewer, or to nobody."""

    def change(form: FlaskForm) -> Any:
        assignee = raw(form, "assignee") or None
        return assign_claim(get_session(), actor(), utcnow(), claim_id, assignee)

    return action(claim_id, "assign", change, "Assignment saved.")


@bp.post("/comments")
@reviewer_required
def comment(claim_id: int) -> Result:
    """Add a comment to the timeline."""
    form = CommentForm()
    try:
        comment_on_claim(get_session(), actor(), utcnow(), claim_id, form.body.data or "")
    except ValidationError as exc:
        show_errors(form, exc)
        return render_claim_page(claim_id, comment=form, status=422)
    except StateConflict as exc:
        problems = {"comment": exc.detail}
        return render_claim_page(claim_id, comment=form, problems=problems, status=409)
    return done(claim_id, "Comment added.")


@bp.post("/evidence/<id:evidence_id>/withdraw")
@reviewer_required
def withdraw(claim_id: int, evidence_id: int) -> Result:
    """Withdraw an evidence item (it stays visible, marked withdrawn)."""
    form = WithdrawEvidenceForm()
    bound = {evidence_id: form}
    reason = form.reason.data or ""
    try:
        withdraw_evidence(get_session(), actor(), utcnow(), claim_id, evidence_id, reason)
    except ValidationError as exc:
        show_errors(form, exc)
        return render_claim_page(claim_id, withdraw=bound, status=422)
    except StateConflict as exc:
        problems = {"withdraw": exc.detail}
        return render_claim_page(claim_id, withdraw=bound, problems=problems, status=409)
    return done(claim_id, "Evidence withdrawn.")

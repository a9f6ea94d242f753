"""The actions on a claim page, each a POST form: evidence, resolve, extend, reopen, assign,
comment. A refusal re-renders the claim page with the entered values and the reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, url_for
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
from app.web.claim_page import assign_choices, render_claim_page
from app.web.forms.claims import (
    AssignForm,
    CommentForm,
    EvidenceForm,
    ExtendForm,
    ReopenForm,
    ResolveForm,
    WithdrawEvidenceForm,
    text_values,
)
from app.web.formtools import show_errors
from app.web.timefmt import local_input_to_instant

bp = web_blueprint("claim_actions", __name__, url_prefix="/claims/<id:claim_id>")
Result = Response | tuple[str, int]


def run(
    claim_id: int,
    name: str,
    form: FlaskForm,
    change: Callable[[], Any],
    done: str,
    bound_key: Any = None,
) -> Result:
    """Apply `change` and go back to the claim (the unit of work commits), or show the page
    again with why it was refused (nothing changed: the domain refuses before it changes)."""
    try:
        change()
    except ValidationError as exc:
        show_errors(form, exc)
        return render_claim_page(claim_id, {name: bound_key or form}, status=422)
    except StateConflict as exc:
        return render_claim_page(
            claim_id, {name: bound_key or form}, problems={name: exc.detail}, status=409
        )
    flash(done, "success")
    return redirect(url_for("claims.show", claim_id=claim_id, _anchor="timeline"))


@bp.post("/evidence")
@reviewer_required
def evidence(claim_id: int) -> Result:
    """Add an evidence link."""
    form = EvidenceForm()
    values = text_values(form, form.FIELDS)
    return run(
        claim_id,
        "evidence",
        form,
        lambda: add_evidence(get_session(), actor(), utcnow(), claim_id, values),
        "Evidence added.",
    )


@bp.post("/evidence/<id:evidence_id>/withdraw")
@reviewer_required
def withdraw(claim_id: int, evidence_id: int) -> Result:
    """Withdraw an evidence item (it stays visible, marked withdrawn)."""
    form = WithdrawEvidenceForm()
    reason = form.reason.data or ""
    return run(
        claim_id,
        "withdraw",
        form,
        lambda: withdraw_evidence(get_session(), actor(), utcnow(), claim_id, evidence_id, reason),
        "Evidence withdrawn.",
        bound_key={evidence_id: form},
    )


@bp.post("/resolve")
@reviewer_required
def resolve(claim_id: int) -> Result:
    """Record the outcome."""
    form = ResolveForm()
    outcome, note = form.outcome.raw_data[0] if form.outcome.raw_data else "", form.note.data
    known_at = local_input_to_instant(form.known_at.data) or None
    return run(
        claim_id,
        "resolve",
        form,
        lambda: resolve_claim(
            get_session(), actor(), utcnow(), claim_id, outcome, note or "", known_at
        ),
        "Claim resolved.",
    )


@bp.post("/extend")
@reviewer_required
def extend(claim_id: int) -> Result:
    """Move the window's end later."""
    form = ExtendForm()
    within = (form.expected_within.raw_data or [""])[0] or None
    window_end = local_input_to_instant(form.window_end.data) or None
    return run(
        claim_id,
        "extend",
        form,
        lambda: extend_window(
            get_session(),
            actor(),
            utcnow(),
            claim_id,
            form.reason.data or "",
            window_end=window_end,
            expected_within=within,
        ),
        "Window extended.",
    )


@bp.post("/reopen")
@reviewer_required
def reopen(claim_id: int) -> Result:
    """Undo the resolution."""
    form = ReopenForm()
    return run(
        claim_id,
        "reopen",
        form,
        lambda: reopen_claim(get_session(), actor(), utcnow(), claim_id, form.reason.data or ""),
        "Claim reopened.",
    )


@bp.post("/assign")
@reviewer_required
def assign(claim_id: int) -> Result:
    """Give the claim to a reviewer, or to nobody."""
    form = AssignForm()
    form.assignee.choices = assign_choices()
    assignee = (form.assignee.raw_data or [""])[0] or None
    return run(
        claim_id,
        "assign",
        form,
        lambda: assign_claim(get_session(), actor(), utcnow(), claim_id, assignee),
        "Assignment saved.",
    )


@bp.post("/comments")
@reviewer_required
def comment(claim_id: int) -> Result:
    """Add a comment to the timeline."""
    form = CommentForm()
    return run(
        claim_id,
        "comment",
        form,
        lambda: comment_on_claim(get_session(), actor(), utcnow(), claim_id, form.body.data or ""),
        "Comment added.",
    )

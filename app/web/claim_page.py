"""The claim page (the claim, its evidence, its timeline with the comment box) and the page of
each action on it (one form each: add evidence, extend, resolve, reopen, assign)."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.claims.errors import NotFound
from app.claims.reads import EventRow, read_events
from app.models import Claim, EventKind, Evidence, Role, User
from app.unit_of_work import get_session
from app.watches.reads import claim_leads
from app.web.forms.claims import (
    AssignForm,
    CommentForm,
    EvidenceForm,
    ExtendForm,
    ReopenForm,
    ResolveForm,
    WithdrawEvidenceForm,
)

# Each action's form, its page title and the button that sends it.
ACTIONS: dict[str, tuple[type[FlaskForm], str, str]] = {
    "evidence": (EvidenceForm, "Add evidence", "Add evidence"),
    "extend": (ExtendForm, "Extend the window", "Extend the window"),
    "resolve": (ResolveForm, "Resolve the claim", "Resolve"),
    "reopen": (ReopenForm, "Reopen the claim", "Reopen"),
    "assign": (AssignForm, "Assign the claim", "Save the assignment"),
}


def load_claim(claim_id: int) -> Claim:
    claim = (
        get_session()
        .scalars(
            select(Claim)
            .options(
                selectinload(Claim.evidence).selectinload(Evidence.added_by),
                selectinload(Claim.evidence).selectinload(Evidence.withdrawn_by),
                selectinload(Claim.assignee),
            )
            .where(Claim.id == claim_id)
        )
        .one_or_none()
    )
    if claim is None:
        raise NotFound(f"there is no claim {claim_id}")
    return claim


def reviewers() -> list[User]:
    return list(
        get_session().scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_([Role.REVIEWER.value, Role.ADMIN.value]))
            .order_by(User.name, User.email)
        )
    )


def assignees_named(events: list[EventRow]) -> dict[int, str]:
    """The name of each user the timeline's assignments refer to (events keep only the id)."""
    ids = {e.data.get("assignee") for e in events if e.kind == EventKind.ASSIGNED}
    ids = {i for i in ids if isinstance(i, int)}
    if not ids:
        return {}
    return {u.id: u.label for u in get_session().scalars(select(User).where(User.id.in_(ids)))}


def assign_choices() -> list[tuple[str, str]]:
    return [("", "Nobody")] + [(str(u.id), u.label) for u in reviewers()]


def render_claim_page(
    claim_id: int,
    comment: CommentForm | None = None,
    withdraw: dict[int, WithdrawEvidenceForm] | None = None,
    problems: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The page, with a refused comment or withdrawal (values kept) in place of a fresh form."""
    session = get_session()
    session.expire_all()  # a refused action may have left half-applied state in memory
    claim = load_claim(claim_id)
    events = read_events(session.connection(), claim_id)
    return (
        render_template(
            "claims/show.html",
            claim=claim,
            events=events,
            leads=claim_leads(session.connection(), claim_id),
            people=assignees_named(events),
            comment_form=comment or CommentForm(formdata=None),
            withdraw_form=WithdrawEvidenceForm(formdata=None),
            withdraw_bound=withdraw or {},
            problems=problems or {},
        ),
        status,
    )


def action_form(name: str, claim: Claim, formdata: Any = None) -> FlaskForm:
    """A fresh form of action `name` (or one bound to the request when `formdata` is not None)."""
    form_class = ACTIONS[name][0]
    form = form_class() if formdata is not None else form_class(formdata=None)
    if isinstance(form, AssignForm):
        form.assignee.choices = assign_choices()
        if formdata is None:
            form.assignee.data = str(claim.assignee_id or "")
    return form


def render_action_page(
    claim_id: int,
    name: str,
    form: FlaskForm | None = None,
    problem: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The page of one action: what the claim is and where it stands, and the action's form."""
    session = get_session()
    session.expire_all()
    claim = load_claim(claim_id)
    _, title, button = ACTIONS[name]
    return (
        render_template(
            "claims/action.html",
            claim=claim,
            action=name,
            title=title,
            button=button,
            form=form or action_form(name, claim),
            problem=problem,
            has_evidence=any(not item.withdrawn for item in claim.evidence),
        ),
        status,
    )

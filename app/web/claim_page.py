"""The claim page: the claim, its evidence, its timeline and a form for each action."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.claims.errors import NotFound
from app.claims.reads import EventRow, read_events
from app.clock import utcnow
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

ACTION_FORMS: dict[str, type[FlaskForm]] = {
    "evidence": EvidenceForm,
    "resolve": ResolveForm,
    "extend": ExtendForm,
    "reopen": ReopenForm,
    "assign": AssignForm,
    "comment": CommentForm,
}


def load_claim(claim_id: int) -> Claim:
    claim = (
        get_session()
        .scalars(
            select(Claim)
            .options(
                selectinload(Claim.evidence).selectinload(Evidence.added_by),
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
    bound: dict[str, Any] | None = None,
    problems: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The page, with `bound` forms (a failed action, values kept) in place of fresh ones."""
    session = get_session()
    session.expire_all()  # a refused action may have left half-applied state in memory
    claim = load_claim(claim_id)
    events = read_events(session.connection(), claim_id)
    bound = bound or {}
    forms: dict[str, Any] = {}
    for name, form_class in ACTION_FORMS.items():
        forms[name] = bound[name] if name in bound else form_class(formdata=None)
    forms["assign"].assignee.choices = assign_choices()
    if "assign" not in bound:
        forms["assign"].assignee.data = str(claim.assignee_id or "")
    withdraw = bound.get("withdraw", {})
    return (
        render_template(
            "claims/show.html",
            claim=claim,
            events=events,
            leads=claim_leads(session.connection(), claim_id),
            people=assignees_named(events),
            forms=forms,
            withdraw_form=WithdrawEvidenceForm(formdata=None),
            withdraw_bound=withdraw,
            problems=problems or {},
            now=utcnow(),
        ),
        status,
    )

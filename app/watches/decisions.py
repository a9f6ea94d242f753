"""A reviewer's decision on a lead: accepted as evidence with a stance, or dismissed with a
reason (it stays, marked dismissed). Each writes one event on the claim."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.claims.access import Actor, lock_claim, require_writer
from app.claims.checks import check_text
from app.claims.errors import FieldErrors, NotFound, StateConflict
from app.claims.events import record_event
from app.claims.evidence import add_evidence
from app.models import ClaimEvent, EventKind, Lead, LeadStatus, Stance

MAX_NOTE = 5_000


def _open_lead(session: Session, claim_id: int, lead_id: int) -> Lead:
    """The claim's lead, row-locked (PostgreSQL), if it still waits for a decision."""
    lead = session.scalars(
        select(Lead)
        .where(Lead.id == lead_id, Lead.claim_id == claim_id)
        .with_for_update(of=Lead)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if lead is None:
        raise NotFound(f"claim {claim_id} has no lead {lead_id}")
    if lead.status != LeadStatus.NEW:
        raise StateConflict(f"lead {lead_id} was already {lead.status}")
    return lead


def accept_lead(
    session: Session,
    actor: Actor,
    now: datetime,
    claim_id: int,
    lead_id: int,
    stance: str,
    note: str = "",
) -> ClaimEvent:
    """Turn the lead into an evidence item with `stance`; returns its `evidence_added` event,
    whose data names the lead."""
    require_writer(actor)
    errors = FieldErrors()
    if stance not in {s.value for s in Stance}:
        errors.add("stance", "must be supports, refutes or context")
    note = check_text(errors, "note", note, max_length=MAX_NOTE, multiline=True)
    errors.raise_if_any()
    lock_claim(session, claim_id)  # the claim first, as every change of a claim does
    lead = _open_lead(session, claim_id, lead_id)
    event = add_evidence(
        session,
        actor,
        now,
        claim_id,
        {
            "url": lead.url,
            "title": lead.title,
            "publisher": lead.watch.name,
            "published_on": lead.published_at.date() if lead.published_at else None,
            "stance": stance,
            "note": note,
        },
        lead_id=lead.id,
    )
    lead.status = LeadStatus.ACCEPTED.value
    lead.decided_at = now
    lead.decided_by_id = actor.id
    lead.evidence_id = event.data["evidence_id"]
    session.flush()
    return event


def dismiss_lead(
    session: Session,
    actor: Actor,
    now: datetime,
    claim_id: int,
    lead_id: int,
    reason: str,
) -> ClaimEvent:
    """Set the lead aside with a reason (kept, and shown); returns the `lead_dismissed` event."""
    require_writer(actor)
    errors = FieldErrors()
    reason = check_text(errors, "reason", reason, max_length=MAX_NOTE, required=True)
    errors.raise_if_any()
    claim = lock_claim(session, claim_id)
    lead = _open_lead(session, claim_id, lead_id)
    lead.status = LeadStatus.DISMISSED.value
    lead.decided_at = now
    lead.decided_by_id = actor.id
    lead.dismiss_reason = reason
    event = record_event(
        session,
        claim,
        EventKind.LEAD_DISMISSED,
        actor,
        now,
        lead_id=lead.id,
        url=lead.url,
        title=lead.title,
        reason=reason,
    )
    session.flush()
    return event

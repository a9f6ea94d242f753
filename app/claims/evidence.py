"""Evidence on a claim: added with a stance, withdrawn with a reason, never deleted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.claims.access import Actor, lock_claim, require_writer
from app.claims.checks import check_text, check_url
from app.claims.deadlines import parse_date
from app.claims.errors import FieldErrors, NotFound, StateConflict, ValidationError
from app.claims.events import record_event
from app.claims.fields import reject_unknown
from app.models import ClaimEvent, ClaimStatus, EventKind, Evidence, Stance

EVIDENCE_FIELDS = frozenset({"url", "title", "publisher", "published_on", "stance", "note"})


def clean_evidence(values: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a new evidence item, checked together."""
    reject_unknown(values, EVIDENCE_FIELDS)
    errors = FieldErrors()
    clean: dict[str, Any] = {
        "url": check_url(errors, "url", values.get("url"), required=True),
        "title": check_text(errors, "title", values.get("title"), max_length=500),
        "publisher": check_text(errors, "publisher", values.get("publisher"), max_length=200),
        "note": check_text(errors, "note", values.get("note"), max_length=5_000, multiline=True),
    }
    stance = values.get("stance") or Stance.CONTEXT.value
    if stance not in {s.value for s in Stance}:
        errors.add("stance", "must be supports, refutes or context")
    clean["stance"] = stance
    published = values.get("published_on")
    if isinstance(published, datetime):
        errors.add("published_on", "must be a date, not a time")
    elif isinstance(published, date) or published in (None, ""):
        clean["published_on"] = published or None
    elif isinstance(published, str):
        try:
            clean["published_on"] = parse_date(published, "published_on")
        except ValidationError as exc:
            errors.errors.update(exc.errors)
    else:
        errors.add("published_on", "must be a date as YYYY-MM-DD")
    errors.raise_if_any()
    return clean


def add_evidence(
    session: Session,
    actor: Actor,
    now: datetime,
    claim_id: int,
    values: Mapping[str, Any],
    *,
    lead_id: int | None = None,
) -> ClaimEvent:
    """Attach a link to the claim; returns its `evidence_added` event (the item's id is in
    its data, and the lead's when a lead was accepted as this evidence)."""
    require_writer(actor)
    clean = clean_evidence(values)
    claim = lock_claim(session, claim_id)
    item = Evidence(claim=claim, added_by_id=actor.id, added_at=now, **clean)
    session.add(item)
    session.flush()
    event = record_event(
        session,
        claim,
        EventKind.EVIDENCE_ADDED,
        actor,
        now,
        evidence_id=item.id,
        url=item.url,
        title=item.title,
        stance=item.stance,
        **({"lead_id": lead_id} if lead_id is not None else {}),
    )
    session.flush()
    return event


def withdraw_evidence(
    session: Session,
    actor: Actor,
    now: datetime,
    claim_id: int,
    evidence_id: int,
    reason: str,
) -> ClaimEvent:
    """Mark an evidence item withdrawn (it stays visible); returns the `evidence_withdrawn`
    event. Refused if a resolution rests on the item."""
    require_writer(actor)
    errors = FieldErrors()
    reason = check_text(errors, "reason", reason, max_length=5_000, required=True, multiline=True)
    errors.raise_if_any()
    claim = lock_claim(session, claim_id)
    item = next((e for e in claim.evidence if e.id == evidence_id), None)
    if item is None:
        raise NotFound(f"claim {claim_id} has no evidence {evidence_id}")
    if item.withdrawn:
        raise StateConflict(f"evidence {evidence_id} was already withdrawn")
    standing = [e for e in claim.evidence if not e.withdrawn and e.id != evidence_id]
    if claim.is_resolved and ClaimStatus(claim.status).needs_evidence and not standing:
        raise StateConflict(
            f"claim {claim_id} is resolved as {claim.status} on this evidence alone; "
            "add other evidence or reopen the claim first"
        )
    item.withdrawn_at = now
    item.withdrawn_by_id = actor.id
    item.withdrawn_reason = reason
    event = record_event(
        session,
        claim,
        EventKind.EVIDENCE_WITHDRAWN,
        actor,
        now,
        evidence_id=item.id,
        url=item.url,
        reason=reason,
    )
    session.flush()
    return event

"""The claim lifecycle: every change a person can make, each writing exactly one event.

Each function takes the session, the acting user and `now`; it validates everything before it
changes anything, raises a DomainError when it refuses, flushes, never commits, and returns the
event it wrote (its `claim` is the claim as changed).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.claims.access import Actor, find_assignee, lock_claim, require_writer
from app.claims.checks import check_text
from app.claims.date_rules import (
    check_claimed_on,
    check_known_after_claim,
    check_window_after_claim,
)
from app.claims.deadlines import as_instant, deadline_from_duration
from app.claims.errors import (
    FieldErrors,
    StateConflict,
    ValidationError,
    VersionConflict,
)
from app.claims.events import record_event
from app.claims.fields import (
    EDITABLE_FIELDS,
    check_window_order,
    clean_fields,
    clean_new_claim,
    reject_unknown,
)
from app.claims.overdue import status_after_reopen
from app.claims.policy import policy_of
from app.claims.sources import find_or_create_source
from app.claims.terms import index_claims
from app.models import OPEN_STATUSES, Claim, ClaimEvent, ClaimStatus, EventKind
from app.wire import wire_value

MAX_NOTE = 5_000


def create_claim(
    session: Session, actor: Actor, now: datetime, values: Mapping[str, Any]
) -> ClaimEvent:
    """A new pending claim from the given fields; returns its `created` event."""
    require_writer(actor)
    clean = clean_new_claim(values, now)
    source_name, source_url = clean.pop("source", ""), clean.pop("source_url", None)
    tags = clean.pop("tags", [])
    claim = Claim(
        **clean,
        status=ClaimStatus.PENDING.value,
        extensions=0,
        version=0,  # `record_event` makes it 1: the version of a claim with one event
        created_at=now,
        updated_at=now,
        created_by_id=actor.id,
    )
    if source_name:
        claim.source = find_or_create_source(session, source_name, now, source_url)
    claim.tags = tags
    session.add(claim)
    event = record_event(
        session,
        claim,
        EventKind.CREATED,
        actor,
        now,
        statement=claim.statement,
        window_end=claim.window_end,
        source=source_name or None,
    )
    session.flush()
    index_claims(session, [(claim.id, claim.subject, claim.watch_terms)], replace=False)
    return event


def _current(claim: Claim, field: str) -> Any:
    if field == "source":
        return claim.source.name if claim.source else ""
    if field == "source_url":
        return claim.source.url if claim.source else None
    if field in ("tags", "watch_terms"):
        return list(getattr(claim, field))
    return getattr(claim, field)


def edit_claim(
    session: Session,
    actor: Actor,
    now: datetime,
    claim_id: int,
    expected_version: int,
    changes: Mapping[str, Any],
) -> ClaimEvent | None:
    """Apply `changes` if the caller saw version `expected_version`; returns the `edited`
    event, or None: an edit that changes nothing is not a change (no event, no new version).
    """
    require_writer(actor)
    reject_unknown(changes, EDITABLE_FIELDS)
    errors = FieldErrors()
    clean = clean_fields(changes, errors)
    if "statement" in changes and not clean.get("statement"):
        errors.errors.setdefault("statement", ["is required"])
    errors.raise_if_any()

    claim = lock_claim(session, claim_id)
    if claim.version != expected_version:
        raise VersionConflict(
            f"claim {claim_id} is at version {claim.version}, not {expected_version}; "
            "reload it and apply your change again"
        )
    check_window_order(errors, clean.get("window_start", claim.window_start), claim.window_end)
    if "claimed_on" in clean:
        check_claimed_on(errors, clean["claimed_on"], now)
        check_window_after_claim(errors, clean["claimed_on"], claim.window_end, "claimed_on")
        check_known_after_claim(errors, clean["claimed_on"], claim.known_at, "claimed_on")
    new_source = clean.get("source", _current(claim, "source"))
    if clean.get("source_url") and not new_source:
        errors.add("source", "is required when source_url is given")
    errors.raise_if_any()

    changed = {
        field: [wire_value(_current(claim, field)), wire_value(value)]
        for field, value in clean.items()
        if _current(claim, field) != value and not (field == "source_url" and value is None)
    }
    if not changed:
        return None
    for field, value in clean.items():
        if field == "source" or field == "source_url":
            continue
        if field == "tags":
            claim.tags = value
        else:
            setattr(claim, field, value)
    if "source" in changed or "source_url" in changed:
        claim.source = (
            find_or_create_source(session, new_source, now, clean.get("source_url"))
            if new_source
            else None
        )
    event = record_event(session, claim, EventKind.EDITED, actor, now, changes=changed)
    session.flush()
    if "subject" in changed or "watch_terms" in changed:
        index_claims(session, [(claim.id, claim.subject, claim.watch_terms)])
    return event


def resolve_claim(
    session: Session,
    actor: Actor,
    now: datetime,
    claim_id: int,
    outcome: str,
    note: str,
    known_at: datetime | str | None = None,
) -> ClaimEvent:
    """Record how the claim turned out; refuted or confirmed needs standing evidence."""
    require_writer(actor)
    errors = FieldErrors()
    if outcome not in {s.value for s in ClaimStatus if s.is_resolution}:
        errors.add(
            "outcome",
            "must be one of confirmed, partly_confirmed, refuted, retracted, void",
        )
    note = check_text(errors, "note", note, max_length=MAX_NOTE, multiline=True)
    when = now
    if known_at not in (None, ""):
        try:
            when = as_instant(known_at, "known_at")  # type: ignore[arg-type]
        except ValidationError as exc:
            errors.errors.update(exc.errors)
        else:
            if when > now:
                errors.add("known_at", "may not be in the future")
    errors.raise_if_any()

    claim = lock_claim(session, claim_id)
    if claim.is_resolved:
        raise StateConflict(
            f"claim {claim_id} is already resolved as {claim.status}; reopen it first"
        )
    check_known_after_claim(errors, claim.claimed_on, when, "known_at")
    errors.raise_if_any()
    status = ClaimStatus(outcome)
    if status.needs_evidence and not any(not e.withdrawn for e in claim.evidence):
        raise StateConflict(
            f"resolving as {outcome} needs at least one evidence item that is not withdrawn"
        )
    previous = claim.status
    claim.status = status.value
    claim.resolution_note = note
    claim.known_at = when
    claim.resolved_at = now
    claim.resolved_by_id = actor.id
    event = record_event(
        session,
        claim,
        EventKind.RESOLVED,
        actor,
        now,
        outcome=outcome,
        note=note,
        known_at=when,
        previous_status=previous,
    )
    session.flush()
    return event


def reopen_claim(
    session: Session,
    actor: Actor,
    now: datetime,
    claim_id: int,
    reason: str,
) -> ClaimEvent:
    """Undo a resolution: back to pending, or overdue when its window has already passed."""
    require_writer(actor)
    errors = FieldErrors()
    reason = check_text(
        errors, "reason", reason, max_length=MAX_NOTE, required=True, multiline=True
    )
    errors.raise_if_any()
    claim = lock_claim(session, claim_id)
    if not claim.is_resolved:
        raise StateConflict(
            f"claim {claim_id} is {claim.status}; only a resolved claim can be reopened"
        )
    previous = claim.status
    status = status_after_reopen(claim.window_end, now, policy_of(session))
    claim.status = status.value
    if status == ClaimStatus.OVERDUE:
        claim.flagged_at = now
    claim.resolution_note = None
    claim.known_at = None
    claim.resolved_at = None
    claim.resolved_by_id = None
    event = record_event(
        session,
        claim,
        EventKind.REOPENED,
        actor,
        now,
        reason=reason,
        previous_outcome=previous,
        status=claim.status,
    )
    session.flush()
    return event


def extend_window(
    session: Session,
    actor: Actor,
    now: datetime,
    claim_id: int,
    reason: str,
    window_end: datetime | str | None = None,
    expected_within: str | None = None,
) -> ClaimEvent:
    """Move an open claim's deadline later; it is pending again until the new one passes.

    `expected_within` counts from today (UTC), as the spec asks.
    """
    require_writer(actor)
    errors = FieldErrors()
    reason = check_text(
        errors, "reason", reason, max_length=MAX_NOTE, required=True, multiline=True
    )
    new_end: datetime | None = None
    if window_end not in (None, "") and expected_within:
        errors.add("expected_within", "give either window_end or expected_within, not both")
    try:
        if expected_within:
            new_end = deadline_from_duration(now.date(), expected_within)
        elif window_end not in (None, ""):
            new_end = as_instant(window_end, "window_end")  # type: ignore[arg-type]
        else:
            errors.add("window_end", "is required (or give expected_within, e.g. P2W)")
    except ValidationError as exc:
        errors.errors.update(exc.errors)
    if new_end is not None and new_end <= now:
        errors.add("window_end", "must be in the future")
    errors.raise_if_any()
    assert new_end is not None

    claim = lock_claim(session, claim_id)
    if claim.status_enum not in OPEN_STATUSES:
        raise StateConflict(f"claim {claim_id} is resolved as {claim.status}; reopen it to extend")
    if new_end <= claim.window_end:
        raise ValidationError.single(
            "window_end",
            "must be later than the current window end; extending moves it later",
        )
    if claim.window_start and claim.window_start >= new_end:
        raise ValidationError.single("window_end", "must be after the window start")
    old_end, previous = claim.window_end, claim.status
    claim.window_end = new_end
    claim.status = ClaimStatus.PENDING.value
    claim.extensions += 1
    event = record_event(
        session,
        claim,
        EventKind.WINDOW_EXTENDED,
        actor,
        now,
        old=old_end,
        new=new_end,
        reason=reason,
        previous_status=previous,
    )
    session.flush()
    return event


def assign_claim(
    session: Session,
    actor: Actor,
    now: datetime,
    claim_id: int,
    assignee: int | str | None,
) -> ClaimEvent:
    """Give the claim to a reviewer (by id or email), or to nobody with None. The event names
    the assignee by id only: it copies no email."""
    require_writer(actor)
    user = None
    if assignee not in (None, ""):
        user = find_assignee(session, assignee)  # type: ignore[arg-type]
    claim = lock_claim(session, claim_id)
    new_id = user.id if user else None
    if claim.assignee_id == new_id:
        who = user.label if user else "nobody"
        raise StateConflict(f"claim {claim_id} is already assigned to {who}")
    previous = claim.assignee_id
    claim.assignee_id = new_id
    claim.assignee = user
    event = record_event(
        session,
        claim,
        EventKind.ASSIGNED,
        actor,
        now,
        previous=previous,
        assignee=new_id,
    )
    session.flush()
    return event


def comment_on_claim(
    session: Session, actor: Actor, now: datetime, claim_id: int, body: str
) -> ClaimEvent:
    """Add a comment to the claim's timeline."""
    require_writer(actor)
    errors = FieldErrors()
    body = check_text(errors, "body", body, max_length=10_000, required=True, multiline=True)
    errors.raise_if_any()
    claim = lock_claim(session, claim_id)
    event = record_event(session, claim, EventKind.COMMENTED, actor, now, body=body)
    session.flush()
    return event

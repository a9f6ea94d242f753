"""One claim with its evidence, and a claim's history; several of them at once (webhooks)."""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, exists
from sqlalchemy.engine import Connection

from app.claims.errors import NotFound
from app.claims.reads.rows import (
    ClaimRow,
    EventRow,
    EvidenceRow,
    naive_utc,
    select_claims,
    select_events,
    select_evidence,
)
from app.models import Claim, ClaimEvent, Evidence
from app.wire import dumps


@lru_cache(maxsize=1)
def _one_claim() -> Select[Any]:
    """The claim, and (last) whether it has any evidence: most claims have none, and then the
    evidence statement is skipped."""
    claims = Claim.__table__
    has_evidence = exists().where(Evidence.claim_id == claims.c.id).label("has_evidence")
    return (
        select_claims(ClaimRow, claims)
        .add_columns(has_evidence)
        .where(claims.c.id == bindparam("claim_id"))
    )


@lru_cache(maxsize=1)
def _evidence_of_claim() -> Select[Any]:
    table = Evidence.__table__
    return select_evidence().where(table.c.claim_id == bindparam("claim_id")).order_by(table.c.id)


@lru_cache(maxsize=1)
def _events_of_claim() -> Select[Any]:
    table = ClaimEvent.__table__
    return select_events().where(table.c.claim_id == bindparam("claim_id")).order_by(table.c.id)


def read_claim(connection: Connection, claim_id: int) -> tuple[ClaimRow, list[EvidenceRow]]:
    """The claim and its evidence (oldest first); NotFound when there is no such claim."""
    row = connection.execute(_one_claim(), {"claim_id": claim_id}).one_or_none()
    if row is None:
        raise NotFound(f"there is no claim {claim_id}")
    evidence = read_evidence(connection, claim_id) if row[-1] else []
    return ClaimRow(*row[:-1]), evidence


def row_of(claim: Claim) -> ClaimRow:
    """The row of a claim just written in the caller's session, without reading it back: every
    column is in the object after the flush (a new claim: no one assigned, nothing resolved).
    tests/api/test_claims_api.py checks that a POST's answer equals the GET that follows."""
    source = claim.source
    return ClaimRow(
        id=claim.id,
        statement=claim.statement,
        subject=claim.subject,
        details=claim.details,
        tags=dumps(sorted(claim.tags)).decode(),
        watch_terms=dumps(claim.watch_terms or []).decode(),
        claimant=claim.claimant,
        source_id=source.id if source else None,
        source_name=source.name if source else None,
        source_url=source.url if source else None,
        first_seen_url=claim.first_seen_url,
        claimed_on=claim.claimed_on,
        window_start=naive_utc(claim.window_start),
        window_end=naive_utc(claim.window_end),  # type: ignore[arg-type]
        status=claim.status,
        flagged_at=naive_utc(claim.flagged_at),
        extensions=claim.extensions,
        assignee_id=claim.assignee_id,
        assignee_name=claim.assignee.label if claim.assignee else None,
        resolution_note=claim.resolution_note,
        known_at=naive_utc(claim.known_at),
        resolved_at=naive_utc(claim.resolved_at),
        resolved_by_id=claim.resolved_by_id,
        resolved_by_name=claim.resolved_by.label if claim.resolved_by else None,
        version=claim.version,
        created_at=naive_utc(claim.created_at),  # type: ignore[arg-type]
        updated_at=naive_utc(claim.updated_at),  # type: ignore[arg-type]
    )


def read_evidence(connection: Connection, claim_id: int) -> list[EvidenceRow]:
    """The claim's evidence, oldest first, withdrawn items included."""
    rows = connection.execute(_evidence_of_claim(), {"claim_id": claim_id})
    return [EvidenceRow(*row) for row in rows]


def read_evidence_item(connection: Connection, evidence_id: int) -> EvidenceRow:
    """One evidence item (as a face answers after adding or withdrawing it)."""
    table = Evidence.__table__
    row = connection.execute(select_evidence().where(table.c.id == evidence_id)).one()
    return EvidenceRow(*row)


def read_events(connection: Connection, claim_id: int) -> list[EventRow]:
    """The claim's history, oldest first."""
    rows = connection.execute(_events_of_claim(), {"claim_id": claim_id})
    return [EventRow(*row) for row in rows]


def read_event(connection: Connection, event_id: int) -> EventRow:
    """One event (as a face answers with the event an action wrote)."""
    table = ClaimEvent.__table__
    return EventRow(*connection.execute(select_events().where(table.c.id == event_id)).one())


def read_claims_by_id(
    connection: Connection, claim_ids: Collection[int]
) -> dict[int, tuple[ClaimRow, list[EvidenceRow]]]:
    """Several claims with their evidence, in two statements (those that exist)."""
    if not claim_ids:
        return {}
    claims = Claim.__table__
    rows = connection.execute(
        select_claims(ClaimRow, claims).where(claims.c.id.in_(list(claim_ids)))
    )
    found = {row.id: (ClaimRow(*row), []) for row in rows}
    evidence = Evidence.__table__
    # The claim id rides along as the last column, after EvidenceRow's.
    items = connection.execute(
        select_evidence()
        .add_columns(evidence.c.claim_id)
        .where(evidence.c.claim_id.in_(list(found)))
        .order_by(evidence.c.id)
    )
    for item in items:
        found[item[-1]][1].append(EvidenceRow(*item[:-1]))
    return found


def read_events_by_id(connection: Connection, event_ids: Collection[int]) -> list[EventRow]:
    """Several events (in id order), in one statement."""
    if not event_ids:
        return []
    table = ClaimEvent.__table__
    rows = connection.execute(
        select_events().where(table.c.id.in_(list(event_ids))).order_by(table.c.id)
    )
    return [EventRow(*row) for row in rows]

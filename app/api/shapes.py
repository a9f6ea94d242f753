"""The API's JSON shapes, one function per shape — person, claim, evidence, event, source,
watch, lead, similar claim — from the named rows of `app.claims.reads` and `app.watches.reads`
(values as `app.wire.dumps` writes them)."""

from __future__ import annotations

from typing import Any

from flask import Response
from orjson import Fragment

from app.claims.reads import ClaimRow, EventRow, EvidenceRow
from app.claims.similar import SimilarClaim
from app.claims.track_record import TrackRecord
from app.watches.reads import LeadRow, WatchRow
from app.wire import dumps


def person(user_id: int | None, name: str | None) -> dict[str, Any] | None:
    return None if user_id is None else {"id": user_id, "name": name}


def claim(row: ClaimRow, evidence: list[EvidenceRow] | None = None) -> dict[str, Any]:
    """A claim (the `Claim` schema), with its evidence when given (`ClaimDetail`)."""
    body = {
        "id": row.id,
        "statement": row.statement,
        "subject": row.subject,
        "details": row.details,
        "tags": Fragment(row.tags),
        "watch_terms": Fragment(row.watch_terms),
        "claimant": row.claimant,
        "source": None
        if row.source_id is None
        else {"id": row.source_id, "name": row.source_name, "url": row.source_url},
        "first_seen_url": row.first_seen_url,
        "claimed_on": row.claimed_on,
        "window_start": row.window_start,
        "window_end": row.window_end,
        "status": row.status,
        "flagged_at": row.flagged_at,
        "extensions": row.extensions,
        "assignee": person(row.assignee_id, row.assignee_name),
        "resolution": None
        if row.resolved_at is None
        else {
            "outcome": row.status,
            "note": row.resolution_note or "",
            "known_at": row.known_at,
            "resolved_at": row.resolved_at,
            "resolved_by": person(row.resolved_by_id, row.resolved_by_name),
        },
        "version": row.version,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }
    if evidence is not None:
        body["evidence"] = [evidence_item(item) for item in evidence]
    return body


def evidence_item(row: EvidenceRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "url": row.url,
        "title": row.title,
        "publisher": row.publisher,
        "published_on": row.published_on,
        "stance": row.stance,
        "note": row.note,
        "added_by": person(row.added_by_id, row.added_by_name),
        "added_at": row.added_at,
        "withdrawn": row.withdrawn_at is not None,
        "withdrawn_at": row.withdrawn_at,
        "withdrawn_by": person(row.withdrawn_by_id, row.withdrawn_by_name),
        "withdrawn_reason": row.withdrawn_reason,
    }


def event(row: EventRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "at": row.at,
        "actor": person(row.actor_id, row.actor_name) if row.actor_id is not None else "system",
        "data": row.data,
    }


def source(source_id: int, name: str, url: str | None, record: TrackRecord) -> dict[str, Any]:
    return {"id": source_id, "name": name, "url": url, "track_record": record.as_dict()}


def etag(claim_id: int, version: int) -> str:
    """A strong ETag that changes with every change of the claim."""
    return f'"{claim_id}-v{version}"'


def json_response(body: Any, status: int = 200) -> Response:
    """`body` written by `app.wire.dumps` (not Flask's `jsonify`: one encoder for the API)."""
    return Response(dumps(body), status=status, mimetype="application/json")


def claim_response(row: ClaimRow, evidence: list[EvidenceRow], status: int = 200) -> Response:
    """A claim with its evidence and its ETag."""
    response = json_response(claim(row, evidence), status)
    response.headers["ETag"] = etag(row.id, row.version)
    return response


def watch(row: WatchRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "url": row.url,
        "name": row.name,
        "created_at": row.created_at,
        "created_by": person(row.created_by_id, row.created_by_name),
        "health": {"state": row.health.state, "summary": row.health.summary},
        "last_fetched_at": row.last_fetched_at,
        "last_success_at": row.last_success_at,
        "last_error": row.last_error,
        "consecutive_failures": row.consecutive_failures,
        "next_poll_at": row.next_poll_at,
        "leads": row.leads,
    }


def lead(row: LeadRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "claim": {"id": row.claim_id, "statement": row.claim_statement, "status": row.claim_status},
        "watch": {"id": row.watch_id, "name": row.watch_name},
        "url": row.url,
        "title": row.title,
        "summary": row.summary,
        "published_at": row.published_at,
        "matched_term": row.matched_term,
        "matched_words": row.matched_words,
        "status": row.status,
        "found_at": row.found_at,
        "decided_at": row.decided_at,
        "decided_by": person(row.decided_by_id, row.decided_by_name),
        "dismiss_reason": row.dismiss_reason,
        "evidence_id": row.evidence_id,
    }


def similar(row: SimilarClaim) -> dict[str, Any]:
    return row._asdict()

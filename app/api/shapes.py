"""The API's JSON shapes: a claim, its evidence and events are the domain's documents
(`app.claims.documents`, shared with the webhooks); a source, a watch, a lead, a similar claim
and the responses are here (values as `app.wire.dumps` writes them)."""

from __future__ import annotations

from typing import Any

from flask import Response

from app.claims.documents import claim, event, evidence_item, person
from app.claims.reads import ClaimRow, EvidenceRow
from app.claims.similar import SimilarClaim
from app.claims.track_record import TrackRecord
from app.watches.reads import LeadRow, WatchRow
from app.wire import dumps

__all__ = [
    "claim",
    "claim_response",
    "etag",
    "event",
    "evidence_item",
    "json_response",
    "lead",
    "similar",
    "source",
    "watch",
]


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

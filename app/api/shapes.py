"""The API's JSON shapes: a claim, its evidence and events are the domain's documents
(`app.claims.documents`, shared with the webhooks); a source and the responses are here."""

from __future__ import annotations

from typing import Any

from flask import Response

from app.claims.documents import claim, event, evidence_item
from app.claims.reads import ClaimRow, EvidenceRow
from app.claims.track_record import TrackRecord
from app.wire import dumps

__all__ = [
    "claim",
    "claim_response",
    "etag",
    "event",
    "evidence_item",
    "json_response",
    "source",
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

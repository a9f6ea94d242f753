"""A claim, its evidence and its events as JSON documents — the API's bodies and the webhooks'
`data` — from the named rows of `app.claims.reads` (values as `app.wire.dumps` writes them).

One function per document, so `GET /claims/{id}` and a webhook about that claim cannot differ.
"""

from __future__ import annotations

from typing import Any

from orjson import Fragment

from app.claims.reads import ClaimRow, EventRow, EvidenceRow


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

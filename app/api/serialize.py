"""Claims, evidence and events as the API's JSON (plain dicts: see openapi.py for why)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from flask import Response

from app.models import Claim, ClaimEvent, Evidence, User


def instant(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with `Z`."""
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def user_ref(user: User | None) -> dict[str, Any] | None:
    return {"id": user.id, "name": user.label} if user is not None else None


def etag(claim_id: int, version: int) -> str:
    """A strong ETag that changes with every change of the claim."""
    return f'"{claim_id}-v{version}"'


def claim_row(row: Mapping[str, Any], tags: list[str] | None = None) -> dict[str, Any]:
    """A claim from one row of `listing.claim_select` (tags given apart, already decoded)."""
    resolved = row["resolved_at"] is not None
    return {
        "id": row["id"],
        "statement": row["statement"],
        "subject": row["subject"],
        "details": row["details"],
        "tags": row["tags"] if tags is None else tags,
        "claimant": row["claimant"],
        "source": (
            {"id": row["source_id"], "name": row["source_name"], "url": row["source_url"]}
            if row["source_id"] is not None
            else None
        ),
        "first_seen_url": row["first_seen_url"],
        "claimed_on": day(row["claimed_on"]),
        "window_start": instant(row["window_start"]),
        "window_end": instant(row["window_end"]),
        "status": row["status"],
        "flagged_at": instant(row["flagged_at"]),
        "extensions": row["extensions"],
        "assignee": (
            {"id": row["assignee_id"], "name": row["assignee_name"]}
            if row["assignee_id"] is not None
            else None
        ),
        "resolution": (
            {
                "outcome": row["status"],
                "note": row["resolution_note"] or "",
                "known_at": instant(row["known_at"]),
                "resolved_at": instant(row["resolved_at"]),
                "resolved_by": (
                    {"id": row["resolved_by_id"], "name": row["resolved_by_name"]}
                    if row["resolved_by_id"] is not None
                    else None
                ),
            }
            if resolved
            else None
        ),
        "version": row["version"],
        "created_at": instant(row["created_at"]),
        "updated_at": instant(row["updated_at"]),
    }


def claim(item: Claim, with_evidence: bool = True) -> dict[str, Any]:
    """One claim loaded as an ORM object, with its evidence."""
    source = item.source
    row = {
        **{c.key: getattr(item, c.key) for c in Claim.__table__.columns},
        "tags": list(item.tags),
        "source_name": source.name if source else None,
        "source_url": source.url if source else None,
        "assignee_name": item.assignee.label if item.assignee else None,
        "resolved_by_name": item.resolved_by.label if item.resolved_by else None,
    }
    data = claim_row(row)
    if with_evidence:
        data["evidence"] = [evidence(e) for e in item.evidence]
    return data


def evidence(item: Evidence) -> dict[str, Any]:
    return {
        "id": item.id,
        "url": item.url,
        "title": item.title,
        "publisher": item.publisher,
        "published_on": day(item.published_on),
        "stance": item.stance,
        "note": item.note,
        "added_by": user_ref(item.added_by),
        "added_at": instant(item.added_at),
        "withdrawn": item.withdrawn,
        "withdrawn_at": instant(item.withdrawn_at),
        "withdrawn_by": user_ref(item.withdrawn_by),
        "withdrawn_reason": item.withdrawn_reason,
    }


def event(item: ClaimEvent) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind,
        "at": instant(item.at),
        "actor": user_ref(item.actor) if item.actor_id is not None else "system",
        "data": item.data,
    }


def json_response(body: Any, status: int = 200) -> Response:
    """JSON without Flask's key sorting and indentation checks: the list's hottest step."""
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        mimetype="application/json",
    )

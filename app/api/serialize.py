"""Evidence, events and people as the API's JSON (plain dicts: see openapi.py for why); the
claim's own shape is in app.api.documents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import orjson
from flask import Response

from app.models import ClaimEvent, Evidence, User


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


# Naive instants are UTC (see app.api.documents), and UTC is written `Z`: the same text as
# `instant`.
ORJSON_OPTIONS = orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z


def dumps(body: Any) -> bytes:
    """JSON as the API writes it (UTF-8 as it is, no spaces, keys in the order given): orjson
    writes the dates and instants of `app.api.documents` itself, and the JSON text of their
    tags as it is."""
    return orjson.dumps(body, option=ORJSON_OPTIONS)


def json_response(body: bytes, status: int = 200) -> Response:
    """A JSON response from JSON already written (`dumps`).

    Not Flask's `jsonify`: its key sorting and indentation checks cost more than the rest of
    building a small response.
    """
    return Response(body, status=status, mimetype="application/json")

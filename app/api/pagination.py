"""Keyset (cursor) pagination: page 10,000 costs what page 1 costs.

A cursor is the sort key and id of the last row of a page, base64url-encoded; it is opaque to
clients and tied to the sort it was made for.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flask import request

from app.claims.errors import ValidationError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode_cursor(sort: str, value: datetime, last_id: int) -> str:
    raw = json.dumps([sort, value.isoformat(), last_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[datetime, int]:
    """The (sort value, id) after which the page starts; 422 when it is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        made_for, value, last_id = json.loads(base64.urlsafe_b64decode(padded))
        when = datetime.fromisoformat(value)
        if not isinstance(last_id, int) or isinstance(last_id, bool) or when.tzinfo is None:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValidationError.single("cursor", "is not a cursor this API made") from None
    if made_for != sort:
        raise ValidationError.single("cursor", f"was made for sort={made_for}, not sort={sort}")
    return when.astimezone(UTC), last_id


def parse_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    # isascii: isdigit() alone also accepts "²", which int() refuses (found by scripts/fuzz).
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIMIT:
        raise ValidationError.single("limit", f"must be a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


def next_link(cursor: str) -> str:
    """The `Link` header pointing at the next page: the same query with the new cursor."""
    args: list[tuple[str, Any]] = [
        (key, value) for key, value in request.args.items(multi=True) if key != "cursor"
    ]
    args.append(("cursor", cursor))
    return f'<{request.path}?{urlencode(args)}>; rel="next"'

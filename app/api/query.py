"""`GET /claims`'s query string as a `ClaimQuery`, checked (every problem reported at once),
and what every paged list of the API shares: `limit`, `cursor` and the `Link` header."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import request

from app.claims.checks import check_id, check_query_text, normalise_tag
from app.claims.cursor import decode_cursor
from app.claims.deadlines import as_instant
from app.claims.errors import FieldErrors, ValidationError
from app.claims.reads import SORTS, ClaimQuery, groups_of
from app.models import ClaimStatus

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
STATUSES = {s.value for s in ClaimStatus}
# The query parameters of every paged list, as the OpenAPI document declares them, and the
# header of its answer that points at the next page.
PAGE_PARAMETERS = [
    {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    },
    {
        "name": "cursor",
        "in": "query",
        "description": "`next` of the previous page",
        "schema": {"type": "string"},
    },
]
LINK = {"Link": {"description": 'rel="next": the next page', "schema": {"type": "string"}}}


def parse_limit(errors: FieldErrors, raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIMIT:
        errors.add("limit", f"must be a whole number from 1 to {MAX_LIMIT}")
        return DEFAULT_LIMIT
    return int(raw)


def _bound(errors: FieldErrors, name: str, raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        return as_instant(raw, name)
    except ValidationError as exc:
        errors.errors.update(exc.errors)
        return None


def parse_list_query(args: Any) -> ClaimQuery:
    """The list's query string, checked; 422 naming every bad parameter."""
    errors = FieldErrors()
    statuses = tuple(args.getlist("status"))
    for status in statuses:
        if status not in STATUSES:
            errors.add("status", f"{status[:40]!r} is not a status: {', '.join(sorted(STATUSES))}")
    sort = args.get("sort") or "window_end"
    if sort not in SORTS:
        errors.add("sort", f"must be one of {', '.join(SORTS)}")
        sort = "window_end"
    tag = check_query_text(errors, "tag", args.get("tag"))
    query = ClaimQuery(
        statuses=statuses,
        tag=normalise_tag(tag) if tag else None,
        source=check_id(errors, "source", args.get("source")),
        assignee=check_id(errors, "assignee", args.get("assignee")),
        q=check_query_text(errors, "q", args.get("q")),
        window_end_before=_bound(errors, "window_end_before", args.get("window_end_before")),
        window_end_after=_bound(errors, "window_end_after", args.get("window_end_after")),
        sort=sort,
        limit=parse_limit(errors, args.get("limit")),
    )
    errors.raise_if_any()
    cursor = args.get("cursor")
    if cursor:
        query = replace(query, cursor=decode_cursor(cursor, sort, groups_of(sort)))
    return query


def next_link(cursor: str) -> str:
    """The `Link` header pointing at the next page: the same query with the new cursor."""
    args: list[tuple[str, Any]] = [
        (key, value) for key, value in request.args.items(multi=True) if key != "cursor"
    ]
    args.append(("cursor", cursor))
    return f'<{request.path}?{urlencode(args)}>; rel="next"'

"""Checks on single values of a JSON Lines record; each adds its problem to `errors`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from app.claims.checks import check_url
from app.claims.deadlines import parse_date_or_datetime
from app.claims.errors import FieldErrors, ValidationError
from app.db import MAX_ID

# Claims, evidence and sources have 32-bit ids on PostgreSQL (MAX_ID), events 64-bit ones.
MAX_EVENT_ID = 2**63 - 1


def unknown_keys(
    errors: FieldErrors, record: Mapping[str, Any], allowed: frozenset[str], prefix: str = ""
) -> None:
    for key in record:
        if key not in allowed:
            errors.add(f"{prefix}{key}", "is not a field of this record")


def record_id(errors: FieldErrors, field: str, value: Any, highest: int = MAX_ID) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= highest:
        errors.add(field, f"must be a whole number from 1 to {highest}")
        return 0
    return value


def url(errors: FieldErrors, field: str, value: Any) -> str | None:
    """An optional http(s) URL, checked by the domain once it is known to be text."""
    if value is not None and not isinstance(value, str):
        errors.add(field, "must be an http or https URL")
        return None
    return check_url(errors, field, value, required=False)


def count(errors: FieldErrors, field: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        errors.add(field, f"must be a whole number of at least {minimum}")
        return minimum
    return value


def instant(errors: FieldErrors, field: str, value: Any, required: bool = False) -> datetime | None:
    """An RFC 3339 time with an offset; a restore keeps exact instants, so no bare dates."""
    if value is None:
        if required:
            errors.add(field, "is required")
        return None
    parsed: date | datetime | None = None
    if isinstance(value, str):
        try:
            parsed = parse_date_or_datetime(value, field)
        except ValidationError:
            parsed = None
    if not isinstance(parsed, datetime):
        errors.add(field, "must be an RFC 3339 time such as 2026-11-20T09:00:00Z")
        return None
    return parsed


def day(errors: FieldErrors, field: str, value: Any) -> date | None:
    if value is None:
        return None
    parsed = None
    if isinstance(value, str):
        try:
            parsed = parse_date_or_datetime(value, field)
        except ValidationError:
            parsed = None
    if type(parsed) is not date:
        errors.add(field, "must be a date as YYYY-MM-DD")
        return None
    return parsed


def person(errors: FieldErrors, field: str, value: Any, users: Mapping[str, int]) -> int | None:
    if value is None:
        return None
    user_id = users.get(value.strip().lower()) if isinstance(value, str) else None
    if user_id is None:
        errors.add(field, f"{value!r} is not one of the file's user records")
    return user_id

"""Validating the fields of a claim as people enter them, for create and edit alike."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from app.claims.checks import check_tags, check_text, check_url, check_watch_terms
from app.claims.date_rules import check_claimed_on, check_window_after_claim
from app.claims.deadlines import as_instant, deadline_from_duration, parse_date
from app.claims.errors import FieldErrors, ValidationError
from app.claims.sources import source_key

# Fields a claim is created with, in the order forms and spreadsheets show them;
# `expected_within` is an alternative way to give `window_end`.
CLAIM_FIELDS = (
    "statement",
    "subject",
    "details",
    "tags",
    "watch_terms",
    "claimant",
    "source",
    "source_url",
    "first_seen_url",
    "claimed_on",
    "window_start",
    "window_end",
    "expected_within",
)
CREATE_FIELDS = frozenset(CLAIM_FIELDS)
# Fields an edit may change. The window end moves only by `extend`, status only by the lifecycle.
EDITABLE_FIELDS = CREATE_FIELDS - {"window_end", "expected_within"}
LIFECYCLE_FIELDS = {
    "status": "status changes only through resolve, reopen or extend",
    "window_end": "the window is moved with extend, which records a reason",
    "expected_within": "the window is moved with extend, which records a reason",
}


def reject_unknown(values: Mapping[str, Any], allowed: frozenset[str]) -> None:
    """422 for every field that is not one of `allowed`, naming each."""
    errors = FieldErrors()
    for name in values:
        if name not in allowed:
            errors.add(name, LIFECYCLE_FIELDS.get(name, "is not a field of a claim"))
    errors.raise_if_any()


def _date(errors: FieldErrors, field: str, value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        errors.add(field, "must be a date, not a time")
        return None
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        errors.add(field, "must be a date as YYYY-MM-DD")
        return None
    try:
        return parse_date(value, field)
    except ValidationError as exc:
        errors.errors.update(exc.errors)
        return None


def _instant(errors: FieldErrors, field: str, value: Any, bare_date: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, (str, date)):
        errors.add(field, "must be a date or an RFC 3339 time")
        return None
    try:
        return as_instant(value, field, bare_date=bare_date)
    except ValidationError as exc:
        errors.errors.update(exc.errors)
        return None


def clean_fields(values: Mapping[str, Any], errors: FieldErrors) -> dict[str, Any]:
    """Each given field checked and normalised; problems go into `errors`."""
    clean: dict[str, Any] = {}
    text_limits = {"subject": 200, "claimant": 300, "source": 200}
    for name, value in values.items():
        if name == "statement":
            clean[name] = check_text(errors, name, value, max_length=500, required=True)
        elif name in text_limits:
            clean[name] = check_text(errors, name, value, max_length=text_limits[name])
            if name == "source" and clean[name] and len(source_key(clean[name])) > 200:
                # The key folds case, which can lengthen a name ("ß" is "ss"): it must fit too.
                errors.add(name, "is too long once its letters are folded to compare names")
        elif name == "details":
            clean[name] = check_text(errors, name, value, max_length=20_000, multiline=True)
        elif name == "tags":
            clean[name] = check_tags(errors, value)
        elif name == "watch_terms":
            clean[name] = check_watch_terms(errors, value)
        elif name in ("first_seen_url", "source_url"):
            clean[name] = check_url(errors, name, value, required=False)
        elif name == "claimed_on":
            clean[name] = _date(errors, name, value)
        elif name == "window_start":
            clean[name] = _instant(errors, name, value, bare_date="start")
        elif name == "window_end":
            clean[name] = _instant(errors, name, value, bare_date="end")
        elif name == "expected_within":
            clean[name] = value.strip() if isinstance(value, str) and value.strip() else None
    return clean


def clean_new_claim(values: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Every field of a new claim, checked together; the window resolved to `window_end`.

    `expected_within` counts from `claimed_on`, or from today (UTC) when the claim has no date.
    """
    today = now.date()
    reject_unknown(values, CREATE_FIELDS)
    errors = FieldErrors()
    clean = clean_fields({"statement": None, **values}, errors)
    duration = clean.pop("expected_within", None)
    if duration and clean.get("window_end"):
        errors.add("expected_within", "give either window_end or expected_within, not both")
    elif duration and "claimed_on" not in errors:
        try:
            clean["window_end"] = deadline_from_duration(clean.get("claimed_on") or today, duration)
        except ValidationError as exc:
            errors.errors.update(exc.errors)
    elif not clean.get("window_end") and "window_end" not in errors:
        errors.add("window_end", "is required (or give expected_within, e.g. P3W)")
    check_window_order(errors, clean.get("window_start"), clean.get("window_end"))
    check_claimed_on(errors, clean.get("claimed_on"), now)
    if "window_end" not in errors.errors:
        check_window_after_claim(errors, clean.get("claimed_on"), clean.get("window_end"))
    if clean.get("source_url") and not clean.get("source"):
        errors.add("source", "is required when source_url is given")
    errors.raise_if_any()
    return clean


def check_window_order(errors: FieldErrors, start: datetime | None, end: datetime | None) -> None:
    if start and end and start >= end:
        errors.add("window_start", "must be before window_end")

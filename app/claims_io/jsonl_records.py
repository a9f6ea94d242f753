"""Checking the records of a JSON Lines export before they are restored.

Each function takes one decoded record, adds every problem to `errors` (field → messages, as
the domain does) and returns the database row(s) to insert. User references are emails, turned
into local user ids through `users`; source references are the file's source ids, turned into
local ids through `sources`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.claims.checks import check_tags, check_text, check_watch_terms
from app.claims.errors import FieldErrors, ValidationError
from app.claims.evidence import EVIDENCE_FIELDS, clean_evidence
from app.claims.fields import check_window_order
from app.claims_io.jsonl_values import (
    MAX_EVENT_ID,
    count,
    day,
    instant,
    person,
    record_id,
    unknown_keys,
    url,
)
from app.models import ClaimStatus, EventKind, Role

USER_KEYS = frozenset({"type", "email", "name", "role", "timezone"})
SOURCE_KEYS = frozenset({"type", "id", "name", "url", "created_at"})
CLAIM_KEYS = frozenset(
    {
        "type",
        "id",
        "version",
        "statement",
        "subject",
        "details",
        "tags",
        "watch_terms",
        "claimant",
        "source",
        "first_seen_url",
        "claimed_on",
        "window_start",
        "window_end",
        "status",
        "flagged_at",
        "extensions",
        "assignee",
        "resolution_note",
        "known_at",
        "resolved_at",
        "resolved_by",
        "created_at",
        "created_by",
        "updated_at",
        "evidence",
        "events",
    }
)
EVIDENCE_KEYS = EVIDENCE_FIELDS | {
    "id",
    "added_by",
    "added_at",
    "withdrawn_at",
    "withdrawn_by",
    "withdrawn_reason",
}
EVENT_KEYS = frozenset({"id", "kind", "at", "actor", "data"})
STATUSES = {status.value for status in ClaimStatus}
KINDS = {kind.value for kind in EventKind}


def check_user(record: Mapping[str, Any]) -> dict[str, Any]:
    """Email, name, role and time zone of a user record (the domain checks them on creation)."""
    errors = FieldErrors()
    unknown_keys(errors, record, USER_KEYS)
    if not isinstance(record.get("email"), str):
        errors.add("email", "is required")
    if record.get("role", Role.VIEWER.value) not in {role.value for role in Role}:
        errors.add("role", "must be viewer, reviewer or admin")
    name = check_text(errors, "name", record.get("name"), max_length=120)
    timezone = record.get("timezone") or "UTC"
    if not isinstance(timezone, str):
        errors.add("timezone", "must be an IANA time zone name")
    errors.raise_if_any()
    return {
        "email": record["email"],
        "name": name,
        "role": record.get("role", Role.VIEWER.value),
        "timezone": timezone,
    }


def check_source(record: Mapping[str, Any]) -> dict[str, Any]:
    errors = FieldErrors()
    unknown_keys(errors, record, SOURCE_KEYS)
    row = {
        "id": record_id(errors, "id", record.get("id")),
        "name": check_text(errors, "name", record.get("name"), max_length=200, required=True),
        "url": url(errors, "url", record.get("url")),
        "created_at": instant(errors, "created_at", record.get("created_at"), required=True),
    }
    errors.raise_if_any()
    return row


def check_claim(
    record: Mapping[str, Any], users: Mapping[str, int], sources: Mapping[int, int]
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The claim's row, tag rows, evidence rows and event rows; ValidationError lists all."""
    errors = FieldErrors()
    unknown_keys(errors, record, CLAIM_KEYS)
    get = record.get
    claim_id = record_id(errors, "id", get("id"))
    status = get("status")
    if status not in STATUSES:
        errors.add("status", f"must be one of {', '.join(sorted(STATUSES))}")
    row: dict[str, Any] = {
        "id": claim_id,
        "version": count(errors, "version", get("version"), 1),
        "statement": check_text(
            errors, "statement", get("statement"), max_length=500, required=True
        ),
        "subject": check_text(errors, "subject", get("subject"), max_length=200),
        "details": check_text(errors, "details", get("details"), max_length=20_000, multiline=True),
        "claimant": check_text(errors, "claimant", get("claimant"), max_length=300),
        "source_id": _source_id(errors, get("source"), sources),
        "first_seen_url": url(errors, "first_seen_url", get("first_seen_url")),
        "claimed_on": day(errors, "claimed_on", get("claimed_on")),
        "window_start": instant(errors, "window_start", get("window_start")),
        "window_end": instant(errors, "window_end", get("window_end"), required=True),
        "status": status,
        "flagged_at": instant(errors, "flagged_at", get("flagged_at")),
        "extensions": count(errors, "extensions", get("extensions", 0), 0),
        "assignee_id": person(errors, "assignee", get("assignee"), users),
        "resolution_note": _optional_text(errors, "resolution_note", get("resolution_note")),
        "known_at": instant(errors, "known_at", get("known_at")),
        "resolved_at": instant(errors, "resolved_at", get("resolved_at")),
        "resolved_by_id": person(errors, "resolved_by", get("resolved_by"), users),
        "created_at": instant(errors, "created_at", get("created_at"), required=True),
        "updated_at": instant(errors, "updated_at", get("updated_at"), required=True),
        "created_by_id": person(errors, "created_by", get("created_by"), users),
    }
    check_window_order(errors, row["window_start"], row["window_end"])
    raw_tags = get("tags")
    if raw_tags is not None and not isinstance(raw_tags, list):
        errors.add("tags", "must be a list of text labels")
        raw_tags = None
    tags = check_tags(errors, raw_tags)
    raw_terms = get("watch_terms")  # absent from files made before watches existed
    if raw_terms is not None and not isinstance(raw_terms, list):
        errors.add("watch_terms", "must be a list of phrases")
        raw_terms = None
    row["watch_terms"] = check_watch_terms(errors, raw_terms)
    evidence = [
        _evidence(errors, f"evidence[{i}].", item, claim_id, users)
        for i, item in enumerate(_list(errors, "evidence", get("evidence")))
    ]
    events = [
        _event(errors, f"events[{i}].", item, claim_id, users)
        for i, item in enumerate(_list(errors, "events", get("events")))
    ]
    if status in STATUSES:
        _check_state(errors, ClaimStatus(status), row, evidence)
    errors.raise_if_any()
    tag_rows = [{"claim_id": claim_id, "tag": tag} for tag in tags]
    return row, tag_rows, evidence, events


def _check_state(
    errors: FieldErrors, status: ClaimStatus, row: dict[str, Any], evidence: list[dict[str, Any]]
) -> None:
    """The lifecycle's invariants hold for restored claims too."""
    if status.is_resolution and row["resolved_at"] is None:
        errors.add("resolved_at", f"is required for a {status} claim")
    if not status.is_resolution and row["resolved_at"] is not None:
        errors.add("resolved_at", f"must be null for a {status} claim")
    if status.needs_evidence and not any(item["withdrawn_at"] is None for item in evidence):
        errors.add("evidence", f"a {status} claim needs at least one evidence item not withdrawn")


def _source_id(errors: FieldErrors, value: Any, sources: Mapping[int, int]) -> int | None:
    if value is None:
        return None
    exported = value.get("id") if isinstance(value, dict) else None
    if exported not in sources:
        errors.add("source", "must be null or {id, name, url} naming one of the source records")
        return None
    return sources[exported]


def _optional_text(errors: FieldErrors, field: str, value: Any) -> str | None:
    if value is None:
        return None
    return check_text(errors, field, value, max_length=5_000, multiline=True)


def _list(errors: FieldErrors, field: str, value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        errors.add(field, "must be a list of objects")
        return []
    return value


def _evidence(
    errors: FieldErrors, prefix: str, item: dict[str, Any], claim_id: int, users: Mapping[str, int]
) -> dict[str, Any]:
    unknown_keys(errors, item, EVIDENCE_KEYS, prefix)
    fields: dict[str, Any] = {}
    given = {key: item[key] for key in EVIDENCE_FIELDS if key in item}
    not_text = [key for key, value in given.items() if not isinstance(value, str | None)]
    for key in not_text:
        errors.add(prefix + key, "must be text")
    try:
        if not not_text:
            fields = clean_evidence(given)
    except ValidationError as exc:
        for field, messages in exc.errors.items():
            for message in messages:
                errors.add(prefix + field, message)
    return {
        "id": record_id(errors, prefix + "id", item.get("id")),
        "claim_id": claim_id,
        "url": fields.get("url"),
        "title": fields.get("title", ""),
        "publisher": fields.get("publisher", ""),
        "published_on": fields.get("published_on"),
        "stance": fields.get("stance"),
        "note": fields.get("note", ""),
        "added_by_id": person(errors, prefix + "added_by", item.get("added_by"), users),
        "added_at": instant(errors, prefix + "added_at", item.get("added_at"), required=True),
        "withdrawn_at": instant(errors, prefix + "withdrawn_at", item.get("withdrawn_at")),
        "withdrawn_by_id": person(errors, prefix + "withdrawn_by", item.get("withdrawn_by"), users),
        "withdrawn_reason": _optional_text(
            errors, prefix + "withdrawn_reason", item.get("withdrawn_reason")
        ),
    }


def _event(
    errors: FieldErrors, prefix: str, item: dict[str, Any], claim_id: int, users: Mapping[str, int]
) -> dict[str, Any]:
    unknown_keys(errors, item, EVENT_KEYS, prefix)
    if item.get("kind") not in KINDS:
        errors.add(prefix + "kind", f"must be one of {', '.join(sorted(KINDS))}")
    data = item.get("data", {})
    if not isinstance(data, dict):
        errors.add(prefix + "data", "must be an object")
    return {
        "id": record_id(errors, prefix + "id", item.get("id"), MAX_EVENT_ID),
        "claim_id": claim_id,
        "kind": item.get("kind"),
        "at": instant(errors, prefix + "at", item.get("at"), required=True),
        "actor_id": person(errors, prefix + "actor", item.get("actor"), users),
        "data": data,
    }

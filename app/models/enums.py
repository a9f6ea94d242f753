"""The closed vocabularies of the domain, as they appear on the wire and in the database."""

from __future__ import annotations

from enum import StrEnum


class ClaimStatus(StrEnum):
    PENDING = "pending"
    OVERDUE = "overdue"
    CONFIRMED = "confirmed"
    PARTLY_CONFIRMED = "partly_confirmed"
    REFUTED = "refuted"
    RETRACTED = "retracted"
    VOID = "void"

    @property
    def is_resolution(self) -> bool:
        return self in RESOLUTIONS

    @property
    def needs_evidence(self) -> bool:
        return self in EVIDENCE_REQUIRED


OPEN_STATUSES = frozenset({ClaimStatus.PENDING, ClaimStatus.OVERDUE})
RESOLUTIONS = frozenset(set(ClaimStatus) - OPEN_STATUSES)
EVIDENCE_REQUIRED = frozenset(
    {ClaimStatus.CONFIRMED, ClaimStatus.PARTLY_CONFIRMED, ClaimStatus.REFUTED}
)


class Role(StrEnum):
    VIEWER = "viewer"
    REVIEWER = "reviewer"
    ADMIN = "admin"

    @property
    def can_write(self) -> bool:
        return self in (Role.REVIEWER, Role.ADMIN)


class DigestFrequency(StrEnum):
    OFF = "off"
    DAILY = "daily"
    WEEKLY = "weekly"


class Stance(StrEnum):
    SUPPORTS = "supports"
    REFUTES = "refutes"
    CONTEXT = "context"


class TokenScope(StrEnum):
    READ = "read"
    WRITE = "write"


class TokenRevocation(StrEnum):
    """Why an API token stopped working for good."""

    BY_OWNER = "by_owner"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (a reason, not a secret)
    USER_DEACTIVATED = "user_deactivated"


class EventKind(StrEnum):
    CREATED = "created"
    EDITED = "edited"
    EVIDENCE_ADDED = "evidence_added"
    EVIDENCE_WITHDRAWN = "evidence_withdrawn"
    COMMENTED = "commented"
    ASSIGNED = "assigned"
    WINDOW_EXTENDED = "window_extended"
    FLAGGED_OVERDUE = "flagged_overdue"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    LEAD_FOUND = "lead_found"
    LEAD_DISMISSED = "lead_dismissed"


class LeadStatus(StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


def sql_in(values: type[StrEnum] | frozenset[StrEnum]) -> str:
    """`'a', 'b'` for a CHECK constraint listing the allowed values."""
    return ", ".join(f"'{v.value}'" for v in sorted(values, key=lambda v: v.value))

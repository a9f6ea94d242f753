"""The claim domain: lifecycle rules, evidence, the overdue sweep and track records.

Plain functions taking a session, an actor and `now`; no Flask request, no commit. Web, API,
CLI and scheduler all call these, so each rule lives in exactly one place.
"""

from app.claims.errors import (
    DomainError,
    NotFound,
    PermissionDenied,
    StateConflict,
    ValidationError,
    VersionConflict,
)
from app.claims.evidence import add_evidence, withdraw_evidence
from app.claims.lifecycle import (
    assign_claim,
    comment_on_claim,
    create_claim,
    edit_claim,
    extend_window,
    reopen_claim,
    resolve_claim,
)

__all__ = [
    "DomainError",
    "NotFound",
    "PermissionDenied",
    "StateConflict",
    "ValidationError",
    "VersionConflict",
    "add_evidence",
    "assign_claim",
    "comment_on_claim",
    "create_claim",
    "edit_claim",
    "extend_window",
    "reopen_claim",
    "resolve_claim",
    "withdraw_evidence",
]

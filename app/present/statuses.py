"""A claim's status as a person reads it, on every page and in the digest."""

from __future__ import annotations

from app.models import ClaimStatus

STATUS_LABELS = {
    ClaimStatus.PENDING.value: "Pending",
    ClaimStatus.OVERDUE.value: "Overdue",
    ClaimStatus.CONFIRMED.value: "Confirmed",
    ClaimStatus.PARTLY_CONFIRMED.value: "Partly confirmed",
    ClaimStatus.REFUTED.value: "Refuted",
    ClaimStatus.RETRACTED.value: "Retracted",
    ClaimStatus.VOID.value: "Void",
}


def status_label(status: str) -> str:
    """ "Partly confirmed" for `partly_confirmed`; an unknown value as it is."""
    return STATUS_LABELS.get(status, status)

"""Each claim of a digest as one line a reader takes in at a glance: its status in its colour,
and its deadline in the reader's zone with how long ago or how soon (`app.present`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from app.claims.policy import DeskPolicy
from app.mail.content import DigestItem, Section
from app.models import ClaimStatus
from app.present.dates import format_instant
from app.present.deadlines import deadline
from app.present.statuses import STATUS_LABELS, status_label

# The status colours of the web pages (app/web/static/claimwatch.css), for mail clients that
# only keep inline styles. Each is dark enough for white text (WCAG AA).
STATUS_COLOURS = {
    ClaimStatus.PENDING.value: "#1d4ed8",
    ClaimStatus.OVERDUE.value: "#b45309",
    ClaimStatus.CONFIRMED.value: "#15803d",
    ClaimStatus.PARTLY_CONFIRMED.value: "#0f766e",
    ClaimStatus.REFUTED.value: "#b42318",
    ClaimStatus.RETRACTED.value: "#6d28d9",
    ClaimStatus.VOID.value: "#57534e",
}


@dataclass(frozen=True)
class Line:
    """One claim as a digest shows it."""

    claim_id: int
    statement: str
    subject: str
    status: str  # as the reader should see it: a pending claim past its window is overdue
    label: str
    colour: str
    when: str  # "window closed 2 Nov 2026 — 35 days ago", "closes in 3 days — by end of ..."


def line(item: DigestItem, zone: tzinfo, now: datetime, policy: DeskPolicy) -> Line:
    d = deadline(item.window_end, now, zone, item.status, policy)
    status = ClaimStatus.OVERDUE.value if d.overdue else item.status
    if item.status not in (ClaimStatus.PENDING, ClaimStatus.OVERDUE):
        resolved = f", recorded {format_instant(item.at, zone)}" if item.at else ""
        when = f"resolved as {STATUS_LABELS[item.status].lower()}{resolved}"
    elif d.passed:
        when = f"window closed {d.day_text} — {d.distance}"
    else:
        when = f"{d.relative} — {d.due}"
    return Line(
        item.claim_id,
        item.statement,
        item.subject,
        status,
        status_label(status),
        STATUS_COLOURS.get(status, "#57534e"),
        when,
    )


def lines(section: Section, zone: tzinfo, now: datetime, policy: DeskPolicy) -> list[Line]:
    return [line(item, zone, now, policy) for item in section.items]

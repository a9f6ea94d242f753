"""The hot reads — the claim lists (API and web), one claim, its evidence and history — as
named rows of plain columns, read with Core on whatever connection the caller gives (no ORM
objects). One module for every face, so the faces show the same rows.

Nothing here decides a rule: the search is `app.claims.search`, the groups of the desk's order
come from `app.models.enums`. What is spelled differently on PostgreSQL and SQLite is written
side by side in `rows.py`.

Instants in every row are naive datetimes in UTC (selected `AT TIME ZONE 'UTC'` on PostgreSQL;
SQLite stores them so): no per-value conversion on the busiest statements; `utc()` makes one
aware, and `app.wire` writes them as UTC. Tags are JSON text, `claim_tags()` reads them.
"""

from app.claims.reads.claim import (
    read_claim,
    read_claims_by_id,
    read_event,
    read_events,
    read_events_by_id,
    read_evidence,
    read_evidence_item,
    row_of,
)
from app.claims.reads.lists import (
    ATTENTION,
    ATTENTION_GROUPS,
    SORTS,
    ClaimPage,
    ClaimQuery,
    claim_page,
    groups_of,
)
from app.claims.reads.rows import (
    ClaimRow,
    ClaimSummary,
    EventRow,
    EvidenceRow,
    claim_tags,
    utc,
)

__all__ = [
    "ATTENTION",
    "ATTENTION_GROUPS",
    "SORTS",
    "ClaimPage",
    "ClaimQuery",
    "ClaimRow",
    "ClaimSummary",
    "EventRow",
    "EvidenceRow",
    "claim_page",
    "claim_tags",
    "groups_of",
    "read_claim",
    "read_claims_by_id",
    "read_event",
    "read_events",
    "read_events_by_id",
    "read_evidence",
    "read_evidence_item",
    "row_of",
    "utc",
]

"""The columns of the claims spreadsheet, shared by CSV import and export."""

from __future__ import annotations

import re

from app.claims.fields import CLAIM_FIELDS

# Columns an import reads. Everything but `statement` (and a window) may be left empty.
CLAIM_COLUMNS = CLAIM_FIELDS
STATE_COLUMNS = ("status", "resolution_note", "known_at", "assignee")
# One evidence item per row; the prefix is dropped to get the evidence field's name.
EVIDENCE_COLUMNS = (
    "evidence_url",
    "evidence_title",
    "evidence_publisher",
    "evidence_published_on",
    "evidence_stance",
    "evidence_note",
)
IMPORT_COLUMNS = CLAIM_COLUMNS + STATE_COLUMNS + EVIDENCE_COLUMNS
# Written by the export for people reading the sheet; an import ignores them (a claim's id,
# version and times are Claimwatch's to give, so re-importing creates new claims).
EXPORT_ONLY_COLUMNS = (
    "version",
    "flagged_at",
    "extensions",
    "resolved_at",
    "resolved_by",
    "evidence_count",
    "created_at",
    "created_by",
    "updated_at",
)
EXPORT_COLUMNS = ("id", *IMPORT_COLUMNS, *EXPORT_ONLY_COLUMNS)
IGNORED_COLUMNS = frozenset({"id", *EXPORT_ONLY_COLUMNS})
TAG_SEPARATOR = re.compile(r"[;,]")


def column_name(header: str) -> str:
    """A header cell as a column name: `Window End`, `window-end` and `window_end` agree."""
    return re.sub(r"[\s-]+", "_", header.strip().lower())

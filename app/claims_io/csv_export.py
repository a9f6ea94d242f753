"""Claims as a spreadsheet: one row per claim, with its first standing evidence item."""

from __future__ import annotations

import csv
from typing import Any, TextIO

from sqlalchemy.orm import Session

from app.claims_io.cells import escape_cell
from app.claims_io.csv_columns import EXPORT_COLUMNS
from app.claims_io.records import claim_count, iter_claim_records
from app.claims_io.report import Progress, no_progress


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    """The spreadsheet row of one claim record (see records.iter_claim_records)."""
    standing = [item for item in record["evidence"] if item["withdrawn_at"] is None]
    first = standing[0] if standing else {}
    source = record["source"] or {}
    return {
        **{column: record.get(column) for column in EXPORT_COLUMNS if column in record},
        "tags": "; ".join(record["tags"]),
        "watch_terms": "; ".join(record["watch_terms"]),
        "source": source.get("name"),
        "source_url": source.get("url"),
        "expected_within": None,
        **{
            f"evidence_{key}": first.get(key)
            for key in ("url", "title", "publisher", "published_on", "stance", "note")
        },
        "evidence_count": len(record["evidence"]),
    }


def write_csv(session: Session, out: TextIO, progress: Progress = no_progress) -> int:
    """Write every claim to `out` as CSV; returns how many claims were written."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    with progress("exporting", claim_count(session)) as step:
        for record in iter_claim_records(session):
            row = csv_row(record)
            writer.writerow([_cell(row[column]) for column in EXPORT_COLUMNS])
            count += 1
            step(1)
    return count


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return escape_cell(value) if isinstance(value, str) else str(value)

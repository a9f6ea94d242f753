"""Reading a claims spreadsheet and checking each row with the claim domain's own rules."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.claims.deadlines import as_instant
from app.claims.errors import ValidationError
from app.claims.evidence import clean_evidence
from app.claims.fields import clean_new_claim
from app.claims_io.cells import unescape_cell
from app.claims_io.csv_columns import (
    CLAIM_COLUMNS,
    EVIDENCE_COLUMNS,
    IGNORED_COLUMNS,
    IMPORT_COLUMNS,
    TAG_SEPARATOR,
    column_name,
)
from app.claims_io.report import ImportReport
from app.models import ClaimStatus

STATUS_NAMES = ", ".join(status.value for status in ClaimStatus)


@dataclass(frozen=True)
class ClaimRow:
    """A row that passed every check that does not need the database."""

    row: int
    claim: dict[str, Any]
    evidence: dict[str, Any] | None
    status: ClaimStatus
    resolution_note: str
    known_at: datetime | None
    assignee: str | None


def read_rows(text: str, report: ImportReport) -> list[tuple[int, dict[str, str]]]:
    """(row number, cells by column) for every non-empty row; header problems go to `report`.

    Row numbers are what a spreadsheet shows: the header is row 1. The delimiter (comma,
    semicolon or tab, as European spreadsheets write) is taken from the header line.
    """
    first_line = text.split("\n", 1)[0]
    try:
        dialect: Any = csv.Sniffer().sniff(first_line, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        report.add(1, "header", "the file is empty; the first row must name the columns")
        return []
    columns = [column_name(cell) for cell in header]
    for name in sorted({c for c in columns if columns.count(c) > 1}):
        report.add(1, name, "appears more than once in the header")
    for name in columns:
        if name and name not in IMPORT_COLUMNS and name not in IGNORED_COLUMNS:
            report.add(1, name, f"is not a column Claimwatch knows: {', '.join(IMPORT_COLUMNS)}")
    if "statement" not in columns:
        report.add(1, "statement", "the header needs a statement column")
    if not report.ok:
        return []
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        numbered = list(enumerate(reader, start=2))
    except csv.Error as exc:  # e.g. a NUL byte: not a text file
        report.add(reader.line_num, "row", f"cannot be read as CSV ({exc})")
        return []
    for number, cells in numbered:
        if not any(cell.strip() for cell in cells):
            continue  # spreadsheets leave blank rows behind
        if len(cells) > len(columns):
            report.add(number, "row", f"has {len(cells)} cells but the header has {len(columns)}")
            continue
        values = dict(zip(columns, cells, strict=False))
        rows.append((number, {c: unescape_cell(v) for c, v in values.items() if c}))
    return rows


def check_row(
    number: int, cells: dict[str, str], now: datetime, report: ImportReport
) -> ClaimRow | None:
    """The row's claim, evidence and state, or None with every problem added to `report`."""
    before = len(report.errors)
    values = {name: cells[name] for name in CLAIM_COLUMNS if cells.get(name, "").strip()}
    for listed in ("tags", "watch_terms"):
        if listed in values:
            values[listed] = TAG_SEPARATOR.split(values[listed])
    try:
        clean_new_claim(values, now)
    except ValidationError as exc:
        report.add_domain_error(number, exc)

    evidence = None
    given = {c[len("evidence_") :]: cells[c] for c in EVIDENCE_COLUMNS if cells.get(c, "").strip()}
    if given:
        try:
            clean_evidence(given)
            evidence = given
        except ValidationError as exc:
            report.add_domain_error(number, exc, {f: f"evidence_{f}" for f in exc.errors})

    raw_status = column_name(cells.get("status", "")) or ClaimStatus.PENDING.value
    status = ClaimStatus.PENDING
    if raw_status not in {s.value for s in ClaimStatus}:
        report.add(number, "status", f"{raw_status!r} is not a status; use one of {STATUS_NAMES}")
    else:
        status = ClaimStatus(raw_status)
        if status.needs_evidence and not given:
            report.add(number, "evidence_url", f"a {status} claim needs evidence; give its link")

    note, known_at = cells.get("resolution_note", "").strip(), None
    known_raw = cells.get("known_at", "").strip()
    if not status.is_resolution:
        for name, value in (("resolution_note", note), ("known_at", known_raw)):
            if value:
                report.add(number, name, f"is only for resolved claims, and this one is {status}")
    elif known_raw:
        try:
            # "Known on the 3rd" means the 3rd: a bare date is the start of that day here.
            known_at = as_instant(known_raw, "known_at", bare_date="start")
        except ValidationError as exc:
            report.add_domain_error(number, exc)
    if len(report.errors) > before:
        return None
    return ClaimRow(
        row=number,
        claim=values,
        evidence=evidence,
        status=status,
        resolution_note=note,
        known_at=known_at,
        assignee=cells.get("assignee", "").strip() or None,
    )

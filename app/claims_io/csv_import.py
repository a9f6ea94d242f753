"""Importing a claims spreadsheet through the claim domain, all rows or none.

Every row is checked first (csv_rows), then written with the same domain functions the web
and the API use, each row in a savepoint so that a refusal (an assignee who cannot review, a
known_at in the future) is reported with its row number and the later rows are still checked.
The caller commits only when the report has no errors.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.claims import add_evidence, assign_claim, create_claim, resolve_claim
from app.claims.access import lock_claim, require_writer
from app.claims.errors import DomainError, ValidationError
from app.claims.events import record_event
from app.claims.evidence import EVIDENCE_FIELDS
from app.claims.overdue import past_window
from app.claims.policy import policy_of
from app.claims_io.csv_rows import ClaimRow, check_row, read_rows
from app.claims_io.report import ImportReport, Progress, no_progress
from app.models import ClaimStatus, EventKind, Source, User

# The domain's field names as the spreadsheet's columns, for error messages.
EVIDENCE_COLUMNS = {field: f"evidence_{field}" for field in EVIDENCE_FIELDS}
RESOLVE_FIELDS = {"outcome": "status", "note": "resolution_note"}
# Keeps the session's identity map (and so each flush) small on large files.
EXPUNGE_EVERY = 100


def import_csv(
    session: Session,
    actor: User,
    now: datetime,
    text: str,
    progress: Progress = no_progress,
) -> ImportReport:
    """Check and write every row of `text`; the report says what was done or what is wrong."""
    require_writer(actor)
    report = ImportReport()
    rows = read_rows(text, report)
    good: list[ClaimRow] = []
    with progress("checking", len(rows)) as step:
        for number, cells in rows:
            row = check_row(number, cells, now, report)
            if row is not None:
                good.append(row)
            step(1)
    sources_before = session.scalar(select(func.count()).select_from(Source)) or 0
    actor_id = actor.id
    with progress("importing", len(good)) as step:
        for index, row in enumerate(good, start=1):
            _write_row(session, actor, now, row, report)
            step(1)
            if index % EXPUNGE_EVERY == 0:
                session.expunge_all()
                actor = session.get(User, actor_id)  # type: ignore[assignment]
    report.sources = (
        session.scalar(select(func.count()).select_from(Source)) or 0
    ) - sources_before
    report.errors.sort()
    return report


def _write_row(
    session: Session,
    actor: User,
    now: datetime,
    row: ClaimRow,
    report: ImportReport,
) -> None:
    steps = 0
    try:
        with session.begin_nested():
            field, renames = "row", {}
            claim = create_claim(session, actor, now, row.claim).claim
            steps = 1
            if row.evidence:
                field, renames = "evidence_url", EVIDENCE_COLUMNS
                add_evidence(session, actor, now, claim.id, row.evidence)
                steps += 1
            if row.assignee:
                field, renames = "assignee", {}
                assign_claim(session, actor, now, claim.id, row.assignee)
                steps += 1
            field, renames = "status", RESOLVE_FIELDS
            if row.status is ClaimStatus.OVERDUE:
                _flag_overdue(session, actor, now, claim.id)
                steps += 1
            elif row.status.is_resolution:
                resolve_claim(
                    session,
                    actor,
                    now,
                    claim.id,
                    row.status.value,
                    row.resolution_note,
                    known_at=row.known_at,
                )
                steps += 1
    except DomainError as exc:
        report.add_domain_error(row.row, exc, renames, default=field)
        return
    report.claims += 1
    report.evidence += 1 if row.evidence else 0
    report.events += steps


def _flag_overdue(session: Session, actor: User, now: datetime, claim_id: int) -> None:
    """A row marked overdue is flagged on arrival, if its window has really passed.

    The sweep would flag it within minutes anyway; doing it here shows the sheet's state at once
    and records who said so (the importer) in the `flagged_overdue` event.
    """
    claim = lock_claim(session, claim_id)
    if not past_window(claim.window_end, now, policy_of(session)):
        raise ValidationError.single(
            "status", "is overdue but the window has not passed yet; use pending"
        )
    claim.status = ClaimStatus.OVERDUE.value
    claim.flagged_at = now
    record_event(session, claim, EventKind.FLAGGED_OVERDUE, actor, now, window_end=claim.window_end)
    session.flush()

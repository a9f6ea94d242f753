"""The overdue rule, written once: for one claim in Python, for many in SQL, and the set-based
statement of the sweep that applies it.

A claim is past its window when `window_end + OVERDUE_GRACE` is earlier than now (the grace is
the desk's policy, `app.claims.policy`). A pending claim past its window is due: the sweep
flips it to `overdue`; until it has, every face still shows it as overdue, because
`is_overdue` and `is_overdue_sql` say so.

The sweep's batch: PostgreSQL takes the due claims with `FOR UPDATE SKIP LOCKED`, so two sweeps
at once each take the claims the other has not locked, and the row lock re-checks
`status = 'pending'` against the latest committed version: a claim flipped by one is neither
flipped nor evented by the other, and a claim locked by someone else (a reviewer resolving it
right now) is left to the next sweep. The UPDATE finds the locked rows by `ctid` (stable while
we hold their lock): joined by id instead, the planner, which cannot know that "pending and
past" is rare, may hash-join against every pending claim. SQLite's UPDATE takes the single
write lock before it reads, so a second sweep waits and then finds the claims already flipped.
Both find the due claims through the partial index `ix_claims_pending_window_end`, so the cost
follows the due claims, not the table.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import (
    ColumnElement,
    Update,
    and_,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from app.claims.events import event_values
from app.claims.policy import DeskPolicy, policy_of
from app.models import Claim, ClaimEvent, ClaimStatus, EventKind, Source

DEFAULT_BATCH = 5_000


def overdue_cutoff(now: datetime, policy: DeskPolicy) -> datetime:
    """Windows that ended before this instant have passed (the grace included)."""
    return now - policy.overdue_grace


def past_window(window_end: datetime, now: datetime, policy: DeskPolicy) -> bool:
    """Whether the window, plus the grace, has passed at `now`."""
    return window_end < overdue_cutoff(now, policy)


def is_overdue(status: str, window_end: datetime, now: datetime, policy: DeskPolicy) -> bool:
    """Overdue at `now`: flagged by the sweep, or pending and past its window (not yet swept)."""
    return status == ClaimStatus.OVERDUE or (
        status == ClaimStatus.PENDING and past_window(window_end, now, policy)
    )


def is_overdue_sql(now: datetime, policy: DeskPolicy) -> ColumnElement[bool]:
    """`is_overdue` for every claim of a query."""
    return or_(
        Claim.status == ClaimStatus.OVERDUE.value,
        and_(Claim.status == ClaimStatus.PENDING.value, due_sql(now, policy)),
    )


def due_sql(now: datetime, policy: DeskPolicy) -> ColumnElement[bool]:
    """`past_window` in SQL (the sweep adds `status = 'pending'`)."""
    return Claim.window_end < overdue_cutoff(now, policy)


def status_after_reopen(window_end: datetime, now: datetime, policy: DeskPolicy) -> ClaimStatus:
    """A reopened claim is pending, or overdue when its window has already passed."""
    return ClaimStatus.OVERDUE if past_window(window_end, now, policy) else ClaimStatus.PENDING


def _flip(dialect: str, now: datetime, policy: DeskPolicy, batch: int) -> Update:
    """The UPDATE that flags at most `batch` due claims, returning their ids and windows."""
    claims = Claim.__table__
    due = select(claims.c.id).where(
        claims.c.status == ClaimStatus.PENDING.value,
        claims.c.window_end < overdue_cutoff(now, policy),
    )
    flip = update(claims).values(
        status=ClaimStatus.OVERDUE.value,
        flagged_at=now,
        updated_at=now,
        version=claims.c.version + 1,
    )
    if dialect == "postgresql":
        ctid = literal_column("ctid")
        locked = (
            due.with_only_columns(ctid)
            .order_by(claims.c.window_end)
            .limit(batch)
            .with_for_update(skip_locked=True)
            .cte("due")
        )
        target = text(f"claims.ctid = ANY(ARRAY(SELECT ctid FROM {locked.name}))")
        flip = flip.add_cte(locked).where(target, claims.c.status == ClaimStatus.PENDING.value)
    else:
        flip = flip.where(claims.c.id.in_(due.order_by(claims.c.window_end).limit(batch)))
    return flip.returning(claims.c.id, claims.c.window_end)


def flag_overdue_batch(session: Session, now: datetime, *, batch: int = DEFAULT_BATCH) -> int:
    """Flip at most `batch` due claims to overdue with one `flagged_overdue` event each;
    returns how many. Flushes first and does not commit (the sweep job commits each batch).

    Both statements bump nothing the ORM knows of, so claims loaded in `session` are expired.
    """
    session.flush()
    dialect = session.get_bind().dialect.name
    flipped = session.execute(_flip(dialect, now, policy_of(session), batch)).all()
    if flipped:
        # A Core insert of the table (the session's transaction), not the ORM's bulk insert,
        # whose per-row bookkeeping these rows do not need (docs/benchmarks.md, "sweep").
        session.execute(
            insert(ClaimEvent.__table__),
            [
                {
                    "claim_id": claim_id,
                    **event_values(
                        EventKind.FLAGGED_OVERDUE, None, now, {"window_end": window_end}
                    ),
                }
                for claim_id, window_end in flipped
            ],
        )
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Claim):
                session.expire(obj)
    return len(flipped)


def due_claims(
    session: Session, now: datetime, limit: int = 1000
) -> list[tuple[int, str, datetime]]:
    """What the sweep would flag at `now`: (id, statement, window_end) of pending claims past
    their window, longest overdue first (a dry run's list)."""
    rows = session.execute(
        select(Claim.id, Claim.statement, Claim.window_end)
        .where(Claim.status == ClaimStatus.PENDING.value, due_sql(now, policy_of(session)))
        .order_by(Claim.window_end, Claim.id)
        .limit(limit)
    ).all()
    return [(row.id, row.statement, row.window_end) for row in rows]


class NewlyOverdue(NamedTuple):
    """A claim flagged overdue, as the digest and the feed list it."""

    id: int
    statement: str
    subject: str
    status: str
    window_end: datetime
    flagged_at: datetime
    source_name: str | None


def newly_overdue(
    session: Session, until: datetime, since: datetime | None = None, limit: int = 50
) -> tuple[list[NewlyOverdue], int]:
    """Claims still overdue that were flagged in [since, until) (any time before `until`
    without `since`), latest flag first: up to `limit` of them, and how many there are."""
    window = [Claim.flagged_at < until]
    if since is not None:
        window.append(Claim.flagged_at >= since)
    rows = session.execute(
        select(
            Claim.id,
            Claim.statement,
            Claim.subject,
            Claim.status,
            Claim.window_end,
            Claim.flagged_at,
            Source.name,
            func.count().over(),
        )
        .outerjoin(Source, Source.id == Claim.source_id)
        .where(Claim.status == ClaimStatus.OVERDUE.value, *window)
        .order_by(Claim.flagged_at.desc(), Claim.id.desc())
        .limit(limit)
    ).all()
    return [NewlyOverdue(*row[:-1]) for row in rows], (rows[0][-1] if rows else 0)

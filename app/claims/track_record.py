"""How often a source's claims turned out right, computed in SQL from the claims themselves."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Float, Select, func, literal_column, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from app.claims.overdue import is_overdue_sql
from app.claims.policy import policy_of
from app.models import Claim, ClaimStatus

# z for a two-sided 95% interval
Z95 = 1.959963984540054


class days_between(FunctionElement[float]):
    """Fractional days from a date (at 00:00 UTC) or instant to a later instant."""

    type = Float()
    inherit_cache = True

    def __init__(self, later: ColumnElement[Any], earlier: ColumnElement[Any]) -> None:
        super().__init__(later, earlier)


@compiles(days_between, "postgresql")
def _days_between_pg(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({later} - CAST({earlier} AS TIMESTAMP) AT TIME ZONE 'UTC'))"
        " / 86400.0)"
    )


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


@dataclass(frozen=True)
class TrackRecord:
    """The spec's track record of one source (names as on the wire)."""

    counts: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in ClaimStatus})
    confirmation_share: float | None = None
    confirmation_interval: tuple[float, float] | None = None
    overdue_now: int = 0
    median_days_to_known: float | None = None
    median_extensions: float | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": dict(self.counts),
            "confirmation_share": self.confirmation_share,
            "confirmation_interval": (
                list(self.confirmation_interval) if self.confirmation_interval else None
            ),
            "overdue_now": self.overdue_now,
            "median_days_to_known": self.median_days_to_known,
            "median_extensions": self.median_extensions,
        }


def wilson_interval(successes: float, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for a share of `successes` out of `n` (None when n is 0)."""
    if n <= 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - margin), min(1.0, centre + margin))


def _share(counts: dict[str, int]) -> tuple[float | None, tuple[float, float] | None]:
    """Confirmed counts 1, partly confirmed ½, over confirmed + partly + refuted."""
    confirmed = counts.get(ClaimStatus.CONFIRMED, 0)
    partly = counts.get(ClaimStatus.PARTLY_CONFIRMED, 0)
    n = confirmed + partly + counts.get(ClaimStatus.REFUTED, 0)
    if n == 0:
        return None, None
    successes = confirmed + 0.5 * partly
    return successes / n, wilson_interval(successes, n)


def _medians(values: Select[Any]) -> Select[Any]:
    """Median of the second column per first column (a source id), in portable SQL."""
    inner = values.subquery()
    key, value = inner.c[0], inner.c[1]
    ranked = select(
        key.label("k"),
        value.label("v"),
        func.row_number().over(partition_by=key, order_by=value).label("rn"),
        func.count().over(partition_by=key).label("n"),
    ).subquery()
    middle = or_(
        ranked.c.rn == (ranked.c.n + 1) // 2,
        ranked.c.rn == (ranked.c.n + 2) // 2,
    )
    return select(ranked.c.k, func.avg(ranked.c.v)).where(middle).group_by(ranked.c.k)


def track_records(
    session: Session,
    now: datetime,
    source_ids: Iterable[int] | None = None,
) -> dict[int, TrackRecord]:
    """Track records keyed by source id, for the given sources or every source with claims.

    Four grouped queries in all, whatever the number of sources.
    """
    ids = list(source_ids) if source_ids is not None else None
    scope = Claim.source_id.in_(ids) if ids is not None else Claim.source_id.is_not(None)

    counts: dict[int, dict[str, int]] = {}
    for source_id, status, n in session.execute(
        select(Claim.source_id, Claim.status, func.count())
        .where(scope)
        .group_by(Claim.source_id, Claim.status)
    ):
        counts.setdefault(source_id, {s.value: 0 for s in ClaimStatus})[status] = n

    overdue = dict(
        session.execute(
            select(Claim.source_id, func.count())
            .where(scope, is_overdue_sql(now, policy_of(session)))
            .group_by(Claim.source_id)
        ).all()
    )
    days = days_between(Claim.known_at, Claim.claimed_on)
    to_known = dict(
        session.execute(
            _medians(
                select(Claim.source_id, days).where(
                    scope, Claim.known_at.is_not(None), Claim.claimed_on.is_not(None)
                )
            )
        ).all()
    )
    extensions = dict(
        session.execute(
            _medians(select(Claim.source_id, Claim.extensions * literal_column("1.0")).where(scope))
        ).all()
    )

    records = {}
    for source_id in ids if ids is not None else counts:
        by_status = counts.get(source_id, {s.value: 0 for s in ClaimStatus})
        share, interval = _share(by_status)
        median_days = to_known.get(source_id)
        median_ext = extensions.get(source_id)
        records[source_id] = TrackRecord(
            counts=by_status,
            confirmation_share=share,
            confirmation_interval=interval,
            overdue_now=overdue.get(source_id, 0),
            median_days_to_known=round(float(median_days), 2) if median_days is not None else None,
            median_extensions=float(median_ext) if median_ext is not None else None,
        )
    return records


def track_record(session: Session, source_id: int, now: datetime) -> TrackRecord:
    """The track record of one source."""
    return track_records(session, now, [source_id])[source_id]

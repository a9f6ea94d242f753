"""Claims opened, flagged overdue and resolved per ISO week, grouped in SQL, for the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from app.models import Claim, ClaimEvent, EventKind


class week_start(FunctionElement[date]):
    """The Monday (UTC) of the ISO week an instant falls in."""

    type = Date()
    inherit_cache = True

    def __init__(self, instant: ColumnElement[Any]) -> None:
        super().__init__(instant)


@compiles(week_start, "postgresql")
def _week_start_pg(element: week_start, compiler: SQLCompiler, **kw: Any) -> str:
    (instant,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(date_trunc('week', {instant} AT TIME ZONE 'UTC') AS DATE)"


@compiles(week_start, "sqlite")
def _week_start_sqlite(element: week_start, compiler: SQLCompiler, **kw: Any) -> str:
    (instant,) = (compiler.process(arg, **kw) for arg in element.clauses)
    # Back six days, then forward to the next Monday: the Monday on or before the day.
    return f"date({instant}, '-6 days', 'weekday 1')"


@dataclass(frozen=True)
class Week:
    start: date
    opened: int
    flagged: int
    resolved: int

    @property
    def label(self) -> str:
        iso = self.start.isocalendar()
        return f"W{iso.week:02d}"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_activity(session: Session, now: datetime, weeks: int = 12) -> list[Week]:
    """The last `weeks` ISO weeks (this one included), oldest first; three grouped queries."""
    first = monday_of(now.date()) - timedelta(weeks=weeks - 1)
    since = datetime.combine(first, datetime.min.time(), tzinfo=now.tzinfo)

    def per_week(column: Any, *conditions: Any) -> dict[date, int]:
        bucket = week_start(column)
        rows = session.execute(
            select(bucket, func.count()).where(column >= since, *conditions).group_by(bucket)
        ).all()
        return {_as_date(day): int(n) for day, n in rows}

    opened = per_week(Claim.created_at)
    flagged = per_week(ClaimEvent.at, ClaimEvent.kind == EventKind.FLAGGED_OVERDUE.value)
    resolved = per_week(ClaimEvent.at, ClaimEvent.kind == EventKind.RESOLVED.value)
    days = [first + timedelta(weeks=i) for i in range(weeks)]
    return [
        Week(day, opened.get(day, 0), flagged.get(day, 0), resolved.get(day, 0)) for day in days
    ]


def _as_date(value: date | str) -> date:
    # SQLite's date() returns text; the Date type does not parse results of raw functions.
    return date.fromisoformat(value) if isinstance(value, str) else value

"""When a deadline falls, in days: the end-of-day rule and "closing within N days", written once.

A window end at exactly 00:00:00 UTC was set as a date (a bare date, or `expected_within`,
both read as "the end of that day, UTC"): its deadline day is the day before, the same in every
time zone. Any other window end is a time, and its deadline day is its date in the viewer's
zone. "Closes today / tomorrow / in N days" counts calendar days from today to the deadline
day, today being the UTC date for a date deadline (the deadline is a UTC date) and the viewer's
date for a timed one.

A claim is closing within N days when it is pending, not overdue by the overdue rule
(`app.claims.overdue`, grace included), and its deadline day is at most N days away. The SQL
twin, `closing_sql`, says the same with two instants (`ClosingBounds`): a date deadline is a
UTC midnight, so it is in when it is at or before the UTC horizon; a timed one when it is
before the viewer's horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy import ColumnElement, and_, bindparam, not_, or_

from app.claims.overdue import is_overdue, overdue_cutoff
from app.claims.policy import DeskPolicy
from app.models import Claim, ClaimStatus

SOON_DAYS = 7


def aware(value: datetime) -> datetime:
    """A stored instant (naive means UTC) as an aware UTC datetime."""
    if value.tzinfo is UTC:
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def in_zone(instant: datetime, zone: tzinfo) -> datetime:
    """`instant` in `zone`; in UTC when the zone's offset would take it off the calendar (only
    an instant stored before instants were limited to 1900-2199 can be so far out)."""
    try:
        return instant.astimezone(zone)
    except OverflowError:
        return instant


def is_date_deadline(window_end: datetime) -> bool:
    """Whether the window end was set as a date: exactly 00:00:00 UTC."""
    return aware(window_end).time() == time()


def deadline_day(window_end: datetime, zone: tzinfo) -> date:
    """The day the deadline falls on: the UTC day before a date deadline (in every zone), or
    the date of a timed one in `zone`."""
    end = aware(window_end)
    if is_date_deadline(end):
        return end.date() - timedelta(days=1) if end.date() > date.min else end.date()
    return in_zone(end, zone).date()


@dataclass(frozen=True)
class DeadlineClock:
    """`now` as one viewer's calendar sees it: today in UTC (for date deadlines) and in the
    viewer's zone (for timed ones), worked out once for a page of deadlines."""

    zone: tzinfo
    today_utc: date
    today_local: date

    @classmethod
    def at(cls, now: datetime, zone: tzinfo) -> DeadlineClock:
        moment = aware(now)
        return cls(zone, moment.date(), in_zone(moment, zone).date())

    def days_left(self, window_end: datetime) -> int:
        """Calendar days from today to the deadline day (0: today; negative: past)."""
        end = aware(window_end)
        today = self.today_utc if is_date_deadline(end) else self.today_local
        return (deadline_day(end, self.zone) - today).days


def days_left(window_end: datetime, now: datetime, zone: tzinfo) -> int:
    """Calendar days from today to the deadline day (0: today; negative: past)."""
    return DeadlineClock.at(now, zone).days_left(window_end)


def closes_within(
    status: str,
    window_end: datetime,
    now: datetime,
    policy: DeskPolicy,
    zone: tzinfo,
    days: int = SOON_DAYS,
) -> bool:
    """Pending, not overdue at `now`, and the deadline day at most `days` days away."""
    overdue = is_overdue(status, aware(window_end), aware(now), policy)
    return closing_soon(status, overdue, days_left(window_end, now, zone), days)


def closing_soon(status: str, overdue: bool, left: int, days: int = SOON_DAYS) -> bool:
    """`closes_within` on what is already known of a claim: whether it is overdue and the
    days left to its deadline day."""
    return status == ClaimStatus.PENDING and not overdue and left <= days


@dataclass(frozen=True)
class ClosingBounds:
    """The instants `closes_within` comes down to for one `now`, zone and number of days."""

    cutoff: datetime  # windows ending before this have passed (the overdue rule's cutoff)
    utc_horizon: datetime  # a date deadline closes within the days when at or before this
    local_horizon: datetime  # a timed deadline when before this

    @classmethod
    def at(
        cls, now: datetime, policy: DeskPolicy, zone: tzinfo, days: int = SOON_DAYS
    ) -> ClosingBounds:
        now = aware(now)
        utc_day = now.date() + timedelta(days=days + 1)
        local_day = now.astimezone(zone).date() + timedelta(days=days + 1)
        return cls(
            cutoff=overdue_cutoff(now, policy),
            utc_horizon=datetime.combine(utc_day, time(), tzinfo=UTC),
            local_horizon=datetime.combine(local_day, time(), tzinfo=zone).astimezone(UTC),
        )

    def parameters(self) -> dict[str, datetime]:
        return {
            "closing_cutoff": self.cutoff,
            "closing_utc": self.utc_horizon,
            "closing_local": self.local_horizon,
        }


def closing_sql(window_end: ColumnElement[datetime], status: ColumnElement[str]) -> ColumnElement:
    """`closes_within` for every claim of a query, with `ClosingBounds.parameters()` bound.

    Between the two horizons (less than a day apart) lies at most one UTC midnight, the UTC
    horizon itself, so "before the local horizon, or exactly the UTC one" takes every date
    deadline at or before the UTC horizon and every timed one before the local horizon.
    """
    kind = window_end.type
    return and_(
        status == ClaimStatus.PENDING.value,
        not_(window_end < bindparam("closing_cutoff", type_=kind)),
        or_(
            window_end < bindparam("closing_local", type_=kind),
            window_end == bindparam("closing_utc", type_=kind),
        ),
    )


def claim_closing_sql() -> ColumnElement[bool]:
    """`closing_sql` on the claims table."""
    return closing_sql(Claim.window_end, Claim.status)

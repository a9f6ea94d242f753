"""A claim's window end as a deadline a person reads at a glance, in the viewer's zone.

The rules it presents live in the domain: which day a deadline falls on and "closing within
N days" in `app.claims.closing`, overdue in `app.claims.overdue`. Here they become words:

- A date deadline (00:00:00 UTC) reads "end of 26 Dec 2026" in every zone; a timed one
  "26 Dec 2026, 14:00 CET" in the viewer's zone.
- Before it closes: "closes today", "closes tomorrow", "closes in 11 days" (calendar days to
  the deadline day, `app.claims.closing.days_left`).
- Overdue (only the overdue rule says so, so a pending claim past its window reads overdue
  before the sweep has flagged it): whole days since the deadline instant, "3 days overdue";
  under a day, "overdue by 5 hours". For a date deadline the whole days since its instant
  (the next UTC midnight) are the calendar days since that midnight.
- Past its window but not overdue (within the desk's grace): "closed 5 hours ago".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from app.claims.closing import DeadlineClock, aware, closing_soon, is_date_deadline
from app.claims.overdue import is_overdue
from app.claims.policy import DeskPolicy
from app.models import OPEN_STATUSES
from app.present.dates import format_date, format_instant
from app.wire import rfc3339

OPEN = frozenset(s.value for s in OPEN_STATUSES)


@dataclass(frozen=True)
class Deadline:
    """One window end as it reads to one viewer at one moment."""

    at: datetime  # the instant, aware UTC
    iso: str  # RFC 3339, for <time datetime>
    is_date: bool
    day_text: str  # "26 Dec 2026", or "26 Dec 2026, 14:00 CET" for a timed deadline
    when: str  # "end of 26 Dec 2026", or "26 Dec 2026, 14:00 CET"
    days_left: int  # calendar days to the deadline day; negative once past
    passed: bool  # the window end is not in the future
    overdue: bool  # by the overdue rule (never for a resolved claim)
    soon: bool  # open and closing within SOON_DAYS days
    relative: str  # "closes in 11 days", "3 days overdue"...; "" for a resolved claim
    distance: str  # "in 3 days", "tomorrow", "35 days ago", "5 hours ago"

    @property
    def due(self) -> str:
        """ "by end of 26 Dec 2026" or "by 26 Dec 2026, 14:00 CET"."""
        return f"by {self.when}"

    @property
    def state(self) -> str:
        """One word for styling: overdue, soon, open, passed or settled."""
        if self.overdue:
            return "overdue"
        if self.soon:
            return "soon"
        if not self.relative:
            return "settled"
        return "passed" if self.passed else "open"


def plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def span(delta: timedelta) -> str:
    """A length of time under a few days in words: "12 minutes", "5 hours", "2 days"."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return plural(max(minutes, 1), "minute")
    if minutes < 24 * 60:
        return plural(minutes // 60, "hour")
    return plural(delta.days, "day")


def window_text(window_end: datetime, zone: tzinfo) -> tuple[str, str]:
    """("26 Dec 2026", "end of 26 Dec 2026") for a date deadline; the time twice for a timed one."""
    end = aware(window_end)
    if is_date_deadline(end):
        day = format_date(end.date() - timedelta(days=1))
        return day, f"end of {day}"
    text = format_instant(end, zone)
    return text, text


def _ahead(days: int) -> tuple[str, str]:
    if days <= 0:
        return "closes today", "today"
    if days == 1:
        return "closes tomorrow", "tomorrow"
    return f"closes in {days} days", f"in {days} days"


def _behind(elapsed: timedelta, overdue: bool) -> tuple[str, str]:
    if elapsed < timedelta(minutes=1):
        return ("just overdue" if overdue else "closed just now"), "just now"
    ago = f"{span(elapsed)} ago"
    if overdue:
        relative = (
            f"{plural(elapsed.days, 'day')} overdue"
            if elapsed.days
            else f"overdue by {span(elapsed)}"
        )
    else:
        relative = f"closed {ago}"
    return relative, ago


def deadline(
    window_end: datetime,
    now: datetime,
    zone: tzinfo,
    status: str,
    policy: DeskPolicy,
    clock: DeadlineClock | None = None,
) -> Deadline:
    """`window_end` of a claim in `status` as `zone`'s viewer reads it at `now` (`clock`:
    the same `now` and `zone`, worked out once for a page of deadlines)."""
    end, now = aware(window_end), aware(now)
    day_text, when = window_text(end, zone)
    left = (clock or DeadlineClock.at(now, zone)).days_left(end)
    passed = end <= now
    overdue = is_overdue(status, end, now, policy)
    if passed or overdue:
        relative, distance = _behind(max(now - end, timedelta(0)), overdue)
    else:
        relative, distance = _ahead(left)
    return Deadline(
        at=end,
        iso=rfc3339(end),
        is_date=is_date_deadline(end),
        day_text=day_text,
        when=when,
        days_left=left,
        passed=passed,
        overdue=overdue,
        soon=closing_soon(status, overdue, left),
        relative=relative if status in OPEN else "",
        distance=distance,
    )

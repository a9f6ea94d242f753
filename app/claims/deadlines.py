"""Turning what people write about deadlines ("P3W", "2026-12-11") into UTC instants."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta

from app.claims.errors import ValidationError

_DURATION = re.compile(r"^P(?P<n>[1-9][0-9]{0,3})(?P<unit>[DWMY])$")
# Instants Claimwatch accepts: claims are about the recent past and the coming years. The
# bounds keep every instant far from the ends of the calendar, where converting it to a
# viewer's time zone (or adding a grace) overflows.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
RANGE_TEXT = "must be between 1900 and 2199"


def check_instant_range(value: datetime, field: str) -> datetime:
    """`value` (aware) in UTC, or a 422 naming `field` when it lies outside the years Claimwatch
    accepts."""
    # The year first: converting an instant in year 1 or 9999 to UTC can overflow.
    utc = value.astimezone(UTC) if EARLIEST.year <= value.year < LATEST.year else None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise ValidationError.single(field, RANGE_TEXT)
    return utc


def check_date_range(value: date, field: str) -> date:
    """A calendar date within the years Claimwatch accepts, or a 422 naming `field`."""
    if not EARLIEST.year <= value.year < LATEST.year:
        raise ValidationError.single(field, RANGE_TEXT)
    return value


def end_of_day(day: date) -> datetime:
    """A bare date as a deadline: the first instant after that day, UTC (D+1 00:00:00Z)."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def start_of_day(day: date) -> datetime:
    """A bare date as the start of a window: 00:00:00Z that day."""
    return datetime.combine(day, time(), tzinfo=UTC)


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the last day of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_duration(day: date, duration: str, field: str = "expected_within") -> date:
    """`day` plus an ISO 8601 duration of whole days, weeks, months or years (P3W, P1M)."""
    match = _DURATION.match(duration.strip().upper()) if isinstance(duration, str) else None
    if match is None:
        raise ValidationError.single(
            field,
            "must be an ISO 8601 duration of whole days, weeks, months or years, e.g. P3W",
        )
    n, unit = int(match["n"]), match["unit"]
    try:
        if unit == "D":
            later = day + timedelta(days=n)
        elif unit == "W":
            later = day + timedelta(weeks=n)
        else:
            later = add_months(day, n if unit == "M" else 12 * n)
    except (OverflowError, ValueError):
        raise ValidationError.single(field, "is too far in the future") from None
    if later.year >= LATEST.year:
        raise ValidationError.single(field, "is too far in the future")
    return later


def deadline_from_duration(start: date, duration: str, field: str = "expected_within") -> datetime:
    """The duration's last day read as a bare date: P3W from 2026-11-20 is 2026-12-12T00:00:00Z."""
    return end_of_day(add_duration(start, duration, field))


def as_instant(value: date | datetime | str, field: str, *, bare_date: str = "end") -> datetime:
    """An aware UTC instant from a datetime, a date, or an RFC 3339 / ISO date string.

    A bare date means the end of that day (deadlines) or its start (`bare_date="start"`).
    """
    if isinstance(value, str):
        value = parse_date_or_datetime(value, field)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValidationError.single(field, "needs a time zone offset, e.g. Z or +01:00")
        return check_instant_range(value, field)
    check_date_range(value, field)
    return end_of_day(value) if bare_date == "end" else start_of_day(value)


def parse_date_or_datetime(text: str, field: str) -> date | datetime:
    """`2026-12-11` → date; `2026-12-11T10:00:00Z` → aware datetime; anything else → 422."""
    raw = text.strip()
    try:
        if len(raw) == 10:
            return check_date_range(date.fromisoformat(raw), field)
        parsed = datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError:
        raise ValidationError.single(
            field,
            "must be a date (YYYY-MM-DD) or an RFC 3339 time (YYYY-MM-DDTHH:MM:SSZ)",
        ) from None
    if parsed.tzinfo is None:
        raise ValidationError.single(field, "needs a time zone offset, e.g. Z or +01:00")
    return check_instant_range(parsed, field)


def parse_date(text: str, field: str) -> date:
    """A calendar date (YYYY-MM-DD) or a clear 422 naming the field."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError.single(field, "must be a date as YYYY-MM-DD") from None
    return check_date_range(day, field)

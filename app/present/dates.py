"""The one date format: "26 Dec 2026", and "26 Dec 2026, 14:00 CET" with a time."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# English month names whatever the process's locale (strftime's %b follows LC_TIME).
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def zone_named(name: str | None) -> tzinfo:
    """The IANA zone `name`; UTC when empty or unknown (never stored, but possible)."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def format_date(day: date) -> str:
    """ "26 Dec 2026"."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def local(value: datetime, zone: tzinfo) -> datetime:
    """`value` (naive means UTC) in `zone`."""
    utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    try:
        return utc.astimezone(zone)
    except OverflowError:  # only an instant stored before instants were range-checked
        return utc.astimezone(UTC)


def format_instant(value: datetime, zone: tzinfo, *, with_time: bool = True) -> str:
    """ "26 Dec 2026, 14:00 CET" in `zone`, or only the date."""
    moment = local(value, zone)
    if not with_time:
        return format_date(moment.date())
    return f"{format_date(moment.date())}, {moment.hour:02d}:{moment.minute:02d} {moment.tzname()}"


def format_clock(value: datetime, zone: tzinfo) -> str:
    """ "14:00 CET": the time of day only."""
    moment = local(value, zone)
    return f"{moment.hour:02d}:{moment.minute:02d} {moment.tzname()}"

"""Which digest period is due for a reader, computed in the reader's own time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.models.enums import DigestFrequency
from app.present.dates import format_date


@dataclass(frozen=True)
class Period:
    """One digest period of one reader: its key, when it became due, and what it covers."""

    key: str
    start: datetime
    since: datetime


def zone_of(name: str) -> ZoneInfo:
    """The reader's zone; an unknown name (never stored by the app, but possible) reads as UTC."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_instant(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """`hour`:00 on `day` in `zone`, as a UTC instant.

    A wall time skipped by a spring-forward change resolves to the instant an hour later in
    local terms; a repeated one (autumn) to its first occurrence. Either way each day has
    exactly one due instant, so nothing is missed or doubled.
    """
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def _period_day(frequency: str, day: date) -> date:
    return day - timedelta(days=day.weekday()) if frequency == DigestFrequency.WEEKLY else day


def _step(frequency: str) -> timedelta:
    return timedelta(weeks=1) if frequency == DigestFrequency.WEEKLY else timedelta(days=1)


def _key(frequency: str, day: date) -> str:
    return ("W" if frequency == DigestFrequency.WEEKLY else "D") + day.isoformat()


def latest_due_period(frequency: str, timezone: str, hour: int, now: datetime) -> Period | None:
    """The most recent period whose due instant is at or before `now` (None when off)."""
    if frequency not in (DigestFrequency.DAILY, DigestFrequency.WEEKLY):
        return None
    zone = zone_of(timezone)
    day = _period_day(frequency, now.astimezone(zone).date())
    start = local_instant(day, hour, zone)
    if start > now:
        day -= _step(frequency)
        start = local_instant(day, hour, zone)
    since = local_instant(day - _step(frequency), hour, zone)
    return Period(_key(frequency, day), start, since)


def next_period_start(frequency: str, timezone: str, hour: int, now: datetime) -> datetime | None:
    """The instant the next digest after `now` becomes due (None when off)."""
    latest = latest_due_period(frequency, timezone, hour, now)
    if latest is None:
        return None
    zone = zone_of(timezone)
    day = date.fromisoformat(latest.key[1:]) + _step(frequency)
    return local_instant(day, hour, zone)


def describe_period(key: str) -> str:
    """A period key as people read it: "D2026-12-07" is "7 Dec 2026", "W2026-12-07" is
    "week of 7 Dec 2026" (other keys, such as a preview's, as they are)."""
    try:
        day = date.fromisoformat(key[1:])
    except ValueError:
        return key
    if key.startswith("W"):
        return f"week of {format_date(day)}"
    return format_date(day) if key.startswith("D") else key

"""Times shown in, and read from, the viewer's own time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import g, has_request_context
from flask_login import current_user

from app.wire import rfc3339

# What <input type="datetime-local"> sends, and the same with a space.
NAIVE_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$")


def viewer_zone() -> tzinfo:
    """The signed-in user's time zone (UTC for anonymous pages or an unknown name)."""
    if has_request_context() and "viewer_zone" in g:
        return g.viewer_zone  # looked up once per request, not once per time shown
    name = getattr(current_user, "timezone", None) if current_user else None
    try:
        zone: tzinfo = ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    if has_request_context():
        g.viewer_zone = zone
    return zone


# English month names whatever the process's locale (strftime's %b follows LC_TIME).
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def localtime(value: datetime | None, style: str = "datetime", zone: tzinfo | None = None) -> str:
    """`value` in the viewer's zone (or `zone`): "12 Dec 2026, 01:00 CET", or only the date."""
    if value is None:
        return ""
    utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    try:
        local = utc.astimezone(zone or viewer_zone())
    except OverflowError:  # only an instant stored before instants were range-checked
        local = utc.astimezone(UTC)
    date = f"{local.day} {MONTHS[local.month - 1]} {local.year}"
    if style == "date":
        return date
    return f"{date}, {local.hour:02d}:{local.minute:02d} {local.tzname()}"


def iso_utc(value: datetime | None) -> str:
    """RFC 3339 UTC, for <time datetime=...>."""
    return rfc3339(value) if value else ""


def form_instant(value: datetime | None) -> str:
    """A stored instant as it round-trips through a text field: a bare date when at 00:00Z."""
    if value is None:
        return ""
    value = value.astimezone(UTC)
    if value.time() == datetime.min.time():
        return value.date().isoformat()
    return rfc3339(value)


def local_input_to_instant(raw: str | None) -> str:
    """A naive "YYYY-MM-DDTHH:MM" typed in a form, read in the viewer's zone, as RFC 3339.

    Anything else (a bare date, a time with an offset, a typo) is passed on as typed, for the
    domain to accept or explain.
    """
    text = (raw or "").strip()
    if not NAIVE_LOCAL.match(text):
        return text
    local = datetime.fromisoformat(text.replace(" ", "T")).replace(tzinfo=viewer_zone())
    return local.astimezone(UTC).isoformat()


def days_since(later: datetime, earlier: datetime) -> int:
    later = later.replace(tzinfo=UTC) if later.tzinfo is None else later
    earlier = earlier.replace(tzinfo=UTC) if earlier.tzinfo is None else earlier
    return max(0, (later - earlier).days)

"""Times shown in, and read from, the viewer's own time zone; deadlines as the viewer reads
them. The words and the format are `app.present`; this module only knows who is looking, and
when (one `now` and one desk policy per request)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, tzinfo

from flask import g, has_request_context
from flask_login import current_user

from app.claims.policy import DeskPolicy, policy_of
from app.clock import utcnow
from app.present.dates import format_date, format_instant, zone_named
from app.present.deadlines import Deadline, deadline
from app.unit_of_work import read_connection
from app.wire import rfc3339

# What <input type="datetime-local"> sends, and the same with a space.
NAIVE_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$")


def viewer_zone() -> tzinfo:
    """The signed-in user's time zone (UTC for anonymous pages or an unknown name)."""
    if has_request_context() and "viewer_zone" in g:
        return g.viewer_zone  # looked up once per request, not once per time shown
    name = getattr(current_user, "timezone", None) if current_user else None
    zone = zone_named(name)
    if has_request_context():
        g.viewer_zone = zone
    return zone


def request_now() -> datetime:
    """The moment this request reads the clock, once: every deadline on a page agrees."""
    if not has_request_context():
        return utcnow()
    if "request_now" not in g:
        g.request_now = utcnow()
    return g.request_now


def desk_policy() -> DeskPolicy:
    """The desk's policy (the overdue grace), read once per request."""
    if "desk_policy" not in g:
        g.desk_policy = policy_of(read_connection())
    return g.desk_policy


def deadline_of(window_end: datetime, status: str) -> Deadline:
    """A claim's window end as this viewer reads it now."""
    return deadline(window_end, request_now(), viewer_zone(), status, desk_policy())


def localtime(
    value: datetime | date | None, style: str = "datetime", zone: tzinfo | None = None
) -> str:
    """`value` in the viewer's zone (or `zone`): "12 Dec 2026, 01:00 CET", or only the date;
    a calendar date as "12 Dec 2026"."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return format_date(value)
    return format_instant(value, zone or viewer_zone(), with_time=style != "date")


def iso_utc(value: datetime | date | None) -> str:
    """RFC 3339 UTC (or an ISO date), for <time datetime=...>."""
    if value is None:
        return ""
    return rfc3339(value) if isinstance(value, datetime) else value.isoformat()


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

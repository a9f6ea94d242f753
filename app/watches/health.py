"""A watch's health in words a person reads: working, failing (and why, since when, when it
is tried again), or not checked yet. One function, for the web page and the API."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple


class Health(NamedTuple):
    """`state`: waiting (not checked yet), working or failing; `summary`: in words."""

    state: str
    summary: str


def span(delta: timedelta) -> str:
    """`delta` rounded down to its largest unit: "40 seconds", "5 minutes", "2 days"."""
    seconds = max(int(delta.total_seconds()), 0)
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def ago(then: datetime, now: datetime) -> str:
    return "just now" if now - then < timedelta(seconds=5) else f"{span(now - then)} ago"


def due(when: datetime, now: datetime) -> str:
    return "at the next pass" if when <= now else f"in {span(when - now)}"


def health(
    *,
    last_fetched_at: datetime | None,
    last_success_at: datetime | None,
    last_error: str | None,
    consecutive_failures: int,
    next_poll_at: datetime,
    now: datetime,
) -> Health:
    """What a person needs to know about a feed's polling, from its health columns."""
    if last_fetched_at is None:
        return Health("waiting", f"Not checked yet; the first check is {due(next_poll_at, now)}.")
    if consecutive_failures == 0:
        return Health("working", f"Working: last checked {ago(last_fetched_at, now)}.")
    times = "once" if consecutive_failures == 1 else f"{consecutive_failures} times in a row"
    since = (
        f"it last worked {ago(last_success_at, now)}" if last_success_at else "it has never worked"
    )
    error = (last_error or "unknown error").rstrip(".")
    return Health(
        "failing",
        f"Failing: {error}. Checks failed {times} ({since}); next try {due(next_poll_at, now)}.",
    )

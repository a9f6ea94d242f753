"""The one place the web, API, CLI and scheduler read the wall clock; the domain takes `now`."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)

"""`flask sweep`: one sweep, now."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from app.clock import utcnow
from app.sweep import run_sweep


def parse_instant(_ctx: click.Context, _param: click.Parameter, raw: str | None) -> datetime:
    """An ISO 8601 instant as aware UTC (no offset means UTC); the wall clock when absent."""
    if raw is None:
        return utcnow()
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise click.BadParameter(f"{raw!r} is not an ISO 8601 date and time") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@click.command("sweep")
@click.option(
    "--now",
    callback=parse_instant,
    metavar="ISO",
    help="Sweep as if it were this instant, e.g. 2026-11-20T09:00:00Z (default: now).",
)
@with_appcontext
def sweep_command(now: datetime) -> None:
    """Flag every pending claim whose window (plus OVERDUE_GRACE) has passed, once."""
    flagged = run_sweep(current_app._get_current_object(), now)  # type: ignore[attr-defined]
    click.echo(f"flagged {flagged} overdue claim{'s' if flagged != 1 else ''}")

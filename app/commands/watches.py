"""`flask watches poll`: one pass over the watched feeds, now."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from app.commands.sweep import parse_instant
from app.polling import run_watch_poll


@click.group("watches")
def watches_group() -> None:
    """Watched feeds."""


@watches_group.command("poll")
@click.option(
    "--now",
    callback=parse_instant,
    metavar="ISO",
    help="Poll as if it were this instant (default: now).",
)
@with_appcontext
def poll_command(now: datetime) -> None:
    """Ask every due feed for news (conditional GET); new matching entries become leads."""
    summary = run_watch_poll(current_app._get_current_object(), now)  # type: ignore[attr-defined]
    for line in summary.lines:
        click.echo(line)
    click.echo(str(summary))

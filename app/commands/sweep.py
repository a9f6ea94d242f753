"""`flask sweep [--dry-run] [--now ISO]`: one sweep, now (or at a past instant)."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from app.claims.overdue import due_claims
from app.clock import utcnow
from app.sweep import run_sweep
from app.unit_of_work import get_session
from app.wire import rfc3339

DRY_RUN_SHOWN = 1000


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
    help="Sweep as if it were this instant, e.g. 2026-11-20T09:00:00Z (default: now); "
    "not later than the clock, except with --dry-run.",
)
@click.option("--dry-run", is_flag=True, help="List what would be flagged; change nothing.")
@with_appcontext
def sweep_command(now: datetime, dry_run: bool) -> None:
    """Flag every pending claim whose window (plus OVERDUE_GRACE) has passed, once."""
    if dry_run:
        due = due_claims(get_session(), now, DRY_RUN_SHOWN + 1)
        for claim_id, statement, window_end in due[:DRY_RUN_SHOWN]:
            click.echo(
                f"would flag claim {claim_id} (window ended {rfc3339(window_end)}): "
                f"{statement[:80]}"
            )
        count = f"{min(len(due), DRY_RUN_SHOWN)}{' or more' if len(due) > DRY_RUN_SHOWN else ''}"
        noun = "claim" if len(due) == 1 else "claims"
        click.echo(
            f"dry run: {count} {noun} would be flagged at {rfc3339(now)}; nothing was changed"
        )
        return
    clock = utcnow()
    if now > clock:
        raise click.UsageError(
            f"--now {rfc3339(now)} is later than the clock ({rfc3339(clock)}): a sweep in the "
            "future would flag claims whose windows are still open and date the flags ahead. "
            "Use --dry-run to see what would be due then."
        )
    flagged = run_sweep(current_app._get_current_object(), now)  # type: ignore[attr-defined]
    click.echo(f"flagged {flagged} overdue claim{'s' if flagged != 1 else ''}")

"""`flask digests send [--dry-run] [--now ISO]`: one digest pass by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from app.clock import utcnow
from app.digests.job import run_digest_pass


@click.group("digests")
def digests_group() -> None:
    """Email digests."""


def parse_now(value: str | None) -> datetime:
    if not value:
        return utcnow()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time", param_hint="--now") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@digests_group.command("send")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; change nothing.")
@click.option("--now", "now_text", help="Act as if it were this instant (ISO 8601, UTC if bare).")
@with_appcontext
def send_command(dry_run: bool, now_text: str | None) -> None:
    """Send every digest that is due (the scheduler does this every minute)."""
    now = parse_now(now_text)
    summary = run_digest_pass(current_app._get_current_object(), now, dry_run=dry_run)
    if dry_run:
        for content in summary.previews:
            counts = (
                f"{content.overdue.total} newly overdue, {content.closing.total} closing, "
                f"{content.resolved.total} resolved, {content.assigned.total} assigned, "
                f"{content.leads.total} new leads"
            )
            click.echo(f"would send {content.period} to {content.email}: {counts}")
        click.echo(f"dry run: {len(summary.previews)} digest(s) due; nothing sent")
        return
    click.echo(f"digests: {summary}")

"""Registers every `flask` command: the groups in app/commands/, the digest command of the
digest job, and `flask scheduler` (the one place that imports the scheduler)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduled jobs (the sweep every SWEEP_INTERVAL, the digests and the webhooks
    every minute, the watched feeds every WATCH_INTERVAL) until SIGTERM or Ctrl-C."""
    from app.scheduler import run_scheduler

    run_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]


def register_commands(app: Flask) -> None:
    from app.commands import claims, db, demo, sweep, users, watches, webhooks
    from app.digests import cli as digests

    for command in (
        db.db_group,
        users.users_group,
        users.tokens_group,
        demo.demo_command,
        claims.claims_group,
        digests.digests_group,
        sweep.sweep_command,
        watches.watches_group,
        webhooks.webhooks_group,
        scheduler_command,
    ):
        app.cli.add_command(command)

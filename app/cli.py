"""Registers every `flask` command; each group lives in app/commands/."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from app.commands import claims, db, demo, sweep, users
    from app.digests import cli as digests

    for command in (
        db.db_group,
        users.users_group,
        users.tokens_group,
        demo.demo_command,
        claims.claims_group,
        digests.digests_group,
        sweep.sweep_command,
        sweep.scheduler_command,
    ):
        app.cli.add_command(command)

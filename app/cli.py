"""Registers every `flask` command; each group lives in app/commands/."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from app.commands import db, demo, digests, users

    for command in (
        db.db_group,
        users.users_group,
        users.tokens_group,
        demo.demo_command,
        digests.digests_group,
    ):
        app.cli.add_command(command)

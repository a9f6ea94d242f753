"""`flask db upgrade | check`: the Alembic migrations against DATABASE_URL."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app import migrate


@click.group("db")
def db_group() -> None:
    """Database schema: migrations."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def upgrade_command(revision: str) -> None:
    """Apply the migrations up to REVISION (default: the latest)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision=revision)
    click.echo(f"database upgraded to {revision}")


@db_group.command("check")
@with_appcontext
def check_command() -> None:
    """Fail when the models and the migrations disagree."""
    migrate.check(current_app.config["DATABASE_URL"])
    click.echo("models and migrations agree")

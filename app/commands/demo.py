"""`flask demo`: load the demo data once."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.clock import utcnow
from app.demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo
from app.unit_of_work import command_unit, get_session


@click.command("demo")
@with_appcontext
@command_unit
def demo_command() -> None:
    """Load the DeepSeek V4 claim and a few others (does nothing when already loaded)."""
    if load_demo(get_session(), utcnow()):
        click.echo(f"demo data loaded; sign in as {DEMO_EMAIL} / {DEMO_PASSWORD}")
    else:
        click.echo("demo data already present")

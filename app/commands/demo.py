"""`flask demo`: load the demo data once (development and testing only)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.clock import utcnow
from app.demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo
from app.unit_of_work import command_unit, get_session

# The demo admin's password is printed by scripts/run and written in the README: anywhere
# else it would be an open door.
DEMO_ENVIRONMENTS = ("development", "testing")


@click.command("demo")
@with_appcontext
@command_unit
def demo_command() -> None:
    """Load the DeepSeek V4 claim and a few others (does nothing when already loaded)."""
    env = current_app.extensions["claimwatch.settings"].env
    if env not in DEMO_ENVIRONMENTS:
        raise click.ClickException(
            f"the demo creates an admin with a published password, so it runs only when "
            f"CLAIMWATCH_ENV is development or testing (it is {env})"
        )
    if load_demo(get_session(), utcnow()):
        click.echo(f"demo data loaded; sign in as {DEMO_EMAIL} / {DEMO_PASSWORD}")
    else:
        click.echo("demo data already present")

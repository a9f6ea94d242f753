"""`flask demo`: load the demo data once."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.clock import utcnow
from app.db import get_session
from app.demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the DeepSeek V4 claim and a few others (does nothing when already loaded)."""
    session = get_session()
    if load_demo(session, utcnow()):
        session.commit()
        click.echo(f"demo data loaded; sign in as {DEMO_EMAIL} / {DEMO_PASSWORD}")
    else:
        click.echo("demo data already present")

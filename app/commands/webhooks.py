"""`flask webhooks send` (one pass now) and `flask webhooks rekey` (after SECRET_KEY changed)."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app.commands.sweep import parse_instant
from app.models import WebhookEndpoint
from app.unit_of_work import command_unit, get_session
from app.webhook_job import run_webhook_pass
from app.webhooks.secrets import SecretUnavailable
from app.webhooks.settings import secret_box


@click.group("webhooks")
def webhooks_group() -> None:
    """Webhooks: deliveries to other tools."""


@webhooks_group.command("send")
@click.option(
    "--now",
    callback=parse_instant,
    metavar="ISO",
    help="Act as if it were this instant (ISO 8601, UTC if bare; default: now).",
)
@with_appcontext
def send_command(now: datetime) -> None:
    """Turn new events into deliveries and send every delivery that is due (the scheduler
    does this every minute)."""
    summary = run_webhook_pass(current_app._get_current_object(), now)  # type: ignore[attr-defined]
    click.echo(f"webhooks: {summary}")


@webhooks_group.command("rekey")
@with_appcontext
def rekey_command() -> None:
    """Seal every endpoint secret under the current SECRET_KEY (after a rotation; the old key
    must still be listed in SECRET_KEY_FALLBACKS). Afterwards the fallback can be removed."""
    moved, unopened = _rekey()
    click.echo(f"webhooks: {moved} secret(s) sealed under the current SECRET_KEY")
    if unopened:
        raise click.ClickException(
            f"{unopened} secret(s) could not be opened: add the key they were sealed under to "
            "SECRET_KEY_FALLBACKS, or give those webhooks a new secret"
        )


@command_unit
def _rekey() -> tuple[int, int]:
    """(secrets sealed anew, secrets that did not open); committed as one unit."""
    box = secret_box(current_app.config)
    session = get_session()
    moved = unopened = 0
    for endpoint in session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)):
        if box.is_current(endpoint.secret_key_id):
            continue
        try:
            secret = box.open(endpoint.secret_key_id, endpoint.secret_ciphertext)
        except SecretUnavailable as exc:
            click.echo(f"webhook {endpoint.id}: {exc}", err=True)
            unopened += 1
            continue
        endpoint.secret_key_id, endpoint.secret_ciphertext = box.seal(secret)
        moved += 1
    return moved, unopened

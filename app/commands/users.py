"""`flask users create` and `flask tokens create`."""

from __future__ import annotations

import sys
from datetime import timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.accounts.tokens import MAX_LIFETIME_DAYS, create_token
from app.accounts.users import create_user
from app.claims.errors import ValidationError
from app.clock import utcnow
from app.models import Role, TokenScope, User
from app.unit_of_work import command_unit, get_session


def fail_validation(exc: ValidationError) -> None:
    for field, messages in exc.errors.items():
        for message in messages:
            click.echo(f"error: {field}: {message}", err=True)
    sys.exit(1)


@click.group("users")
def users_group() -> None:
    """People who sign in."""


@users_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="", help="Display name.")
@click.option("--timezone", default="UTC", help="IANA time zone, e.g. Europe/Berlin.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
@command_unit
def create_user_command(
    email: str, role: str, name: str, timezone: str, password_stdin: bool
) -> None:
    """Create a user; without --password-stdin the password is asked for twice."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    session = get_session()
    try:
        user = create_user(
            session,
            utcnow(),
            email,
            role,
            name=name,
            password=password,
            timezone=timezone,
        )
    except ValidationError as exc:
        fail_validation(exc)
    click.echo(f"created {user.role} {user.email} (id {user.id})")


@click.group("tokens")
def tokens_group() -> None:
    """API tokens."""


@tokens_group.command("create")
@click.argument("email")
@click.option("--scope", type=click.Choice([s.value for s in TokenScope]), required=True)
@click.option("--name", required=True, help="What the token is for.")
@click.option("--expires-in-days", type=click.IntRange(min=1, max=MAX_LIFETIME_DAYS), default=None)
@with_appcontext
@command_unit
def create_token_command(email: str, scope: str, name: str, expires_in_days: int | None) -> None:
    """Create a token for EMAIL; the token is printed once, alone on the last line."""
    session = get_session()
    user = session.scalars(select(User).where(User.email == email.strip().lower())).one_or_none()
    if user is None:
        click.echo(f"error: there is no user {email}", err=True)
        sys.exit(1)
    now = utcnow()
    expires = now + timedelta(days=expires_in_days) if expires_in_days else None
    try:
        token, secret = create_token(session, user, now, name, scope, expires)
    except ValidationError as exc:
        fail_validation(exc)
    click.echo(f"token {token.prefix}… ({scope}) for {user.email}; it is shown only now:")
    click.echo(secret)

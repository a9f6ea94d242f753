"""`flask claims import` and `flask claims export`: spreadsheets and lossless JSON Lines."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.claims.access import require_writer
from app.claims.errors import PermissionDenied
from app.claims_io.csv_export import write_csv
from app.claims_io.csv_import import import_csv
from app.claims_io.jsonl_export import write_jsonl
from app.claims_io.jsonl_import import restore_jsonl
from app.claims_io.report import ImportReport, Step
from app.clock import utcnow
from app.db import READ_ONLY
from app.models import User
from app.unit_of_work import command_unit, get_db, get_session

FORMATS = click.Choice(["csv", "jsonl"])
# Nobody reads past this many; the count of the rest is printed instead.
MAX_ERRORS_SHOWN = 1000


def file_format(path: str | None, given: str | None) -> str:
    if given:
        return given
    return "jsonl" if path and Path(path).suffix.lower() in {".jsonl", ".ndjson"} else "csv"


@contextmanager
def progress_bar(label: str, length: int | None) -> Iterator[Step]:
    """A progress bar on stderr, so stdout stays clean for the data or the summary."""
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:  # type: ignore[arg-type]
        yield bar.update


@click.group("claims")
def claims_group() -> None:
    """Claims in bulk: import a spreadsheet or an export, export everything."""


@claims_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=FORMATS, help="csv or jsonl (default: from the suffix).")
@click.option("--as", "as_email", metavar="EMAIL", help="The reviewer doing a CSV import.")
@click.option("--dry-run", is_flag=True, help="Check everything and report; change nothing.")
@with_appcontext
@command_unit
def import_command(file: str, fmt: str | None, as_email: str | None, dry_run: bool) -> None:
    """Import claims from FILE, all or nothing: a CSV spreadsheet or a JSON Lines export."""
    session = get_session()
    try:
        report = run_import(session, file, fmt, as_email)
    except UnicodeDecodeError as exc:
        raise click.UsageError(
            f"{file} is not UTF-8 text (byte {exc.start}); save it as UTF-8 (in Excel: "
            "CSV UTF-8) and try again"
        ) from None
    finish_import(session, report, dry_run)


def run_import(session: Session, file: str, fmt: str | None, as_email: str | None) -> ImportReport:
    now = utcnow()
    if file_format(file, fmt) == "jsonl":
        if as_email:
            click.echo(
                "note: --as is not used for JSON Lines; the file names every actor", err=True
            )
        with open(file, encoding="utf-8-sig") as lines:
            return restore_jsonl(session, now, lines, progress_bar)
    actor = importing_user(session, as_email)
    with open(file, encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    return import_csv(session, actor, now, text, progress_bar)


def importing_user(session: Session, email: str | None) -> User:
    if not email:
        raise click.UsageError("a CSV import needs --as EMAIL: the reviewer the history names")
    user = session.scalars(select(User).where(User.email == email.strip().lower())).one_or_none()
    if user is None:
        raise click.UsageError(f"there is no user {email}")
    try:
        return require_writer(user)
    except PermissionDenied as exc:
        raise click.UsageError(f"{email}: {exc.detail}") from None


def finish_import(session: Session, report: ImportReport, dry_run: bool) -> None:
    """Summarise (the command's unit of work then commits), or list every problem and exit
    with status 1 (it rolls back); a dry run discards what it wrote."""
    if not report.ok:
        for error in report.errors[:MAX_ERRORS_SHOWN]:
            click.echo(f"{report.unit} {error.row}: {error.field}: {error.message}", err=True)
        if len(report.errors) > MAX_ERRORS_SHOWN:
            click.echo(f"... and {len(report.errors) - MAX_ERRORS_SHOWN} more", err=True)
        click.echo(f"{len(report.errors)} problems; nothing was imported", err=True)
        sys.exit(1)
    summary = (
        f"{report.claims} claims, {report.evidence} evidence items, {report.events} events, "
        f"{report.sources} new sources"
    )
    if dry_run:
        session.rollback()
        click.echo(f"dry run: would import {summary}; nothing was changed")
    else:
        click.echo(f"imported {summary}")
    if report.users_created:
        verb = "would create" if dry_run else "created"
        click.echo(
            f"{verb} {len(report.users_created)} users who wrote part of the history, inactive "
            f"and without a password (an admin can let them in): {', '.join(report.users_created)}"
        )


@claims_group.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, writable=True))
@click.option("--format", "fmt", type=FORMATS, help="csv or jsonl (default: from the suffix).")
@with_appcontext
def export_command(file: str | None, fmt: str | None) -> None:
    """Export every claim to FILE, or to standard output."""
    session = get_session()
    db = get_db()
    if isinstance(db.bind, Engine) and db.engine.dialect.name == "postgresql":
        # One consistent snapshot, however long the export takes.
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    elif isinstance(db.bind, Engine):
        # A SQLite read transaction is one snapshot too; without the write lock it blocks
        # no reviewer while it runs.
        session.connection(execution_options=READ_ONLY)
    write = write_jsonl if file_format(file, fmt) == "jsonl" else write_csv
    try:
        with open_output(file, write is write_csv) as out:
            count = write(session, out, progress_bar)
    finally:
        session.rollback()  # an export only reads
    if file:
        click.echo(f"exported {count} claims to {file}", err=True)


@contextmanager
def open_output(file: str | None, is_csv: bool) -> Iterator[TextIO]:
    if file is None:
        yield sys.stdout
        return
    # csv writes its own line endings; a BOM lets Excel see UTF-8.
    encoding = "utf-8-sig" if is_csv else "utf-8"
    with open(file, "w", encoding=encoding, newline="" if is_csv else None) as out:
        yield out

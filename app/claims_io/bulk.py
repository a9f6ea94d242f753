"""Writing many rows at once: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

from typing import Any

from psycopg.types.json import Json
from sqlalchemy import JSON, Table, func, select, text
from sqlalchemy.orm import Session

from app.models import Claim, ClaimEvent, Evidence, Source


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows`: with COPY on PostgreSQL (far fewer round trips), executemany on SQLite.

    COPY fires the statement-level triggers that keep `claim_status_counts` right, as an
    INSERT does.
    """
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(table.insert(), rows)
        return
    names = list(rows[0])
    as_json = {name for name in names if isinstance(table.c[name].type, JSON)}
    columns = ", ".join(f'"{name}"' for name in names)
    # The session's own connection, so the rows are part of its transaction.
    driver = session.connection().connection.driver_connection
    with (
        driver.cursor() as cursor,
        cursor.copy(  # type: ignore[union-attr]
            f'COPY "{table.name}" ({columns}) FROM STDIN'
        ) as copy,
    ):
        for row in rows:
            copy.write_row([Json(row[n]) if n in as_json else row[n] for n in names])


def reset_sequences(session: Session) -> None:
    """Move PostgreSQL's id sequences past the restored ids (SQLite does this by itself)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in (Source.__table__, Claim.__table__, Evidence.__table__, ClaimEvent.__table__):
        name = table.name  # type: ignore[attr-defined]
        highest = session.scalar(select(func.max(table.c.id)))  # type: ignore[attr-defined]
        sequence = session.scalar(text(f"SELECT pg_get_serial_sequence('{name}', 'id')"))
        if highest is None or sequence is None:
            continue
        last, called = session.execute(text(f"SELECT last_value, is_called FROM {sequence}")).one()
        if highest > last or (highest == last and not called):
            session.execute(
                text("SELECT setval(:sequence, :value)"), {"sequence": sequence, "value": highest}
            )

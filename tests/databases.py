"""Throw-away databases for the suite: a SQLite file, and a PostgreSQL database per run.

The schema is always built by running the Alembic migrations, never by `create_all()`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import migrate
from app.config import check_database_url


def backends() -> list[str]:
    """SQLite always; PostgreSQL too when TEST_DATABASE_URL is set."""
    return ["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


@contextmanager
def fresh_database(backend: str, directory: Path, migrated: bool = True) -> Iterator[str]:
    """The URL of a new, migrated, empty database that is dropped afterwards."""
    if backend == "sqlite":
        url = f"sqlite:///{directory / f'claimwatch-{uuid.uuid4().hex[:8]}.db'}"
        if migrated:
            migrate.upgrade(url)
        yield url
        return
    server = make_url(check_database_url(os.environ["TEST_DATABASE_URL"]))
    name = f"cw_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        if migrated:
            migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

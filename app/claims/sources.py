"""Sources: outlets that report claims, found by name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import Source

_SOURCES = Source.__table__
# Core statements, built once: a new claim names its source on every `POST /claims`.
_FIND = select(_SOURCES.c.id, _SOURCES.c.url).where(_SOURCES.c.name_key == bindparam("key"))
_CREATE = insert(_SOURCES).returning(_SOURCES.c.id)
_SET_URL = update(_SOURCES).where(_SOURCES.c.id == bindparam("source_id"))


def source_key(name: str) -> str:
    """The name by which two spellings of one outlet are the same source."""
    return " ".join(name.split()).casefold()


def source_id_for(session: Session, name: str, now: datetime, url: str | None = None) -> int:
    """The id of the source with this name, created if new (safe when two requests create it
    at once); a URL fills in one the source does not have yet."""
    key = source_key(name)
    connection = session.connection()
    found = connection.execute(_FIND, {"key": key}).one_or_none()
    if found is None:
        values = {"name": " ".join(name.split()), "name_key": key, "url": url, "created_at": now}
        try:
            with session.begin_nested():
                return int(connection.execute(_CREATE, values).scalar_one())
        except IntegrityError:
            found = connection.execute(_FIND, {"key": key}).one()
    if url and not found.url:
        connection.execute(_SET_URL, {"source_id": found.id, "url": url})
    return int(found.id)


def find_or_create_source(
    session: Session, name: str, now: datetime, url: str | None = None
) -> Source:
    """`source_id_for`, as an ORM object."""
    source = session.get(Source, source_id_for(session, name, now, url), populate_existing=True)
    assert source is not None
    return source

"""Sources: outlets that report claims, found by name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Insert, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.models import Source

_SOURCES = Source.__table__
# Core statements, built once: a new claim names its source on every `POST /claims`.
_FIND = select(_SOURCES.c.id, _SOURCES.c.name, _SOURCES.c.url).where(
    _SOURCES.c.name_key == bindparam("key")
)
# No savepoint around the insert: it also runs in autocommit (a new claim's request on
# PostgreSQL, app.db.autocommit_connection), where a savepoint cannot be taken.
_CREATE: dict[str, Insert] = {
    name: dialect.insert(_SOURCES)
    .on_conflict_do_nothing(index_elements=[_SOURCES.c.name_key])
    .returning(_SOURCES.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
_SET_URL = update(_SOURCES).where(_SOURCES.c.id == bindparam("source_id"))


def source_key(name: str) -> str:
    """The name by which two spellings of one outlet are the same source."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class SourceRef:
    """A source as a claim shows it."""

    id: int
    name: str
    url: str | None


def source_for(
    connection: Connection, name: str, now: datetime, url: str | None = None
) -> SourceRef:
    """The source with this name, created if new (safe when two requests create it at once);
    a URL fills in one the source does not have yet."""
    key = source_key(name)
    found = connection.execute(_FIND, {"key": key}).one_or_none()
    if found is None:
        name = " ".join(name.split())
        values = {"name": name, "name_key": key, "url": url, "created_at": now}
        new_id = connection.execute(_CREATE[connection.dialect.name], values).scalar()
        if new_id is not None:
            return SourceRef(int(new_id), name, url)
        # Another request created it since we looked (and has committed: this statement
        # waited for it), so it is there now.
        found = connection.execute(_FIND, {"key": key}).one()
    if url and not found.url:
        connection.execute(_SET_URL, {"source_id": found.id, "url": url})
        return SourceRef(int(found.id), found.name, url)
    return SourceRef(int(found.id), found.name, found.url)


def find_or_create_source(
    session: Session, name: str, now: datetime, url: str | None = None
) -> Source:
    """`source_for`, as an ORM object."""
    found = source_for(session.connection(), name, now, url)
    source = session.get(Source, found.id, populate_existing=True)
    assert source is not None
    return source

"""Sources: outlets that report claims, found by name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import Source


def source_key(name: str) -> str:
    """The name by which two spellings of one outlet are the same source."""
    return " ".join(name.split()).casefold()


def find_or_create_source(
    session: Session, name: str, now: datetime, url: str | None = None
) -> Source:
    """The source with this name, created if new (safe when two requests create it at once);
    a URL fills in one the source does not have yet."""
    key = source_key(name)
    source = _by_key(session, key)
    if source is None:
        source = Source(name=" ".join(name.split()), name_key=key, url=url, created_at=now)
        try:
            with session.begin_nested():
                session.add(source)
        except IntegrityError:
            # Another request created it since we looked, and has committed (the insert
            # waited for it), so it is there now.
            source = _by_key(session, key)
            assert source is not None
    if url and not source.url:
        source.url = url
    return source


def _by_key(session: Session, key: str) -> Source | None:
    return session.scalars(select(Source).where(Source.name_key == key)).one_or_none()

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
    """The source with this name, created if new (safe when two requests create it at once)."""
    key = source_key(name)
    source = session.scalars(select(Source).where(Source.name_key == key)).one_or_none()
    if source is None:
        try:
            with session.begin_nested():
                source = Source(name=" ".join(name.split()), name_key=key, url=url, created_at=now)
                session.add(source)
        except IntegrityError:
            source = session.scalars(select(Source).where(Source.name_key == key)).one()
    if url and not source.url:
        source.url = url
    return source

"""Adding and removing watches (reviewers and admins)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.claims.access import Actor, require_writer
from app.claims.checks import check_text, check_url
from app.claims.errors import FieldErrors, NotFound
from app.models import Watch


def add_watch(session: Session, actor: Actor, now: datetime, url: str, name: str = "") -> Watch:
    """Follow the feed at `url` (RSS, Atom or JSON Feed); it is polled at the next pass. A
    name is optional (the URL's host stands in); a URL already watched is refused."""
    require_writer(actor)
    errors = FieldErrors()
    checked = check_url(errors, "url", url if isinstance(url, str) else None, required=True)
    name = check_text(errors, "name", name, max_length=200)
    errors.raise_if_any()
    assert checked is not None
    taken = session.scalar(
        select(Watch.name).where(Watch.url == checked, Watch.removed_at.is_(None))
    )
    if taken is not None:
        errors.add("url", f"is already watched as {taken!r}")
        errors.raise_if_any()
    watch = Watch(
        url=checked,
        name=name or _host(checked),
        created_by_id=actor.id,
        created_at=now,
        consecutive_failures=0,
        next_poll_at=now,
    )
    session.add(watch)
    session.flush()
    return watch


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or url)[:200]


def remove_watch(session: Session, actor: Actor, now: datetime, watch_id: int) -> Watch:
    """Stop polling the watch; its row and its leads stay (a lead names the feed it came from),
    but the watch is gone from every list: removing it again is NotFound, as for any id that
    names no watch (a retried DELETE is a 404, the web tells a form sent twice apart)."""
    require_writer(actor)
    watch = session.scalars(
        select(Watch).where(Watch.id == watch_id).with_for_update()
    ).one_or_none()
    if watch is None:
        raise NotFound(f"there is no watch {watch_id}")
    if watch.removed:
        raise NotFound(f"watch {watch_id} was removed")
    watch.removed_at = now
    watch.removed_by_id = actor.id
    watch.lease_owner = None
    watch.lease_until = None
    session.flush()
    return watch

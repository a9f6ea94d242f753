"""Template filters and globals shared by every page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context, request, url_for
from jinja2 import ChoiceLoader, FileSystemLoader

from app.claims.closing import is_date_deadline
from app.claims.reads import claim_tags, utc
from app.present.deadlines import window_text
from app.present.statuses import STATUS_LABELS, status_label
from app.web.forms.claims import OUTCOME_EFFECTS, OUTCOMES
from app.web.timefmt import deadline_of, iso_utc, localtime, viewer_zone


def window_end_text(value: datetime | None) -> str:
    """A window end kept in an event ("end of 26 Dec 2026", or a time in the viewer's zone)."""
    return window_text(value, viewer_zone())[1] if value is not None else "—"


def known_text(value: datetime | None, style: str = "datetime") -> str:
    """When the truth became known. A known_at given as a bare date is stored as the end of
    that day, like a deadline, and reads as that date: "25 Nov 2026"; a time reads as a time."""
    if value is None:
        return "—"
    zone = viewer_zone()
    if is_date_deadline(value):
        return window_text(value, zone)[0]
    return localtime(value, style, zone)


def change_value(value: Any, name: str) -> str:
    """One side of an edit as the timeline shows it: dates and times in the one format."""
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if name == "claimed_on" and isinstance(value, str):
        try:
            return localtime(date.fromisoformat(value))
        except ValueError:
            return value
    if name in {"window_start", "window_end"} and isinstance(value, str):
        instant = parse_instant(value)
        if instant is not None:
            return window_end_text(instant) if name == "window_end" else localtime(instant)
    return str(value)


def parse_instant(value: str | None) -> datetime | None:
    """An RFC 3339 time kept in an event's data, back as an aware datetime."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None


def reject_cursor(args: dict[str, list[str]]) -> dict[str, list[str]]:
    """The query string without its cursor, to build first- and next-page links."""
    return {key: values for key, values in args.items() if key != "cursor"}


LINKS = "claimwatch.links"


def request_links() -> Callable[..., str]:
    """`link(endpoint, **values)` for this request: `url_for` of a link whose arguments come
    from the code, not the request (navigation, status filters), remembered per app and script
    root (the only other thing the path depends on). A page has a dozen such links, and
    url_for was its costliest call."""
    by_root: dict[str, dict[tuple[Any, ...], str]] = current_app.extensions[LINKS]
    links = by_root.setdefault(request.script_root, {})

    def link(endpoint: str, **values: str) -> str:
        key = (endpoint, *values.items())
        url = links.get(key)
        if url is None:
            if len(links) > 1000:  # bounded, should a caller ever pass request values
                links.clear()
            url = links[key] = url_for(endpoint, **values)
        return url

    return link


def link(endpoint: str, **values: str) -> str:
    """One such link, from Python code (templates get `link` once per page)."""
    return request_links()(endpoint, **values)


def init_templating(app: Flask) -> None:
    # The web pages' templates live in app/web/templates; the app's own loader comes first.
    web_templates = FileSystemLoader(str(Path(__file__).parent / "templates"))
    app.jinja_loader = ChoiceLoader(
        [loader for loader in (app.jinja_loader, web_templates) if loader]
    )
    app.jinja_env.filters.update(
        localtime=localtime,
        iso_utc=iso_utc,
        status_label=status_label,
        deadline=deadline_of,
        window_end=window_end_text,
        change_value=change_value,
        known=known_text,
        reject_cursor=reject_cursor,
        parse_instant=parse_instant,
        aware=utc,
        tags=claim_tags,
    )

    app.extensions[LINKS] = {}
    app.jinja_env.globals.update(
        STATUS_LABELS=STATUS_LABELS, OUTCOMES=OUTCOMES, OUTCOME_EFFECTS=OUTCOME_EFFECTS
    )

    @app.context_processor
    def links() -> dict[str, Any]:
        return {"link": request_links()} if has_request_context() else {}

"""Template filters and globals shared by every page."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import Flask, current_app, request, url_for
from jinja2 import ChoiceLoader, FileSystemLoader

from app.models import ClaimStatus
from app.web.timefmt import days_since, iso_utc, localtime

STATUS_LABELS = {
    ClaimStatus.PENDING.value: "Pending",
    ClaimStatus.OVERDUE.value: "Overdue",
    ClaimStatus.CONFIRMED.value: "Confirmed",
    ClaimStatus.PARTLY_CONFIRMED.value: "Partly confirmed",
    ClaimStatus.REFUTED.value: "Refuted",
    ClaimStatus.RETRACTED.value: "Retracted",
    ClaimStatus.VOID.value: "Void",
}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


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


def link(endpoint: str, **values: str) -> str:
    """`url_for` of a link whose arguments come from the code, not the request (navigation,
    status filters), remembered per app: a page has a dozen, and url_for was its costliest
    call. The path depends on nothing else but the script root the app is mounted at."""
    links = current_app.extensions[LINKS]
    key = (request.script_root, endpoint, *values.items())
    url = links.get(key)
    if url is None:
        if len(links) > 1000:  # bounded, should a caller ever pass request values
            links.clear()
        url = links[key] = url_for(endpoint, **values)
    return url


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
        days_since=days_since,
        reject_cursor=reject_cursor,
        parse_instant=parse_instant,
    )

    app.extensions[LINKS] = {}
    app.jinja_env.globals.update(link=link, STATUS_LABELS=STATUS_LABELS)

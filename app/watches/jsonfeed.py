"""JSON Feed (https://jsonfeed.org, versions 1 and 1.1), read from plain JSON and checked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.watches.entry import (
    MAX_MATCHED_SUMMARY,
    MAX_TITLE,
    FeedEntry,
    absolute_link,
    entry_key,
    html_text,
    plain,
    utc_instant,
)
from app.watches.errors import FeedError
from app.wire import loads

VERSION_PREFIX = "https://jsonfeed.org/version/1"


def looks_like_json(body: bytes, content_type: str) -> bool:
    """Whether the answer is JSON rather than XML (by its type, or its first character)."""
    return "json" in content_type.lower() or body.lstrip()[:1] == b"{"


def parse_json_feed(body: bytes, base_url: str) -> list[FeedEntry]:
    """The entries of a JSON Feed; FeedError when it is not one. Items that are not objects
    are skipped; fields of the wrong type are taken as absent."""
    try:
        document = loads(body)
    except ValueError as exc:
        raise FeedError(f"the answer is not valid JSON ({exc})") from None
    if not isinstance(document, dict):
        raise FeedError("the answer is JSON but not a JSON Feed (not an object)")
    version = document.get("version")
    if not isinstance(version, str) or not version.startswith(VERSION_PREFIX):
        raise FeedError("the answer is JSON but not a JSON Feed (no jsonfeed.org version)")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedError("the JSON Feed has no list of items")
    return [_entry(item, base_url) for item in items if isinstance(item, dict)]


def _text(item: dict[str, Any], name: str) -> str:
    value = item.get(name)
    if isinstance(value, bool):
        return ""
    return str(value) if isinstance(value, str | int | float) else ""


def _entry(item: dict[str, Any], base_url: str) -> FeedEntry:
    url = absolute_link(base_url, item.get("url")) or absolute_link(
        base_url, item.get("external_url")
    )
    title = plain(_text(item, "title"), MAX_TITLE)
    summary = _text(item, "summary") or _text(item, "content_text")
    if summary:
        summary = plain(summary, MAX_MATCHED_SUMMARY)
    else:
        summary = html_text(_text(item, "content_html"), MAX_MATCHED_SUMMARY)
    published = _instant(_text(item, "date_published") or _text(item, "date_modified"))
    return FeedEntry(entry_key(_text(item, "id"), url, title), url, title, summary, published)


def _instant(raw: str) -> datetime | None:
    if not raw:
        return None
    try:
        return utc_instant(datetime.fromisoformat(raw.strip()))
    except ValueError:
        return None

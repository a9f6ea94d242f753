"""Reading a feed's answer: RSS and Atom with feedparser, JSON Feed by hand (`jsonfeed`).

feedparser is given the body as a stream, never as a string: a string that looks like a URL
or a file name would make it fetch or open that itself, outside `app.outbound`. It does not
resolve external entities (it turns that SAX feature off), and expat refuses entity bombs.
"""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime
from typing import Any

import feedparser

from app.watches.entry import (
    MAX_MATCHED_SUMMARY,
    MAX_TITLE,
    FeedEntry,
    absolute_link,
    entry_key,
    html_text,
    utc_instant,
)
from app.watches.errors import FeedError
from app.watches.jsonfeed import looks_like_json, parse_json_feed


def parse_feed(body: bytes, content_type: str, base_url: str) -> list[FeedEntry]:
    """The entries of an RSS, Atom or JSON Feed answer; FeedError when it is none of them.
    Relative links are resolved against `base_url` (the URL that answered)."""
    if looks_like_json(body, content_type):
        return parse_json_feed(body, base_url)
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers={"content-type": content_type or "application/xml"},
        resolve_relative_uris=False,
        sanitize_html=False,
    )
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        why = f" ({_short(problem)})" if problem else ""
        raise FeedError(f"the answer is not an RSS, Atom or JSON feed{why}")
    return [_entry(entry, base_url) for entry in parsed.entries]


def _short(problem: object) -> str:
    return str(problem).splitlines()[0][:200] if str(problem) else type(problem).__name__


def _entry(entry: Any, base_url: str) -> FeedEntry:
    url = absolute_link(base_url, entry.get("link"))
    title = html_text(entry.get("title") or "", MAX_TITLE)
    summary = entry.get("summary") or ""
    if not summary and entry.get("content"):
        summary = entry["content"][0].get("value") or ""
    published = _instant(entry.get("published_parsed") or entry.get("updated_parsed"))
    guid = entry.get("id") or ""
    return FeedEntry(
        entry_key(guid if isinstance(guid, str) else "", url, title),
        url,
        title,
        html_text(summary, MAX_MATCHED_SUMMARY),
        published,
    )


def _instant(parsed: time.struct_time | None) -> datetime | None:
    """feedparser's UTC time tuple as an instant."""
    if parsed is None:
        return None
    try:
        return utc_instant(datetime(*parsed[:6], tzinfo=UTC))
    except (TypeError, ValueError):
        return None

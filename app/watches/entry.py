"""A feed entry as Claimwatch keeps it, whatever the feed's format: plain text, an absolute
http(s) link, a UTC time, and the key that recognises it on the next poll."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin

from app.claims.checks import CONTROL, MAX_URL, NOT_TEXT, check_url
from app.claims.errors import FieldErrors

MAX_TITLE = 500
# How much of an entry's summary is matched, and how much of it a lead keeps.
MAX_MATCHED_SUMMARY = 20_000
MAX_KEPT_SUMMARY = 2_000
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed; `url` is "" when it has no usable http(s) link."""

    key: str
    url: str
    title: str
    summary: str
    published_at: datetime | None

    @property
    def text(self) -> str:
        """What a watch term must occur in: the title and the summary."""
        return f"{self.title}\n{self.summary}"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def entry_key(guid: str, url: str, title: str) -> str:
    """Recognises an entry on the next poll: by its id, else its link, else its title."""
    if guid:
        return sha256(f"id:{guid}")
    return sha256(f"link:{url}") if url else sha256(f"title:{title}")


def url_key(url: str) -> str:
    """The key that keeps one article to one lead per claim, whichever feed brought it."""
    return sha256(url)


def plain(text: str, limit: int) -> str:
    """One line of storable text: characters that are not text and control characters
    become spaces, runs of space one space, cut at `limit` characters."""
    text = CONTROL.sub(" ", NOT_TEXT.sub(" ", text))
    return _SPACES.sub(" ", text).strip()[:limit]


class _TextOnly(HTMLParser):
    """The text of an HTML fragment, without tags, scripts or styles (entities decoded)."""

    SKIPPED = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED and self.skipping:
            self.skipping -= 1
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_text(fragment: str, limit: int) -> str:
    """The readable text of an HTML fragment (or of plain text, which it leaves as it is)."""
    if "<" not in fragment and "&" not in fragment:
        return plain(fragment, limit)
    parser = _TextOnly()
    parser.feed(fragment[: limit * 4])
    parser.close()
    return plain("".join(parser.parts), limit)


def absolute_link(base: str, raw: object) -> str:
    """`raw` resolved against the feed's URL, if it is an http(s) URL with a host; else ""."""
    if not isinstance(raw, str) or not raw.strip():
        return ""
    try:
        url = urljoin(base, raw.strip())
    except ValueError:
        return ""
    errors = FieldErrors()
    checked = check_url(errors, "url", url, required=True)
    return checked if checked and not errors.errors and len(checked) <= MAX_URL else ""


def utc_instant(value: datetime | None) -> datetime | None:
    """An aware UTC instant within the years Claimwatch stores (1900-2199), else None."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value if 1900 <= value.year <= 2199 else None

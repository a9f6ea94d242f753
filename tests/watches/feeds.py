"""Feeds served by a real local HTTP server: RSS, Atom and JSON Feed documents built from
entries, answered with ETag and Last-Modified, and 304 when the client sends them back."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.utils import format_datetime
from xml.sax.saxutils import escape

from tests.conftest import NOW
from tests.outbound.servers import Handler, LocalServer, reply

FORMATS = ("rss", "atom", "json")
TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json",
}


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    link: str
    summary: str = ""


def rss(items: list[Item]) -> bytes:
    body = "".join(
        f"<item><guid>{escape(i.id)}</guid><title>{escape(i.title)}</title>"
        f"<link>{escape(i.link)}</link><description>{escape(i.summary)}</description>"
        f"<pubDate>{format_datetime(NOW)}</pubDate></item>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Newsroom</title><link>https://newsroom.example/</link>{body}</channel></rss>"
    ).encode()


def atom(items: list[Item]) -> bytes:
    body = "".join(
        f"<entry><id>{escape(i.id)}</id><title>{escape(i.title)}</title>"
        f'<link href="{escape(i.link)}"/><updated>2026-11-20T09:00:00Z</updated>'
        f"<summary>{escape(i.summary)}</summary></entry>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Newsroom</title><id>urn:newsroom</id><updated>2026-11-20T09:00:00Z</updated>"
        f"{body}</feed>"
    ).encode()


def json_feed(items: list[Item]) -> bytes:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "Newsroom",
            "items": [
                {
                    "id": i.id,
                    "url": i.link,
                    "title": i.title,
                    "content_html": i.summary,
                    "date_published": "2026-11-20T09:00:00Z",
                }
                for i in items
            ],
        }
    ).encode()


BUILDERS = {"rss": rss, "atom": atom, "json": json_feed}


@dataclass
class Feed:
    """One feed on the server; `status` other than 200 makes it fail; every answer is kept."""

    format: str
    items: list[Item] = field(default_factory=list)
    version: int = 1
    status: int = 200
    answers: list[int] = field(default_factory=list)

    @property
    def etag(self) -> str:
        return f'"v{self.version}"'

    @property
    def last_modified(self) -> str:
        return f"Fri, 20 Nov 2026 09:{self.version:02d}:00 GMT"

    def publish(self, *items: Item) -> None:
        self.items.extend(items)
        self.version += 1

    def answer(self, handler: Handler) -> None:
        if self.status != 200:
            self.answers.append(self.status)
            reply(handler, self.status, b"down for maintenance", {"Content-Type": "text/plain"})
            return
        headers = {"ETag": self.etag, "Last-Modified": self.last_modified}
        if (
            handler.headers.get("If-None-Match") == self.etag
            or handler.headers.get("If-Modified-Since") == self.last_modified
        ):
            self.answers.append(304)
            reply(handler, 304, b"", headers)
            return
        self.answers.append(200)
        body = BUILDERS[self.format](self.items)
        reply(handler, 200, body, {**headers, "Content-Type": TYPES[self.format]})


def serve(server: LocalServer, path: str, feed: Feed) -> str:
    """Serve `feed` at `path`; returns its URL."""
    server.routes[path] = feed.answer
    return server.url(path)

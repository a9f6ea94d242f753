"""Reading feeds: RSS, Atom and JSON Feed alike as plain-text entries with absolute links;
what is not a feed is refused with a reason; feedparser never fetches anything itself."""

from __future__ import annotations

import json

import pytest

from app.watches.errors import FeedError
from app.watches.feeds import parse_feed
from app.watches.health import health
from tests.conftest import NOW
from tests.outbound.servers import reply
from tests.watches.feeds import BUILDERS, TYPES, Item

BASE = "https://newsroom.example/feeds/main.xml"


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_each_format_gives_the_same_entries(kind):
    items = [
        Item(
            "urn:1",
            "DeepSeek V4 & Ascend",
            "https://newsroom.example/1",
            "<p>Trained on <b>Ascend</b></p>",
        ),
        Item("urn:2", "Second", "/relative/2", "plain text"),
    ]
    entries = parse_feed(BUILDERS[kind](items), TYPES[kind], BASE)
    assert [(e.title, e.url) for e in entries] == [
        ("DeepSeek V4 & Ascend", "https://newsroom.example/1"),
        ("Second", "https://newsroom.example/relative/2"),
    ]
    assert entries[0].summary == "Trained on Ascend"
    assert entries[0].published_at == NOW
    assert entries[0].key != entries[1].key
    assert parse_feed(BUILDERS[kind](items), TYPES[kind], BASE)[0].key == entries[0].key


def test_entries_without_a_web_link_are_kept_without_one():
    items = [Item("urn:1", "No link", "javascript:alert(1)"), Item("urn:2", "Mail", "mailto:a@b.c")]
    assert [e.url for e in parse_feed(BUILDERS["rss"](items), TYPES["rss"], BASE)] == ["", ""]


def test_an_entry_is_recognised_by_its_id_else_its_link():
    with_id = BUILDERS["json"]([Item("urn:1", "One", "https://a.example/1")])
    moved = BUILDERS["json"]([Item("urn:1", "One, edited", "https://a.example/moved")])
    first, second = (parse_feed(body, TYPES["json"], BASE)[0] for body in (with_id, moved))
    assert first.key == second.key


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"<html><body>Our newsroom</body></html>", "not an RSS, Atom or JSON feed"),
        (b"<\x00\x01binary", "not an RSS, Atom or JSON feed"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "not a JSON Feed"),
        (json.dumps({"version": "1", "items": []}).encode(), "no jsonfeed.org version"),
        (
            json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": {}}).encode(),
            "no list of items",
        ),
    ],
)
def test_answers_that_are_not_feeds_are_refused_with_a_reason(body, why):
    with pytest.raises(FeedError, match=why):
        parse_feed(body, "text/html" if body.startswith(b"<") else "application/json", BASE)


def test_a_json_feed_with_odd_items_keeps_what_it_can():
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1",
            "items": [
                3,
                {"id": 7, "url": "https://a.example/7", "title": ["not", "text"]},
                {"id": "x", "external_url": "https://b.example/x", "content_html": "<i>hi</i>"},
                {"id": "y", "url": "https://c.example/y", "date_published": "yesterday"},
            ],
        }
    ).encode()
    entries = parse_feed(body, "application/feed+json", BASE)
    assert [(e.url, e.title, e.summary) for e in entries] == [
        ("https://a.example/7", "", ""),
        ("https://b.example/x", "", "hi"),
        ("https://c.example/y", "", ""),
    ]
    assert entries[2].published_at is None


def test_control_characters_and_non_characters_never_reach_a_lead():
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "items": [{"id": "1", "url": "https://a.example/1", "title": "Deep\x00Seek\ufffe V4"}],
        }
    ).encode()
    [entry] = parse_feed(body, "application/feed+json", BASE)
    assert entry.title == "Deep Seek V4"


def test_a_body_that_is_a_url_is_read_as_text_never_fetched(feed_server):
    feed_server.routes["/secret"] = lambda h: reply(h, 200, b"<rss version='2.0'/>")
    with pytest.raises(FeedError):
        parse_feed(feed_server.url("/secret").encode(), "text/plain", BASE)
    assert feed_server.connections == 0


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<rss version="2.0"><channel><item><title>a&x;b</title>'
        "<link>https://a.example/</link></item></channel></rss>"
    ).encode()
    entries = parse_feed(body, "application/rss+xml", BASE)
    assert all("SECRET" not in e.title + e.summary for e in entries)


def test_health_in_words():
    from datetime import timedelta

    later = NOW + timedelta(hours=3)
    waiting = health(
        last_fetched_at=None,
        last_success_at=None,
        last_error=None,
        consecutive_failures=0,
        next_poll_at=NOW,
        now=later,
    )
    assert waiting == ("waiting", "Not checked yet; the first check is at the next pass.")
    working = health(
        last_fetched_at=NOW,
        last_success_at=NOW,
        last_error=None,
        consecutive_failures=0,
        next_poll_at=NOW,
        now=later,
    )
    assert working.summary == "Working: last checked 3 hours ago."
    failing = health(
        last_fetched_at=later,
        last_success_at=NOW,
        last_error="could not resolve newsroom.example",
        consecutive_failures=3,
        next_poll_at=later + timedelta(hours=2),
        now=later,
    )
    assert failing.summary == (
        "Failing: could not resolve newsroom.example. Checks failed 3 times in a row "
        "(it last worked 3 hours ago); next try in 2 hours."
    )

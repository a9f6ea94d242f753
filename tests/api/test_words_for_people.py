"""Through the API: the tag filter finds a tag however it is typed; the feed says when a window
closed in words, in the one date format, in its owner's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from app.accounts.users import regenerate_feed_key
from app.sweep import flag_overdue_claims


def test_the_tag_filter_finds_a_tag_however_it_is_typed(api, factory, session):
    claim = factory.claim(tags=["open weights"])
    session.commit()
    for typed in ("Open Weights", "open-weights", "OPEN_WEIGHTS"):
        ids = [item["id"] for item in api.get(f"/claims?tag={typed}").json["items"]]
        assert ids == [claim.id], typed


def test_the_feed_says_when_a_window_closed_in_words_in_the_owners_zone(
    api, factory, session, reviewer
):
    factory.claim(statement="Late claim", window_end="2026-11-01")  # the end of 1 Nov, UTC
    flag_overdue_claims(session, datetime(2026, 11, 5, tzinfo=UTC))
    reviewer.timezone = "Asia/Tokyo"
    key = regenerate_feed_key(reviewer)
    session.commit()
    feed = ET.fromstring(api.client.get(f"/feeds/overdue.atom?key={key}").data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    summary = feed.findtext("a:entry/a:summary", namespaces=ns)
    assert summary.startswith("The window closed end of 1 Nov 2026 with no resolution.")
    assert feed.findtext("a:entry/a:updated", namespaces=ns) == "2026-11-05T00:00:00Z"

"""Polling real feeds from a local server: new entries become leads once, unchanged feeds
cost a 304, entries that match nothing make no lead, failing feeds back off and say why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import Claim, ClaimEvent, Lead, Watch
from app.polling import run_watch_poll
from app.watches import add_watch
from app.watches.reads import read_watch
from tests.conftest import NOW
from tests.watches.feeds import FORMATS, Feed, Item, serve

ANNOUNCEMENT = Item(
    "urn:news:1",
    "DeepSeek launches V4, trained on Huawei Ascend",
    "https://newsroom.example/deepseek-v4",
    "The model was trained and is served on Ascend 910C clusters.",
)
WEATHER = Item("urn:news:2", "Rain expected in Hangzhou", "https://newsroom.example/weather")
LATER = NOW + timedelta(minutes=15)


def watch(session, factory, url: str) -> Watch:
    watch = add_watch(session, factory.reviewer, NOW, url, "Newsroom")
    session.commit()
    return watch


def lead_events(session) -> list[ClaimEvent]:
    return list(session.scalars(select(ClaimEvent).where(ClaimEvent.kind == "lead_found")))


@pytest.mark.parametrize("kind", FORMATS)
def test_a_new_matching_entry_becomes_one_lead_with_one_event(
    kind, app, session, factory, feed_server, deepseek
):
    feed = Feed(kind, [ANNOUNCEMENT, WEATHER])
    watch(session, factory, serve(feed_server, "/feed", feed))
    version = deepseek.version

    summary = run_watch_poll(app, NOW)

    assert (summary.updated, summary.leads) == (1, 1)
    session.expire_all()
    [lead] = session.scalars(select(Lead)).all()
    assert (lead.claim_id, lead.url, lead.status) == (deepseek.id, ANNOUNCEMENT.link, "new")
    assert lead.title == ANNOUNCEMENT.title
    assert "Ascend 910C" in lead.summary
    assert (lead.matched_term, lead.matched_words) == ("DeepSeek V4", ["deepseek", "v4"])
    [event] = lead_events(session)
    assert (event.claim_id, event.actor_id) == (deepseek.id, None)
    assert event.data["lead_id"] == lead.id
    assert event.data["url"] == ANNOUNCEMENT.link
    assert session.get(Claim, deepseek.id).version == version + 1


@pytest.mark.parametrize("kind", FORMATS)
def test_the_next_poll_sends_the_validators_gets_a_304_and_adds_nothing(
    kind, app, session, factory, feed_server, deepseek
):
    feed = Feed(kind, [ANNOUNCEMENT])
    watch(session, factory, serve(feed_server, "/feed", feed))
    run_watch_poll(app, NOW)

    summary = run_watch_poll(app, LATER)

    assert (summary.unchanged, summary.updated, summary.leads) == (1, 0, 0)
    second = feed_server.seen[-1].headers
    assert second["If-None-Match"] == feed.etag
    assert second["If-Modified-Since"] == feed.last_modified
    assert feed.answers == [200, 304]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Lead)) == 1
    assert len(lead_events(session)) == 1
    polled = session.scalars(select(Watch)).one()
    assert polled.last_fetched_at >= LATER
    assert polled.consecutive_failures == 0


def test_a_changed_feed_is_read_again_and_only_its_new_entries_are_matched(
    app, session, factory, feed_server, deepseek
):
    feed = Feed("rss", [ANNOUNCEMENT])
    watch(session, factory, serve(feed_server, "/feed", feed))
    run_watch_poll(app, NOW)
    follow_up = Item("urn:news:3", "DeepSeek V4 benchmarks published", "https://newsroom.example/b")
    feed.publish(follow_up)

    summary = run_watch_poll(app, LATER)

    assert (summary.updated, summary.leads) == (1, 1)
    assert feed.answers == [200, 200]
    session.expire_all()
    urls = sorted(session.scalars(select(Lead.url)))
    assert urls == sorted([ANNOUNCEMENT.link, follow_up.link])
    assert len(lead_events(session)) == 2


def test_a_poll_before_the_feed_is_due_again_asks_nothing(
    app, session, factory, feed_server, deepseek
):
    feed = Feed("atom", [ANNOUNCEMENT])
    watch(session, factory, serve(feed_server, "/feed", feed))
    run_watch_poll(app, NOW)

    summary = run_watch_poll(app, NOW + timedelta(minutes=5))

    assert str(summary).startswith("polled 0 feeds")
    assert feed.answers == [200]


@pytest.mark.parametrize(
    ("title", "why"),
    [
        ("Rain expected in Hangzhou", "no word of the term"),
        ("DeepSeek releases a new app", "only one word of the term"),
        ("V4 engines for the new jet", "only the other word"),
    ],
)
def test_an_entry_that_does_not_hold_every_word_of_a_term_makes_no_lead(
    app, session, factory, feed_server, deepseek, title, why
):
    feed = Feed("rss", [Item("urn:x", title, "https://newsroom.example/x")])
    watch(session, factory, serve(feed_server, "/feed", feed))

    summary = run_watch_poll(app, NOW)

    assert (summary.updated, summary.leads) == (1, 0), why
    assert session.scalar(select(func.count()).select_from(Lead)) == 0
    assert lead_events(session) == []


def test_resolved_claims_collect_no_leads(app, session, factory, feed_server, deepseek):
    from app.claims import resolve_claim

    resolve_claim(session, factory.reviewer, NOW, deepseek.id, "void", "Cancelled.")
    session.commit()
    watch(session, factory, serve(feed_server, "/feed", Feed("json", [ANNOUNCEMENT])))

    assert run_watch_poll(app, NOW).leads == 0


def test_a_watch_term_finds_what_the_subject_alone_would_not(app, session, factory, feed_server):
    claim = factory.claim(subject="Huawei", watch_terms=["Ascend 950"])
    session.commit()
    item = Item("urn:y", "The Ascend 950 ships", "https://chips.example/ascend-950")
    watch(session, factory, serve(feed_server, "/feed", Feed("rss", [item])))

    run_watch_poll(app, NOW)

    session.expire_all()
    [lead] = session.scalars(select(Lead)).all()
    assert (lead.claim_id, lead.matched_term) == (claim.id, "Ascend 950")


def test_a_failing_feed_backs_off_and_its_health_says_why(
    app, session, factory, feed_server, deepseek
):
    feed = Feed("rss", [ANNOUNCEMENT], status=503)
    watched = watch(session, factory, serve(feed_server, "/feed", feed))

    assert run_watch_poll(app, NOW).failed == 1
    with app.app_context():
        from app.unit_of_work import get_session

        state = read_watch(get_session().connection(), watched.id, NOW + timedelta(minutes=1))
    assert state.health.state == "failing"
    assert "the feed answered 503 Service Unavailable" in state.health.summary
    assert "it has never worked" in state.health.summary
    assert "next try in 29 minutes" in state.health.summary

    # Backed off: twice the interval after one failure, four times after two.
    assert str(run_watch_poll(app, NOW + timedelta(minutes=29))).startswith("polled 0 feeds")
    assert run_watch_poll(app, NOW + timedelta(minutes=31)).failed == 1
    session.expire_all()
    failing = session.get(Watch, watched.id)
    assert failing.consecutive_failures == 2
    assert failing.next_poll_at - failing.last_fetched_at == timedelta(hours=1)
    assert feed.answers == [503, 503]

    feed.status = 200
    summary = run_watch_poll(app, NOW + timedelta(minutes=92))
    assert (summary.updated, summary.leads) == (1, 1)
    session.expire_all()
    healed = session.get(Watch, watched.id)
    assert (healed.consecutive_failures, healed.last_error) == (0, None)


def test_an_answer_that_is_not_a_feed_is_a_failure_that_says_so(app, session, factory, feed_server):
    from tests.outbound.servers import reply

    feed_server.routes["/page"] = lambda h: reply(
        h, 200, b"<html><body>Our newsroom</body></html>", {"Content-Type": "text/html"}
    )
    watched = watch(session, factory, feed_server.url("/page"))

    run_watch_poll(app, NOW)

    session.expire_all()
    assert "not an RSS, Atom or JSON feed" in session.get(Watch, watched.id).last_error


def test_a_removed_watch_is_not_polled_and_keeps_its_leads(
    app, session, factory, feed_server, deepseek
):
    from app.watches import remove_watch

    feed = Feed("rss", [ANNOUNCEMENT])
    watched = watch(session, factory, serve(feed_server, "/feed", feed))
    run_watch_poll(app, NOW)
    remove_watch(session, factory.reviewer, NOW, watched.id)
    session.commit()

    assert str(run_watch_poll(app, LATER)).startswith("polled 0 feeds")
    assert feed.answers == [200]
    assert session.scalar(select(func.count()).select_from(Lead)) == 1

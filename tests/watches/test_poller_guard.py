"""The poller goes through app.outbound: without ALLOW_PRIVATE_URLS a feed on a private
address is refused before anything connects, and the watch's health says why.

The URL matrix itself (every spelling of loopback, private and link-local addresses, names
resolving to them, redirects to them) is proven on the guard in tests/outbound.
"""

from __future__ import annotations

from sqlalchemy import select

from app.models import Watch
from app.polling import run_watch_poll
from app.watches import add_watch
from app.watches.reads import read_watch
from tests.conftest import NOW
from tests.outbound.servers import reply


def test_a_watch_on_a_loopback_address_is_refused_and_nothing_is_fetched(
    make_app, session, factory, feed_server
):
    app = make_app()  # ALLOW_PRIVATE_URLS is off by default
    feed_server.routes["/feed"] = lambda h: reply(h, 200, b"<rss version='2.0'/>")
    watched = add_watch(session, factory.reviewer, NOW, feed_server.url("/feed"), "Internal")
    session.commit()

    summary = run_watch_poll(app, NOW)

    assert summary.failed == 1
    assert feed_server.connections == 0
    assert feed_server.seen == []
    session.expire_all()
    refused = session.scalars(select(Watch)).one()
    assert refused.last_error == "refused: 127.0.0.1 is a loopback address"
    assert refused.last_success_at is None
    with app.app_context():
        from app.unit_of_work import get_session

        health = read_watch(get_session().connection(), watched.id, NOW).health
    assert health.state == "failing"
    assert "refused: 127.0.0.1 is a loopback address" in health.summary


def test_with_allow_private_urls_the_same_watch_is_fetched(make_app, session, factory, feed_server):
    app = make_app(ALLOW_PRIVATE_URLS="1")
    feed_server.routes["/feed"] = lambda h: reply(
        h, 200, b"<rss version='2.0'><channel></channel></rss>"
    )
    add_watch(session, factory.reviewer, NOW, feed_server.url("/feed"), "Internal")
    session.commit()

    assert run_watch_poll(app, NOW).updated == 1
    assert feed_server.connections == 1

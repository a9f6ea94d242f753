"""`flask watches poll`: one pass, saying what it did feed by feed."""

from __future__ import annotations

from app.watches import add_watch
from tests.conftest import NOW
from tests.watches.feeds import Feed, Item, serve


def test_the_command_polls_once_and_prints_each_feed_and_the_total(
    runner, session, factory, feed_server, deepseek
):
    item = Item("urn:1", "DeepSeek V4 is out", "https://newsroom.example/v4")
    add_watch(session, factory.reviewer, NOW, serve(feed_server, "/a", Feed("rss", [item])), "A")
    add_watch(session, factory.reviewer, NOW, feed_server.url("/missing"), "B")
    session.commit()

    result = runner.invoke(args=["watches", "poll", "--now", NOW.isoformat()])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "A: updated, 1 new lead" in lines
    assert "B: the feed answered 404 Not Found" in lines
    assert lines[-1] == "polled 2 feeds: 0 unchanged, 1 answered, 1 failed; 1 new lead"

"""Two pollers at once, each with its own connection: every lead is written once, with one
`lead_found` event, whether they raced on the same answer, on the same article in two feeds,
or ran whole passes side by side."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.users import create_user
from app.claims import create_claim
from app.db import make_engine
from app.models import ClaimEvent, Lead, Watch
from app.outbound import OutboundClient, OutboundPolicy
from app.polling import poll_watches
from app.watches import add_watch
from app.watches.entry import FeedEntry, entry_key
from app.watches.polling import DueWatch, record_entries
from tests.conftest import NOW
from tests.databases import fresh_database
from tests.watches.feeds import Feed, Item, serve

CLAIMS = 40
ENTRIES = 120


def seed(url: str, watches: list[str]) -> None:
    """Claims "Product N" (N < CLAIMS) and the given watches, committed."""
    engine = make_engine(url)
    with Session(engine) as session:
        desk = create_user(session, NOW, "desk@newsroom.example", "reviewer", "Desk")
        for n in range(CLAIMS):
            values = {"statement": f"Product {n} ships", "subject": f"Product p{n}"}
            create_claim(session, desk, NOW, {**values, "expected_within": "P3W"})
        for watch_url in watches:
            add_watch(session, desk, NOW, watch_url)
        session.commit()
    engine.dispose()


def entries() -> list[FeedEntry]:
    """Entries naming every claim's product, three entries per product."""
    found = []
    for n in range(ENTRIES):
        link = f"https://news.example/{n}"
        title = f"Product p{n % CLAIMS} is out (story {n})"
        found.append(FeedEntry(entry_key(f"urn:{n}", link, title), link, title, "", NOW))
    return found


def together(url: str, work: Callable[[Session], None]) -> None:
    """`work` in two threads at once, each on its own engine and session."""
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def run() -> None:
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                session.execute(select(1)).all()  # connected before the start line
                session.rollback()
                barrier.wait(timeout=30)
                work(session)
                session.commit()
        except BaseException as exc:
            failures.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures


def counts(url: str) -> tuple[int, int, int]:
    """(leads, distinct (claim, url) among them, lead_found events)."""
    engine = make_engine(url)
    with Session(engine) as session:
        leads = session.scalar(select(func.count()).select_from(Lead))
        pairs = session.scalar(
            select(func.count()).select_from(select(Lead.claim_id, Lead.url).distinct().subquery())
        )
        events = session.scalar(select(func.count()).where(ClaimEvent.kind == "lead_found"))
    engine.dispose()
    return leads, pairs, events


def held(url: str, watch_id: int) -> DueWatch:
    engine = make_engine(url)
    with Session(engine) as session:
        watch = session.get(Watch, watch_id)
        due = DueWatch(watch.id, watch.name, watch.url, None, None)
    engine.dispose()
    return due


def test_two_pollers_recording_the_same_answer_write_each_lead_once(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        seed(url, ["https://news.example/feed"])
        watch = held(url, 1)
        together(url, lambda s: record_entries(s, watch, "x", NOW, entries(), None, None))
        assert counts(url) == (ENTRIES, ENTRIES, ENTRIES)


def test_the_same_article_in_two_feeds_polled_at_once_is_one_lead(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        seed(url, ["https://news.example/feed", "https://wire.example/feed"])
        first, second = held(url, 1), held(url, 2)
        turn = iter([first, second])
        lock = threading.Lock()

        def record(session: Session) -> None:
            with lock:
                watch = next(turn)
            record_entries(session, watch, "x", NOW, entries(), None, None)

        together(url, record)
        assert counts(url) == (ENTRIES, ENTRIES, ENTRIES)


def test_two_whole_passes_at_once_fetch_each_feed_once(backend, tmp_path, feed_server):
    feeds = [Feed("rss") for _ in range(6)]
    for n, feed in enumerate(feeds):
        feed.items = [
            Item(f"urn:{n}:{i}", f"Product p{i} is out", f"https://news.example/{n}/{i}")
            for i in range(CLAIMS)
        ]
    urls = [serve(feed_server, f"/feed{n}", feed) for n, feed in enumerate(feeds)]
    policy = OutboundPolicy(allow_private=True, timeout=5)
    with fresh_database(backend, tmp_path) as url:
        seed(url, urls)

        def poll(session: Session) -> None:
            with OutboundClient(policy) as client:
                poll_watches(session, datetime.now(UTC), client, batch=2, fetchers=2)

        together(url, poll)
        assert [feed.answers for feed in feeds] == [[200]] * len(feeds)
        assert counts(url) == (CLAIMS * len(feeds), CLAIMS * len(feeds), CLAIMS * len(feeds))

"""The watch poll as a job: every due feed fetched through `app.outbound` (conditional GET),
its answer read and recorded, each feed committed on its own.

The scheduler runs `run_watch_poll(app, now)` every WATCH_INTERVAL; `flask watches poll` runs
it once. Feeds are fetched a few at a time in threads (a slow feed does not hold up the
others); the answers are recorded on this thread's session, each feed with news or a failure
committed on its own, the unchanged ones (304) together at the end of their batch.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import NamedTuple

from flask import Flask
from sqlalchemy.orm import Session

from app.outbound import OutboundClient, OutboundError, OutboundPolicy
from app.unit_of_work import job_session
from app.watches.entry import FeedEntry
from app.watches.errors import FeedError
from app.watches.feeds import parse_feed
from app.watches.polling import (
    DueWatch,
    claim_due_watches,
    new_lease_owner,
    record_entries,
    record_failure,
    record_unchanged,
)

log = logging.getLogger(__name__)

BATCH = 50
FETCHERS = 8


@dataclass
class PollSummary:
    """What one pass did, feed by feed (`lines`) and in total."""

    unchanged: int = 0
    updated: int = 0
    failed: int = 0
    leads: int = 0
    lines: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        polled = self.unchanged + self.updated + self.failed
        return (
            f"polled {polled} feed{'s' if polled != 1 else ''}: {self.unchanged} unchanged, "
            f"{self.updated} answered, {self.failed} failed; {self.leads} new "
            f"lead{'s' if self.leads != 1 else ''}"
        )


class Answer(NamedTuple):
    """A feed's answer as far as it could be read: a 304, entries, or why neither."""

    status: int | None
    entries: list[FeedEntry]
    etag: str | None
    last_modified: str | None
    error: str | None


def fetch(client: OutboundClient, watch: DueWatch) -> Answer:
    """Ask the feed (with its validators) and read what it says; never raises for the feed's
    faults, which become the answer's `error`."""
    try:
        result = client.get(watch.url, headers=watch.conditional_headers())
    except OutboundError as exc:
        return Answer(None, [], None, None, str(exc))
    if result.status == 304:
        return Answer(304, [], None, None, None)
    if result.status != 200:
        return Answer(result.status, [], None, None, f"the feed answered {_status(result.status)}")
    try:
        entries = parse_feed(result.body, result.headers.get("content-type", ""), result.final_url)
    except FeedError as exc:
        return Answer(200, [], None, None, str(exc))
    except Exception as exc:  # a parser's bug on one odd feed must not stop the whole pass
        log.exception("watches: reading %s failed", watch.url)
        return Answer(200, [], None, None, f"the feed could not be read ({type(exc).__name__})")
    headers = result.headers
    return Answer(200, entries, headers.get("etag"), headers.get("last-modified"), None)


def _status(code: int) -> str:
    """`503 Service Unavailable`, or the bare number of a status Python does not name."""
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


def record(
    session: Session, watch: DueWatch, owner: str, now: datetime, answer: Answer
) -> tuple[str, int]:
    """Record an answer with news or a failure; returns what happened ("updated" or "failed")
    and the number of new leads."""
    if answer.error is not None:
        record_failure(session, watch, owner, now, answer.error)
        return "failed", 0
    found = record_entries(
        session, watch, owner, now, answer.entries, answer.etag, answer.last_modified
    )
    return "updated", len(found)


def _answers(
    client: OutboundClient, due: list[DueWatch], fetchers: int
) -> Iterator[tuple[DueWatch, Answer]]:
    if fetchers <= 1 or len(due) == 1:
        for watch in due:
            yield watch, fetch(client, watch)
        return
    # Each thread asks its share of the batch in turn: far fewer hand-offs between threads
    # than one task per feed, which cost more CPU than the requests themselves.
    shares = [due[start::fetchers] for start in range(fetchers)]
    with ThreadPoolExecutor(max_workers=fetchers, thread_name_prefix="watch") as pool:
        answered = pool.map(lambda share: [fetch(client, watch) for watch in share], shares)
        for share, answers in zip(shares, answered, strict=True):
            yield from zip(share, answers, strict=True)


def poll_watches(
    session: Session,
    now: datetime,
    client: OutboundClient,
    *,
    batch: int = BATCH,
    fetchers: int = FETCHERS,
) -> PollSummary:
    """Poll every watch due at `now`, a leased batch at a time. A feed with news or a failure
    is committed as soon as it is recorded; the feeds that answered 304, whose only change is
    when they were checked, are recorded together at the end of their batch."""
    summary = PollSummary()
    owner = new_lease_owner()
    started = time.monotonic()
    while True:
        due = claim_due_watches(session, now, owner, batch)
        session.commit()
        unchanged: list[tuple[DueWatch, datetime]] = []
        for watch, answer in _answers(client, due, fetchers):
            # Time moves on during a long pass: each answer is recorded at its own moment.
            at = now + timedelta(seconds=time.monotonic() - started)
            if answer.status == 304 and answer.error is None:
                unchanged.append((watch, at))
                summary.lines.append(f"{watch.name}: unchanged")
                continue
            outcome, leads = record(session, watch, owner, at, answer)
            session.commit()
            setattr(summary, outcome, getattr(summary, outcome) + 1)
            summary.leads += leads
            said = answer.error or f"{outcome}, {leads} new lead{'s' if leads != 1 else ''}"
            summary.lines.append(f"{watch.name}: {said}")
            if answer.error:
                log.info("watches: %s (%s) failed: %s", watch.name, watch.url, answer.error)
        record_unchanged(session, unchanged, owner)
        session.commit()
        summary.unchanged += len(unchanged)
        if len(due) < batch:
            return summary


def outbound_policy(app: Flask) -> OutboundPolicy:
    """The rules of outgoing requests, with ALLOW_PRIVATE_URLS from the settings."""
    return OutboundPolicy(allow_private=bool(app.config["ALLOW_PRIVATE_URLS"]))


def run_watch_poll(app: Flask, now: datetime) -> PollSummary:
    """The scheduler's and `flask watches poll`'s run."""
    with job_session(app) as session, OutboundClient(outbound_policy(app)) as client:
        return poll_watches(session, now, client)

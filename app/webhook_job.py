"""One webhook pass: new events become deliveries, then due deliveries are claimed and sent.

The scheduler calls `run_webhook_pass(app, now)` every minute; `flask webhooks send` calls it
once. Each outcome is committed as soon as it is known, so a crash repeats at most the one
delivery in flight per endpoint (with the same `webhook-id`, after its lease lapses).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.outbound import OutboundClient
from app.unit_of_work import get_db, job_session
from app.webhooks import outbox
from app.webhooks.endpoints import switch_off
from app.webhooks.fanout import fan_out
from app.webhooks.sender import BatchSender, Outcome
from app.webhooks.settings import outbound_policy, secret_box

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(minutes=5)
DEFAULT_BATCH = 100
DEFAULT_WORKERS = 4
DEFAULT_TIMEOUT = 10.0


@dataclass
class WebhookPassSummary:
    """What one pass did."""

    queued: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    switched_off: list[int] = field(default_factory=list)
    given_back: int = 0

    def __str__(self) -> str:
        text = (
            f"{self.queued} queued, {self.delivered} delivered, {self.retried} to retry, "
            f"{self.failed} failed"
        )
        if self.switched_off:
            text += f"; switched off (410): {', '.join(map(str, self.switched_off))}"
        return text


def _setting(app: Flask, name: str, default: float) -> float:
    """A tuning knob from app.config or the environment (tests shorten the lease)."""
    raw = app.config.get(name, os.environ.get(name))
    if raw is None:
        return default
    value = float(raw)
    if value <= 0:
        raise ValueError(f"{name} must be positive")
    return value


@contextlib.contextmanager
def pass_session(app: Flask) -> Iterator[Session]:
    """The pass's session, on one connection kept for the whole pass.

    On PostgreSQL that connection does not wait for the WAL flush of its commits: the pass
    commits once per delivery, and the wait would be most of a delivery's cost. A crash of
    the sender loses nothing this way (the server has the commit); a crash of the database
    server can forget the last fraction of a second of outcomes, and those deliveries are
    sent again, with the same webhook-id.
    """
    db = get_db(app)
    if isinstance(db.bind, Connection) or db.engine.dialect.name != "postgresql":
        with job_session(app) as session:
            yield session
        return
    with app.app_context(), db.bind.connect() as connection:
        connection.exec_driver_sql("SET synchronous_commit = off")
        connection.commit()
        try:
            with Session(bind=connection, expire_on_commit=False) as session:
                yield session
        finally:
            connection.rollback()
            connection.exec_driver_sql("RESET synchronous_commit")
            connection.commit()


def run_webhook_pass(app: Flask, now: datetime) -> WebhookPassSummary:
    """Fan out new events, then send every delivery due at `now`."""
    lease = timedelta(seconds=_setting(app, "WEBHOOK_LEASE_SECONDS", DEFAULT_LEASE.seconds))
    batch = int(_setting(app, "WEBHOOK_BATCH_SIZE", DEFAULT_BATCH))
    workers = int(_setting(app, "WEBHOOK_WORKERS", DEFAULT_WORKERS))
    timeout = _setting(app, "WEBHOOK_TIMEOUT_SECONDS", DEFAULT_TIMEOUT)
    summary = WebhookPassSummary()
    started = time.monotonic()

    def clock() -> datetime:
        # Time moves on during a long pass: leases and retries count from the real moment.
        return now + timedelta(seconds=time.monotonic() - started)

    with pass_session(app) as session:
        summary.queued = fan_out(session, now)
        session.commit()
        owner = outbox.new_lease_owner()
        policy = outbound_policy(app.config, timeout)
        with OutboundClient(policy) as client:
            sender = BatchSender(client, secret_box(app.config), app.config["PUBLIC_URL"], clock)
            while True:
                works = outbox.claim_batch(session, clock(), owner, lease, batch)
                session.commit()
                if not works:
                    break
                _send(session, sender, works, owner, lease, workers, summary)
    return summary


def _send(
    session: Session,
    sender: BatchSender,
    works: list[outbox.Work],
    owner: str,
    lease: timedelta,
    workers: int,
    summary: WebhookPassSummary,
) -> None:
    """Send one claimed batch, committing each outcome as it comes."""
    untried: list[int] = []
    paused: list[int] = []

    def on_outcome(outcome: Outcome) -> None:
        work, attempt = outcome.work, outcome.attempt
        if attempt is None:
            (paused if outcome.pause else untried).append(work.delivery_id)
            return
        recorded, decision = outbox.record(session, work, attempt, owner)
        if not recorded:
            log.warning("webhooks: lease on %s lapsed before its outcome", work.delivery_id)
        elif decision["status"] == "delivered":
            summary.delivered += 1
        elif decision["status"] == "pending":
            summary.retried += 1
        else:
            summary.failed += 1
        if decision["outcome"] == "gone" and switch_off(
            session, work.endpoint_id, attempt.at, "answered 410 Gone: the receiver is gone"
        ):
            summary.switched_off.append(work.endpoint_id)
            log.warning("webhooks: endpoint %s answered 410; switched off", work.endpoint_id)
        session.commit()

    stop_at = time.monotonic() + lease.total_seconds() / 2
    sender.run(works, stop_at, workers, on_outcome)
    outbox.release(session, untried, owner, pause=False)
    outbox.release(session, paused, owner, pause=True)
    session.commit()
    summary.given_back += len(untried) + len(paused)

"""One webhook pass: new events become deliveries, then due deliveries are claimed and sent.

The scheduler calls `run_webhook_pass(app, now)` every minute; `flask webhooks send` calls it
once. Each outcome is committed as soon as it is known, so a crash repeats at most the one
delivery in flight per endpoint (with the same `webhook-id`, after its lease lapses).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
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
# Larger batches spread the claim statements over more deliveries; the lease bounds how long
# one may take (sending stops at half of it and gives the rest back).
DEFAULT_BATCH = 500
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

    def count(self, state: str, switched_off: int | None) -> None:
        """One recorded outcome: its row's new state, and the endpoint a 410 switched off."""
        if state == "delivered":
            self.delivered += 1
        elif state == "pending":
            self.retried += 1
        else:
            self.failed += 1
        if switched_off is not None:
            self.switched_off.append(switched_off)
            log.warning("webhooks: endpoint %s answered 410; switched off", switched_off)

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


class OutboxSteps:
    """Where a pass's outbox steps run, each committed as it is done.

    PostgreSQL: connections of the pass's own, in autocommit, so each step (one statement) is
    its own transaction without BEGIN and COMMIT round trips; one per sending thread, so
    endpoints are sent to in parallel, each recording its outcomes on its own connection. They
    do not wait for the WAL flush of their commits, which would be most of a delivery's cost:
    a crash of the sender loses nothing this way (the server has the commit); a crash of the
    database server can forget the last fraction of a second of outcomes, and those
    deliveries are sent again, with the same webhook-id. Elsewhere (SQLite, the tests' shared
    connection): the session's connection, committed after each step, from one thread.
    """

    def __init__(self, session: Session, bind: Engine | None = None) -> None:
        self.session = session
        self.parallel = bind is not None
        self._bind = bind
        self._local = threading.local()
        self._opened: list[Connection] = []
        self._lock = threading.Lock()

    def connection(self) -> Connection:
        if self._bind is None:
            return self.session.connection()
        connection: Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._bind.connect().execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("SET synchronous_commit = off")
            self._local.connection = connection
            with self._lock:
                self._opened.append(connection)
        return connection

    def commit(self) -> None:
        if self._bind is None:
            self.session.commit()

    def close(self) -> None:
        for connection in self._opened:
            with contextlib.suppress(DBAPIError):
                connection.exec_driver_sql("RESET synchronous_commit")
            connection.close()


@contextlib.contextmanager
def pass_database(app: Flask) -> Iterator[tuple[Session, OutboxSteps]]:
    """The pass's session (the fan-out's transaction), and its outbox steps."""
    db = get_db(app)
    with job_session(app) as session:
        bind = db.bind if isinstance(db.bind, Engine) else None
        steps = OutboxSteps(session, bind if db.engine.dialect.name == "postgresql" else None)
        try:
            yield session, steps
        finally:
            steps.close()


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

    with pass_database(app) as (session, steps):
        summary.queued = fan_out(session, now)
        session.commit()
        if not steps.parallel:
            workers = 1
        owner = outbox.new_lease_owner()
        policy = outbound_policy(app.config, timeout)
        with OutboundClient(policy) as client:
            sender = BatchSender(client, secret_box(app.config), app.config["PUBLIC_URL"], clock)
            try:
                while True:
                    works = outbox.claim_batch(steps.connection(), clock(), owner, lease, batch)
                    steps.commit()
                    if not works:
                        break
                    _send(steps, sender, works, owner, lease, workers, summary)
            finally:
                sender.close()
    return summary


def _send(
    steps: OutboxSteps,
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
    counting = threading.Lock()

    def on_outcomes(outcomes: list[Outcome]) -> None:
        tried = []
        for outcome in outcomes:
            if outcome.attempt is None:
                (paused if outcome.pause else untried).append(outcome.work.delivery_id)
            else:
                tried.append((outcome.work, outcome.attempt))
        recorded, decisions = outbox.record(steps.connection(), tried, owner)
        steps.commit()
        if recorded < len(tried):
            log.warning("webhooks: %d lease(s) lapsed before the outcome", len(tried) - recorded)
        for (work, attempt), decision in zip(tried, decisions, strict=True):
            gone = decision["outcome"] == "gone" and switch_off(
                steps.connection(), work.endpoint_id, attempt.at, "answered 410 Gone"
            )
            steps.commit()
            with counting:
                summary.count(decision["status"], work.endpoint_id if gone else None)

    stop_at = time.monotonic() + lease.total_seconds() / 2
    sender.run(works, stop_at, workers, on_outcomes)
    outbox.release(steps.connection(), untried, owner, pause=False)
    outbox.release(steps.connection(), paused, owner, pause=True)
    steps.commit()
    summary.given_back += len(untried) + len(paused)

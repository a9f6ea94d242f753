"""One digest pass: create due outbox rows, then claim, build, render and send them in batches.

The scheduler calls `run_digest_pass(app, now)` every minute; `flask digests send` calls it
once. Each row is committed as soon as its message is accepted, so a crash repeats at most the
one message in flight (with the same Message-ID, after its lease lapses).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.claims.policy import policy_of
from app.digests import outbox
from app.mail.content import DigestContent, SectionCache, build_digests, readers_of
from app.mail.mime import UnsendableMessage
from app.mail.render import MailSettings, render_digest
from app.mail.transport import (
    Closing,
    ConnectionFailure,
    PermanentFailure,
    TemporaryFailure,
    Transport,
    open_transport,
)
from app.models import DigestDelivery
from app.unit_of_work import job_session

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(minutes=5)
DEFAULT_BATCH = 100


@dataclass
class DigestPassSummary:
    """What one pass did; `previews` is filled by a dry run only."""

    enqueued: int = 0
    sent: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    previews: list[DigestContent] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.sent} sent, {self.skipped} skipped (nothing to say), "
            f"{self.retried} to retry, {self.failed} failed"
        )


def _setting(app: Flask, name: str, default: float) -> float:
    """A tuning knob from app.config or the environment (tests shorten the lease)."""
    raw = app.config.get(name, os.environ.get(name))
    if raw is None:
        return default
    value = float(raw)
    if value <= 0:
        raise ValueError(f"{name} must be positive")
    return value


def message_domain(app: Flask) -> str:
    return app.config["MAIL_FROM"].rsplit("@", 1)[-1].strip(" >") or "localhost"


def run_digest_pass(app: Flask, now: datetime, dry_run: bool = False) -> DigestPassSummary:
    """Send every digest due at `now`; with `dry_run`, build them and change nothing."""
    lease = timedelta(seconds=_setting(app, "DIGEST_LEASE_SECONDS", DEFAULT_LEASE.seconds))
    batch = int(_setting(app, "DIGEST_BATCH_SIZE", DEFAULT_BATCH))
    summary = DigestPassSummary()
    with job_session(app) as session:
        summary.enqueued = outbox.enqueue_due_digests(session, now, message_domain(app))
        if dry_run:
            summary.previews = _due_contents(session, now)
            session.rollback()
            return summary
        session.commit()
        owner = outbox.new_lease_owner()
        started = time.monotonic()
        cache = SectionCache()
        transport = open_transport(app.config.get("SMTP_URL"), Path(app.instance_path))
        with Closing(transport):
            while True:
                # Time moves on during a long pass: leases are measured from the real moment.
                batch_now = now + timedelta(seconds=time.monotonic() - started)
                claimed = outbox.claim_batch(session, batch_now, owner, lease, batch)
                session.commit()
                if not claimed:
                    break
                if not _send_batch(
                    app, session, transport, claimed, owner, batch_now, summary, cache
                ):
                    break  # no connection: the rest waits for the next pass
    return summary


def _due_contents(session: Session, now: datetime) -> list[DigestContent]:
    ids = session.scalars(
        select(DigestDelivery.id).where(
            DigestDelivery.status == "pending", DigestDelivery.next_attempt_at <= now
        )
    ).all()
    return build_digests(session, readers_of(session, ids))


def _send_batch(
    app: Flask,
    session: Session,
    transport: Transport,
    claimed: dict[int, int],
    owner: str,
    now: datetime,
    summary: DigestPassSummary,
    cache: SectionCache,
) -> bool:
    """Send one claimed batch; False when the server could not be reached."""
    skip_empty = bool(app.config.get("DIGEST_SKIP_EMPTY", True))
    policy = policy_of(session)
    started = time.monotonic()
    mail = MailSettings.from_config(app.config)
    sender = parseaddr(mail.mail_from)[1]
    contents = build_digests(session, readers_of(session, list(claimed)), cache)
    # Never hold a transaction open across SMTP exchanges: on SQLite it holds the one write
    # lock (BEGIN IMMEDIATE) and would stall every other writer for the whole batch.
    session.commit()
    for index, content in enumerate(contents):
        delivery_id = content.delivery_id
        assert delivery_id is not None
        if content.is_empty and skip_empty:
            outbox.mark_skipped(session, delivery_id, owner, now)
            summary.skipped += 1
            session.commit()
            continue
        try:
            # Dated when it is sent (not when its period began), and "closes in 3 days" as
            # of then.
            sent_at = now + timedelta(seconds=time.monotonic() - started)
            rendered = render_digest(content, mail, sent_at, policy)
        except UnsendableMessage as exc:
            # No attempt can succeed: fail the row now, with the reason, and go on.
            outbox.mark_failed(session, delivery_id, owner, str(exc))
            summary.failed += 1
            session.commit()
            log.warning("digests: cannot send to %s: %s", content.email, exc)
            continue
        try:
            transport.send(sender, rendered.recipient, rendered.data, rendered.message_id)
        except ConnectionFailure as exc:
            # The server is unreachable: defer this row and every one after it in the batch.
            for waiting in contents[index:]:
                assert waiting.delivery_id is not None
                attempts = claimed[waiting.delivery_id]
                outbox.mark_retry(session, waiting.delivery_id, owner, now, attempts, str(exc))
                summary.retried += 1
            session.commit()
            log.warning("digests: %s; %d deferred", exc, len(contents) - index)
            return False
        except TemporaryFailure as exc:
            outbox.mark_retry(session, delivery_id, owner, now, claimed[delivery_id], str(exc))
            summary.retried += 1
        except PermanentFailure as exc:
            outbox.mark_failed(session, delivery_id, owner, str(exc))
            summary.failed += 1
            log.warning("digests: %s refused for good: %s", content.email, exc)
        else:
            if not outbox.mark_sent(session, delivery_id, owner, now):
                log.warning("digests: lease on delivery %s lapsed before it was sent", delivery_id)
            summary.sent += 1
        session.commit()
    return True

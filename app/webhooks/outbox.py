"""The delivery outbox: claiming due rows with a lease, and recording each attempt.

Every state change is one conditional statement (`WHERE lease_owner = <us> AND status =
'pending'`), so two senders never take the same row and a sender whose lease has lapsed cannot
overwrite the work of the one that took over. An attempt is recorded in the same UPDATE that
changes the row's state (its log is a JSON list in the row), so recording costs one statement.
Each function is Core on the connection given: on PostgreSQL the job runs them in autocommit,
each statement its own transaction.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, bindparam, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

from app.db import UTCDateTime
from app.models import WebhookDelivery, WebhookEndpoint, WebhookMessage
from app.wire import dumps, rfc3339

MAX_ATTEMPTS = 12
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=8)
JITTER = 0.1
# How much of an answer's body is kept (bytes, before decoding).
ANSWER_KEPT = 500


def retry_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    """After the n-th failed attempt: 1, 2, 4 ... minutes, at most 8 hours, each ±10% so that
    the retries of many deliveries spread out. With 12 attempts the last one comes about a day
    (24.5 hours) after the first."""
    base = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)
    return base * (rng or random).uniform(1 - JITTER, 1 + JITTER)


@dataclass(frozen=True)
class Work:
    """A claimed delivery with all it takes to send it."""

    delivery_id: int
    attempts: int
    webhook_id: str
    endpoint_id: int
    url: str
    format: str
    key_id: str
    ciphertext: str
    type: str
    payload: str


@dataclass(frozen=True)
class Attempt:
    """What one attempt found: an answer (status, the start of its body) or an error."""

    at: datetime
    duration_ms: int
    status: int | None
    answer: str | None
    error: str | None
    sent: bool = True


def new_lease_owner() -> str:
    return secrets.token_hex(8)


def claim_batch(
    connection: Connection, now: datetime, owner: str, lease: timedelta, limit: int
) -> list[Work]:
    """Lease up to `limit` due deliveries of active endpoints that no live sender holds."""
    d = WebhookDelivery.__table__
    active = (
        select(WebhookEndpoint.id)
        .where(WebhookEndpoint.id == d.c.endpoint_id, WebhookEndpoint.active.is_(True))
        .exists()
    )
    claimable = (
        select(d.c.id)
        .where(
            d.c.status == "pending",
            d.c.next_attempt_at <= now,
            or_(d.c.lease_until.is_(None), d.c.lease_until <= now),
            active,
        )
        # Oldest message first, every endpoint's delivery of it together: a backlog for one
        # endpoint does not hold up the others, and a batch spans endpoints (sent in parallel).
        .order_by(d.c.next_attempt_at, d.c.message_id, d.c.endpoint_id)
        .limit(limit)
    )
    if connection.dialect.name == "postgresql":
        # Rows another sender is claiming right now are skipped, not waited for.
        claimable = claimable.with_for_update(skip_locked=True, of=d)
    claimed = connection.execute(
        update(d)
        .where(d.c.id.in_(claimable.scalar_subquery()))
        .values(lease_owner=owner, lease_until=now + lease, attempts=d.c.attempts + 1)
        .returning(d.c.id)
    ).scalars()
    ids = sorted(claimed)
    if not ids:
        return []
    e, m = WebhookEndpoint.__table__, WebhookMessage.__table__
    rows = connection.execute(
        select(
            d.c.id,
            d.c.attempts,
            d.c.webhook_id,
            e.c.id,
            e.c.url,
            e.c.format,
            e.c.secret_key_id,
            e.c.secret_ciphertext,
            m.c.type,
            m.c.payload,
        )
        .join(e, e.c.id == d.c.endpoint_id)
        .join(m, m.c.id == d.c.message_id)
        .where(d.c.id.in_(ids))
        .order_by(d.c.next_attempt_at, d.c.message_id, d.c.endpoint_id)
    )
    return [Work(*row) for row in rows]


class append_attempt(FunctionElement[Any]):
    """`attempt_log` with one more entry (given as JSON text) at its end."""

    inherit_cache = True


@compiles(append_attempt, "postgresql")
def _append_pg(element: append_attempt, compiler: SQLCompiler, **kw: Any) -> str:
    log, entry = (compiler.process(c, **kw) for c in element.clauses)
    return f"({log} || jsonb_build_array(CAST({entry} AS JSONB)))"


@compiles(append_attempt, "sqlite")
def _append_sqlite(element: append_attempt, compiler: SQLCompiler, **kw: Any) -> str:
    log, entry = (compiler.process(c, **kw) for c in element.clauses)
    return f"json_insert({log}, '$[#]', json({entry}))"


_TABLE = WebhookDelivery.__table__
# Built once: it runs once per delivery.
_RECORD = (
    update(_TABLE)
    .where(
        _TABLE.c.id == bindparam("delivery_id"),
        _TABLE.c.lease_owner == bindparam("owner"),
        _TABLE.c.status == "pending",
    )
    .values(
        status=bindparam("status"),
        attempt_log=append_attempt(_TABLE.c.attempt_log, bindparam("entry", type_=String())),
        last_status=bindparam("last_status"),
        last_answer=bindparam("last_answer"),
        last_error=bindparam("last_error"),
        next_attempt_at=bindparam("next_attempt_at", type_=UTCDateTime()),
        completed_at=bindparam("completed_at", type_=UTCDateTime()),
        lease_owner=None,
        lease_until=None,
    )
)


def decide(attempt: Attempt, attempts: int, rng: random.Random | None = None) -> dict[str, Any]:
    """The row's new state after `attempt` (its `attempts`-th in this round)."""
    status = attempt.status
    if status is not None and 200 <= status < 300:
        return {"status": "delivered", "outcome": "delivered", "next": None}
    if status == 410:
        return {"status": "failed", "outcome": "gone", "next": None}
    if attempts >= MAX_ATTEMPTS:
        return {"status": "failed", "outcome": "failed", "next": None}
    outcome = "retry" if attempt.sent else "deferred"
    return {
        "status": "pending",
        "outcome": outcome,
        "next": attempt.at + retry_delay(attempts, rng),
    }


def record(
    connection: Connection, attempts: list[tuple[Work, Attempt]], owner: str
) -> tuple[int, list[dict[str, Any]]]:
    """Record each attempt on its row, if this sender still holds it, in one statement (one
    parameter set per row): how many rows took it, and each row's decision."""
    decisions, rows = [], []
    for work, attempt in attempts:
        decision = decide(attempt, work.attempts)
        error = attempt.error
        if decision["outcome"] == "failed":
            error = f"gave up after {work.attempts} attempts: {error or f'status {attempt.status}'}"
        entry = {
            "at": rfc3339(attempt.at),
            "duration_ms": attempt.duration_ms,
            "status": attempt.status,
            "answer": attempt.answer,
            "error": error,
            "outcome": decision["outcome"],
        }
        if decision["next"] is not None:
            entry["next_attempt_at"] = rfc3339(decision["next"])
        decisions.append(decision)
        rows.append(
            {
                "delivery_id": work.delivery_id,
                "owner": owner,
                "status": decision["status"],
                "entry": dumps(entry).decode("utf-8"),
                "last_status": attempt.status,
                "last_answer": attempt.answer,
                "last_error": error,
                "next_attempt_at": decision["next"] or attempt.at,
                "completed_at": None if decision["next"] else attempt.at,
            }
        )
    if not rows:
        return 0, []
    result = connection.execute(_RECORD, rows)
    return result.rowcount, decisions


def release(connection: Connection, delivery_ids: list[int], owner: str, *, pause: bool) -> None:
    """Give back rows this sender claimed but did not try (the attempt is not counted);
    `pause` when their endpoint has just been switched off."""
    if not delivery_ids:
        return
    values: dict[str, Any] = {
        "lease_owner": None,
        "lease_until": None,
        "attempts": _TABLE.c.attempts - 1,
    }
    if pause:
        values["status"] = "paused"
    connection.execute(
        update(_TABLE)
        .where(
            _TABLE.c.id.in_(delivery_ids),
            _TABLE.c.lease_owner == owner,
            _TABLE.c.status == "pending",
        )
        .values(**values)
    )


def answer_excerpt(body: bytes) -> str:
    """The start of an answer's body as text a log can show (no NUL: PostgreSQL refuses it)."""
    text = body[:ANSWER_KEPT].decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    return text + ("…" if len(body) > ANSWER_KEPT else "")

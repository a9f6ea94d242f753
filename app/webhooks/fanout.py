"""New events become deliveries: one message per event, one delivery per (endpoint, message).

Each pass looks at the events after `done_upto` (the webhook_fanout row), builds the messages of
those some active endpoint wants, and inserts each endpoint's deliveries with one
INSERT ... SELECT that skips rows already there, so two schedulers at once create each
delivery once and a pass with nothing new costs a handful of statements.

Why not simply "every event after the newest one seen": on PostgreSQL an event's id is drawn
when it is inserted, and a transaction that drew 100 may commit after one that drew 101. So a
pass records the newest id it saw and the first transaction id not yet started then
(`pg_current_snapshot()`); a later pass whose oldest running transaction is past that
knows nothing at or below that id can still appear, and only then moves `done_upto` there.
Until then those events are looked at again (cheaply: their deliveries exist). An event's id
is drawn after its transaction wrote the claim row, so that transaction already has an id.
The running transactions are the whole server's: one left open anywhere (a long report, an
idle session) holds `done_upto` back, and passes look at more events meanwhile; nothing is
lost.
SQLite has one writer at a time and gives ids in commit order: what a pass sees is final.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, exists, literal, literal_column, select, text, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import String

from app.db import UTCDateTime, insert_ignoring_conflicts
from app.models import (
    ClaimEvent,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFanout,
    WebhookMessage,
)
from app.webhooks.messages import event_messages, message_type

PAGE = 500


class new_webhook_id(FunctionElement[str]):
    """A fresh `webhook-id` (`msg_` + 32 hex digits), made by the database for each row."""

    type = String()
    inherit_cache = True


@compiles(new_webhook_id, "postgresql")
def _new_webhook_id_pg(element: new_webhook_id, compiler: SQLCompiler, **kw: Any) -> str:
    return "('msg_' || replace(CAST(gen_random_uuid() AS TEXT), '-', ''))"


@compiles(new_webhook_id, "sqlite")
def _new_webhook_id_sqlite(element: new_webhook_id, compiler: SQLCompiler, **kw: Any) -> str:
    return "('msg_' || lower(hex(randomblob(16))))"


_STATE_PG = text(
    "SELECT coalesce((SELECT max(id) FROM claim_events), 0),"
    " CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS TEXT) AS BIGINT),"
    " CAST(CAST(pg_snapshot_xmax(pg_current_snapshot()) AS TEXT) AS BIGINT),"
    " done_upto, seen_upto, seen_xmax FROM webhook_fanout WHERE id = 1"
)
_STATE_SQLITE = text(
    "SELECT coalesce((SELECT max(id) FROM claim_events), 0), NULL, NULL,"
    " done_upto, seen_upto, seen_xmax FROM webhook_fanout WHERE id = 1"
)


def fan_out(session: Session, now: datetime) -> int:
    """Create the deliveries of every event not yet fanned out; returns how many were made.

    Flushes, never commits: the caller commits the deliveries and the cursor together.
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    # One statement, one snapshot: the newest event, the running transactions, the cursor.
    upto, xmin, xmax, done, seen_upto, seen_xmax = session.execute(
        _STATE_PG if postgres else _STATE_SQLITE
    ).one()
    endpoints = session.execute(
        select(WebhookEndpoint.id, WebhookEndpoint.event_kinds, WebhookEndpoint.events_after)
        .where(WebhookEndpoint.active.is_(True))
        .order_by(WebhookEndpoint.id)
    ).all()
    lows = {e.id: max(done, e.events_after) for e in endpoints}
    made = 0
    if endpoints and min(lows.values()) < upto:
        _make_messages(session, endpoints, lows, upto, now)
        for endpoint in endpoints:
            if lows[endpoint.id] < upto:
                made += _make_deliveries(session, endpoint, lows[endpoint.id], upto, now)
    settled = settled_upto(postgres, upto, done, seen_upto, seen_xmax, xmin)
    fanout = WebhookFanout.__table__
    session.execute(
        update(fanout)
        .where(fanout.c.id == 1)
        .values(
            done_upto=case((fanout.c.done_upto < settled, settled), else_=fanout.c.done_upto),
            seen_upto=upto,
            seen_xmax=xmax,
        )
    )
    return made


def settled_upto(
    postgres: bool, upto: int, done: int, seen_upto: int, seen_xmax: int | None, xmin: int | None
) -> int:
    """How far events are final: what this pass saw (SQLite); on PostgreSQL what the last
    pass saw once every transaction then running has ended, else where it stood."""
    if not postgres:
        return upto
    if seen_xmax is not None and xmin is not None and xmin >= seen_xmax:
        return max(done, min(seen_upto, upto))
    return done


def _wants(kinds: list[str] | None, kind: str) -> bool:
    return kinds is None or kind in kinds


def _make_messages(
    session: Session, endpoints: list[Any], lows: dict[int, int], upto: int, now: datetime
) -> None:
    """The message of every event in the window that some endpoint wants and that has none."""
    events = ClaimEvent.__table__
    messages = WebhookMessage.__table__
    dialect = session.get_bind().dialect.name
    after = min(lows.values())
    while True:
        page = session.execute(
            select(events.c.id, events.c.kind)
            .where(
                events.c.id > after,
                events.c.id <= upto,
                ~exists().where(messages.c.event_id == events.c.id),
            )
            .order_by(events.c.id)
            .limit(PAGE)
        ).all()
        if not page:
            return
        wanted = [
            event_id
            for event_id, kind in page
            if any(event_id > lows[e.id] and _wants(e.event_kinds, kind) for e in endpoints)
        ]
        if wanted:
            rows = event_messages(session.connection(), wanted, now)
            # One multi-row INSERT per page (not one statement per message).
            session.execute(insert_ignoring_conflicts(messages, dialect, "event_id").values(rows))
        after = page[-1].id


def _make_deliveries(session: Session, endpoint: Any, low: int, upto: int, now: datetime) -> int:
    """One INSERT ... SELECT: a pending delivery of each of the window's messages it wants."""
    messages = WebhookMessage.__table__
    deliveries = WebhookDelivery.__table__
    dialect = session.get_bind().dialect.name
    empty_log = "'[]'::jsonb" if dialect == "postgresql" else "'[]'"
    source = select(
        literal(endpoint.id),
        messages.c.id,
        new_webhook_id(),
        literal_column("'pending'"),
        literal_column("0"),
        literal(now, UTCDateTime()),
        literal_column(empty_log),
        literal(now, UTCDateTime()),
    ).where(
        messages.c.event_id > low,
        messages.c.event_id <= upto,
        ~exists().where(
            deliveries.c.endpoint_id == endpoint.id, deliveries.c.message_id == messages.c.id
        ),
    )
    if endpoint.event_kinds is not None:
        source = source.where(
            messages.c.type.in_([message_type(kind) for kind in endpoint.event_kinds])
        )
    columns = [
        "endpoint_id",
        "message_id",
        "webhook_id",
        "status",
        "attempts",
        "next_attempt_at",
        "attempt_log",
        "created_at",
    ]
    statement = insert_ignoring_conflicts(
        deliveries, dialect, "endpoint_id", "message_id"
    ).from_select(columns, source)
    result = session.execute(statement.execution_options(preserve_rowcount=True))
    return max(result.rowcount, 0)

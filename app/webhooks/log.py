"""Endpoints and their delivery logs as the admin pages and the API show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import WebhookDelivery, WebhookEndpoint, WebhookMessage
from app.models.webhooks import DELIVERY_STATES
from app.webhooks.endpoints import ALL_EVENTS, get_endpoint


@dataclass(frozen=True)
class EndpointView:
    """An endpoint with how many of its deliveries are in each state."""

    id: int
    url: str
    events: list[str]
    format: str
    active: bool
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime
    counts: dict[str, int]


@dataclass(frozen=True)
class DeliveryView:
    """One delivery with its log, newest attempt last."""

    id: int
    webhook_id: str
    type: str
    event_id: int | None
    claim_id: int | None
    status: str
    next_attempt_at: datetime | None
    last_status: int | None
    last_answer: str | None
    last_error: str | None
    attempts: list[dict[str, Any]]
    created_at: datetime
    completed_at: datetime | None

    @property
    def can_deliver_again(self) -> bool:
        return self.status in ("delivered", "failed")

    @property
    def tries(self) -> int:
        """Attempts made or counted (being queued again is not one)."""
        return sum(entry["outcome"] != "requeued" for entry in self.attempts)


def _entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A log entry with its instants as datetimes (they are stored as RFC 3339 text)."""
    return {
        key: datetime.fromisoformat(value) if key in ("at", "next_attempt_at") and value else value
        for key, value in entry.items()
    }


def _view(endpoint: WebhookEndpoint, counts: dict[str, int]) -> EndpointView:
    return EndpointView(
        id=endpoint.id,
        url=endpoint.url,
        events=endpoint.event_kinds if endpoint.event_kinds is not None else [ALL_EVENTS],
        format=endpoint.format,
        active=endpoint.active,
        disabled_reason=endpoint.disabled_reason,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
        counts={state: counts.get(state, 0) for state in DELIVERY_STATES},
    )


def _counts(session: Session, endpoint_ids: list[int]) -> dict[int, dict[str, int]]:
    rows = session.execute(
        select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count())
        .where(WebhookDelivery.endpoint_id.in_(endpoint_ids))
        .group_by(WebhookDelivery.endpoint_id, WebhookDelivery.status)
    )
    counts: dict[int, dict[str, int]] = {}
    for endpoint_id, status, count in rows:
        counts.setdefault(endpoint_id, {})[status] = count
    return counts


def list_endpoints(session: Session) -> list[EndpointView]:
    """Every endpoint, oldest first."""
    endpoints = session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
    counts = _counts(session, [e.id for e in endpoints])
    return [_view(e, counts.get(e.id, {})) for e in endpoints]


def endpoint_view(session: Session, endpoint_id: int) -> EndpointView:
    endpoint = get_endpoint(session, endpoint_id)
    return _view(endpoint, _counts(session, [endpoint.id]).get(endpoint.id, {}))


def delivery_view(session: Session, delivery_id: int) -> DeliveryView:
    page, _ = _deliveries(session, WebhookDelivery.id == delivery_id, 1)
    return page[0]


def deliveries_of(
    session: Session,
    endpoint_id: int,
    *,
    limit: int = 50,
    before: int | None = None,
    status: str | None = None,
) -> tuple[list[DeliveryView], int | None]:
    """The endpoint's deliveries, newest message first, and where the next page starts (the
    last one's message id, to pass as `before`), or None."""
    get_endpoint(session, endpoint_id)  # NotFound first
    condition = WebhookDelivery.endpoint_id == endpoint_id
    if before is not None:
        condition &= WebhookDelivery.message_id < before
    if status is not None:
        condition &= WebhookDelivery.status == status
    return _deliveries(session, condition, limit)


def _deliveries(
    session: Session, condition: Any, limit: int
) -> tuple[list[DeliveryView], int | None]:
    d, m = WebhookDelivery, WebhookMessage
    rows = session.execute(
        select(
            d.id,
            d.webhook_id,
            m.type,
            m.event_id,
            m.claim_id,
            d.status,
            d.next_attempt_at,
            d.last_status,
            d.last_answer,
            d.last_error,
            d.attempt_log,
            d.created_at,
            d.completed_at,
            d.message_id,
        )
        .join(m, m.id == d.message_id)
        .where(condition)
        .order_by(d.message_id.desc())
        .limit(limit + 1)
    ).all()
    views = [
        DeliveryView(
            id=row.id,
            webhook_id=row.webhook_id,
            type=row.type,
            event_id=row.event_id,
            claim_id=row.claim_id,
            status=row.status,
            next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
            last_status=row.last_status,
            last_answer=row.last_answer,
            last_error=row.last_error,
            attempts=[_entry(entry) for entry in row.attempt_log or []],
            created_at=row.created_at,
            completed_at=row.completed_at,
        )
        for row in rows[:limit]
    ]
    more = len(rows) > limit
    return views, (rows[limit - 1].message_id if more and limit else None)

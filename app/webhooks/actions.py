"""What an admin asks of a delivery: a test message now, and a delivery sent again."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from app.claims.access import Actor
from app.claims.errors import NotFound, StateConflict
from app.models import WebhookDelivery, WebhookMessage
from app.webhooks.endpoints import get_endpoint, require_admin
from app.webhooks.messages import test_message
from app.wire import rfc3339


def new_webhook_id() -> str:
    """A `webhook-id` made in Python (the fan-out makes its own in SQL, in the same form)."""
    return "msg_" + secrets.token_hex(16)


def send_test(session: Session, actor: Actor, now: datetime, endpoint_id: int) -> WebhookDelivery:
    """Queue a `claimwatch.test` message to the endpoint, through the same outbox as events."""
    require_admin(actor)
    endpoint = get_endpoint(session, endpoint_id)
    if not endpoint.active:
        raise StateConflict("the webhook is switched off; switch it on to send a test")
    message = WebhookMessage(**test_message(endpoint.id, actor, now))
    session.add(message)
    session.flush()
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id,
        message_id=message.id,
        webhook_id=new_webhook_id(),
        status="pending",
        attempts=0,
        next_attempt_at=now,
        attempt_log=[],
        created_at=now,
    )
    session.add(delivery)
    session.flush()
    return delivery


def deliver_again(
    session: Session, actor: Actor, now: datetime, endpoint_id: int, delivery_id: int
) -> WebhookDelivery:
    """Queue a delivered or failed delivery again, with a fresh round of attempts.

    It keeps its `webhook-id`: the id names the message, so a receiver that did process it
    recognises it and is not made to act twice, while one that lost it gets it again.
    """
    require_admin(actor)
    endpoint = get_endpoint(session, endpoint_id)
    delivery = session.get(WebhookDelivery, delivery_id, populate_existing=True)
    if delivery is None or delivery.endpoint_id != endpoint.id:
        raise NotFound(f"webhook {endpoint_id} has no delivery {delivery_id}")
    if delivery.status not in ("delivered", "failed"):
        raise StateConflict(f"delivery {delivery_id} is {delivery.status}: it is still to be sent")
    if not endpoint.active:
        raise StateConflict("the webhook is switched off; switch it on to deliver again")
    entry = {"at": rfc3339(now), "outcome": "requeued", "by": actor.label}
    delivery.attempt_log = [*delivery.attempt_log, entry]
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.completed_at = None
    session.flush()
    return delivery

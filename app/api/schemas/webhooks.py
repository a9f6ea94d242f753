"""Webhooks on the wire: endpoints, and their deliveries with each attempt."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas.common import Request

EVENTS = 'Event kinds (`created`, `resolved`, ...), or `["*"]` for every kind, also future ones'
FORMAT = "`standard` (Standard Webhooks JSON) or `slack` (a Slack incoming-webhook message)"


class WebhookCreate(Request):
    """A new endpoint; the answer holds its secret, once."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://hooks.newsroom.example/claimwatch",
                    "events": ["flagged_overdue", "resolved"],
                    "format": "standard",
                }
            ]
        },
    )

    url: str = Field(description="http or https, with a host; public addresses only")
    events: list[str] | None = Field(default=None, description=EVENTS + " (the default)")
    format: Literal["standard", "slack"] | None = Field(default=None, description=FORMAT)
    active: bool | None = None


class WebhookPatch(Request):
    """The fields to change; switching `active` off pauses what is waiting."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"events": ["*"], "active": True}]}
    )

    url: str | None = None
    events: list[str] | None = Field(default=None, description=EVENTS)
    format: Literal["standard", "slack"] | None = Field(default=None, description=FORMAT)
    active: bool | None = None


class DeliveryCounts(BaseModel):
    pending: int
    paused: int
    delivered: int
    failed: int


class Webhook(BaseModel):
    """An endpoint (never its secret)."""

    id: int
    url: str
    events: list[str] = Field(description=EVENTS)
    format: Literal["standard", "slack"]
    active: bool
    disabled_reason: str | None = Field(description="Why it is off: a 410, or an admin")
    created_at: datetime
    updated_at: datetime
    deliveries: DeliveryCounts


class WebhookCreated(Webhook):
    secret: str = Field(
        description="`whsec_` + base64: verify each request's `webhook-signature` with it. "
        "Shown in this answer only"
    )


class WebhookList(BaseModel):
    items: list[Webhook]


class DeliveryAttempt(BaseModel):
    """One entry of a delivery's log: an attempt, or its being queued again."""

    at: datetime
    outcome: Literal["delivered", "retry", "deferred", "failed", "gone", "requeued"]
    duration_ms: int | None = None
    status: int | None = Field(default=None, description="The receiver's status code")
    answer: str | None = Field(default=None, description="The start of the receiver's answer")
    error: str | None = None
    next_attempt_at: datetime | None = None
    by: str | None = Field(default=None, description="Who queued it again")


class Delivery(BaseModel):
    """One message to the endpoint and everything that happened to it."""

    id: int
    webhook_id: str = Field(description="The `webhook-id` header, the same on every attempt")
    type: str = Field(description="`claim.<event kind>`, or `claimwatch.test`")
    event_id: int | None
    claim_id: int | None
    status: Literal["pending", "paused", "delivered", "failed"]
    next_attempt_at: datetime | None
    last_status: int | None
    last_answer: str | None
    last_error: str | None
    attempts: list[DeliveryAttempt]
    created_at: datetime
    completed_at: datetime | None


class DeliveryPage(BaseModel):
    items: list[Delivery]
    next: str | None = Field(description="Pass as `cursor` for the next (older) page")

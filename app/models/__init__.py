"""Every model, importable from one place."""

from app.models.api import IdempotencyKey
from app.models.claims import (
    Claim,
    ClaimEvent,
    ClaimStatusCount,
    ClaimTag,
    Evidence,
    Source,
)
from app.models.digests import DigestDelivery
from app.models.enums import (
    OPEN_STATUSES,
    RESOLUTIONS,
    ClaimStatus,
    DigestFrequency,
    EventKind,
    Role,
    Stance,
    TokenRevocation,
    TokenScope,
)
from app.models.users import ApiToken, User, UserSession
from app.models.webhooks import (
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFanout,
    WebhookMessage,
)

__all__ = [
    "OPEN_STATUSES",
    "RESOLUTIONS",
    "ApiToken",
    "Claim",
    "ClaimEvent",
    "ClaimStatus",
    "ClaimStatusCount",
    "ClaimTag",
    "DigestDelivery",
    "DigestFrequency",
    "EventKind",
    "Evidence",
    "IdempotencyKey",
    "Role",
    "Source",
    "Stance",
    "TokenRevocation",
    "TokenScope",
    "User",
    "UserSession",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookFanout",
    "WebhookMessage",
]

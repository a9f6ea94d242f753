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
    LeadStatus,
    Role,
    Stance,
    TokenRevocation,
    TokenScope,
)
from app.models.users import ApiToken, User, UserSession
from app.models.watches import ClaimTerm, ClaimTermWord, Lead, Watch, WatchEntry
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
    "ClaimTerm",
    "ClaimTermWord",
    "DigestDelivery",
    "DigestFrequency",
    "EventKind",
    "Evidence",
    "IdempotencyKey",
    "Lead",
    "LeadStatus",
    "Role",
    "Source",
    "Stance",
    "TokenRevocation",
    "TokenScope",
    "User",
    "UserSession",
    "Watch",
    "WatchEntry",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookFanout",
    "WebhookMessage",
]

"""The webhook machinery's settings, from the app's config (a plain mapping: no Flask here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.outbound import OutboundPolicy
from app.webhooks.secrets import ENDPOINT_SECRETS, SecretBox


def secret_box(config: Mapping[str, Any], purpose: bytes = ENDPOINT_SECRETS) -> SecretBox:
    """Seals under SECRET_KEY; opens under it and SECRET_KEY_FALLBACKS."""
    fallbacks = tuple(config.get("SECRET_KEY_FALLBACKS") or ())
    return SecretBox(config["SECRET_KEY"], fallbacks, purpose)


def outbound_policy(config: Mapping[str, Any], timeout: float = 10.0) -> OutboundPolicy:
    """The outgoing-request rules (ALLOW_PRIVATE_URLS), with `timeout` seconds per exchange."""
    return OutboundPolicy(allow_private=bool(config.get("ALLOW_PRIVATE_URLS")), timeout=timeout)

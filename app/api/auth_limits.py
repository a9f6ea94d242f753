"""Refused API tokens, counted per client address: past API_AUTH_FAILURE_LIMIT, 429.

Only the refusal branch of `authenticate` calls this, so a request with a valid token never
touches the counters: no storage round trip on the API's hot path. The counters are kept in
Flask-Limiter's storage with its strategy (`RATELIMIT_STORAGE_URI`: per process with the
default memory://, shared by every process with Redis), through the `limits` API directly.
A missing or malformed Authorization header is a 401 but not an attempt at a token, so it is
not counted.
"""

from __future__ import annotations

import logging
import math
import time

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import parse_many

from app.api.errors import ApiError
from app.extensions import limiter

log = logging.getLogger(__name__)
NAMESPACE = "api-token-failures"


def refuse_when_over_limit() -> None:
    """Count one refused token for this address; 429 (with Retry-After) once it has had more
    than the limit allows. Below the limit it returns, and the caller answers 401."""
    if not limiter.enabled:
        return
    address = get_remote_address()
    # Checked at start-up (app/config.py); parsed here, on the failure path only.
    items = parse_many(current_app.config["API_AUTH_FAILURE_LIMIT"])
    try:
        strategy = limiter.limiter
        exceeded = [item for item in items if not strategy.hit(item, NAMESPACE, address)]
        if not exceeded:
            return
        reset = max(
            strategy.get_window_stats(item, NAMESPACE, address).reset_time for item in exceeded
        )
    except Exception:
        # The counters' storage (Redis) being down must not turn a 401 into a 500.
        log.warning("API token failure counter unavailable", exc_info=True)
        return
    wait = max(1, math.ceil(reset - time.time()))
    raise ApiError(
        429,
        "Too many refused tokens",
        f"too many requests with an unknown, expired or revoked token came from this address; "
        f"try again in {wait} seconds",
        **{"Retry-After": str(wait)},
    )

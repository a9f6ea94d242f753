"""Managing webhook endpoints (admins only): add, change, switch off and on, delete.

Functions take `(session, actor, now, ...)`, check everything before changing anything, raise
`DomainError`s, flush and never commit, like the claim domain.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.claims.access import Actor
from app.claims.checks import check_url
from app.claims.errors import FieldErrors, NotFound, PermissionDenied
from app.models import ClaimEvent, EventKind, WebhookDelivery, WebhookEndpoint
from app.models.webhooks import WEBHOOK_FORMATS
from app.outbound import FetchFailed, OutboundPolicy, RefusedURL
from app.outbound.addresses import checked_addresses
from app.outbound.urls import checked_url
from app.webhooks.secrets import SecretBox, new_secret

ALL_EVENTS = "*"
ENDPOINT_FIELDS = frozenset({"url", "events", "format", "active"})


def require_admin(actor: Actor | None) -> Actor:
    """The actor, if it is an active admin; otherwise PermissionDenied."""
    if actor is None or not actor.is_admin:
        raise PermissionDenied("only admins manage webhooks")
    return actor


def event_kinds() -> list[str]:
    """Every event kind an endpoint can ask for, in the enum's order."""
    return [kind.value for kind in EventKind]


def _no_lookup(host: str, port: int) -> list[str]:
    # A name is resolved and checked when each delivery connects (app.outbound), not here.
    raise OSError(f"{host} is not looked up when an endpoint is saved")


def check_endpoint_url(errors: FieldErrors, raw: Any, policy: OutboundPolicy) -> str | None:
    """An http(s) URL with a host that the outgoing-request rules do not refuse outright."""
    if raw is not None and not isinstance(raw, str):
        errors.add("url", "must be text")
        return None
    url = check_url(errors, "url", raw, required=True)
    if url is None:
        return None
    try:
        parsed = checked_url(url)
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        checked_addresses(parsed.host, port, policy, _no_lookup)
    except RefusedURL as exc:
        errors.add("url", f"is refused: {exc.reason}")
        return None
    except FetchFailed:
        pass  # a host name: checked on every connection
    return url


def check_events(errors: FieldErrors, raw: Any) -> list[str] | None:
    """The kinds wanted, sorted, or None for every kind (`["*"]`, or nothing given)."""
    if raw is None:
        return None
    if not isinstance(raw, list | tuple) or not all(isinstance(kind, str) for kind in raw):
        errors.add("events", 'must be a list of event kinds, or ["*"] for every kind')
        return None
    kinds = {kind.strip() for kind in raw}
    if ALL_EVENTS in kinds:
        return None
    if not kinds:
        errors.add("events", 'name at least one event kind, or ["*"] for every kind')
        return None
    unknown = sorted(kinds - set(event_kinds()))
    if unknown:
        listed = ", ".join(repr(kind[:40]) for kind in unknown[:5])
        errors.add("events", f"{listed}: not an event kind; kinds are {', '.join(event_kinds())}")
        return None
    return sorted(kinds)


def _check(values: Mapping[str, Any], policy: OutboundPolicy, *, creating: bool) -> dict[str, Any]:
    errors = FieldErrors()
    for name in values:
        if name not in ENDPOINT_FIELDS:
            errors.add(name, "is not a field of a webhook")
    clean: dict[str, Any] = {}
    if creating or "url" in values:
        clean["url"] = check_endpoint_url(errors, values.get("url"), policy)
    if creating or "events" in values:
        clean["event_kinds"] = check_events(errors, values.get("events"))
    if creating or "format" in values:
        fmt = (values.get("format") or "standard") if creating else values.get("format")
        if fmt not in WEBHOOK_FORMATS:
            errors.add("format", f"must be {' or '.join(WEBHOOK_FORMATS)}")
        clean["format"] = fmt
    if creating or "active" in values:
        active = values.get("active", True)
        if not isinstance(active, bool):
            errors.add("active", "must be true or false")
        clean["active"] = active
    errors.raise_if_any()
    return clean


def newest_event_id(session: Session) -> int:
    return session.scalar(select(func.coalesce(func.max(ClaimEvent.id), 0))) or 0


def create_endpoint(
    session: Session,
    actor: Actor,
    now: datetime,
    values: Mapping[str, Any],
    box: SecretBox,
    policy: OutboundPolicy,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint, told about events from now on, and its secret (to be shown once)."""
    require_admin(actor)
    clean = _check(values, policy, creating=True)
    secret = new_secret()
    key_id, sealed = box.seal(secret)
    endpoint = WebhookEndpoint(
        **clean,
        disabled_reason=None if clean["active"] else f"added switched off by {actor.label}",
        secret_key_id=key_id,
        secret_ciphertext=sealed,
        events_after=newest_event_id(session),
        created_at=now,
        updated_at=now,
        created_by_id=actor.id,
    )
    session.add(endpoint)
    session.flush()
    return endpoint, secret


def get_endpoint(session: Session, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(f"there is no webhook {endpoint_id}")
    return endpoint


def update_endpoint(
    session: Session,
    actor: Actor,
    now: datetime,
    endpoint_id: int,
    changes: Mapping[str, Any],
    policy: OutboundPolicy,
) -> WebhookEndpoint:
    """Change URL, event kinds, format or the active flag; switching off pauses what is
    waiting, switching on resumes it (and events from then on are delivered)."""
    require_admin(actor)
    clean = _check(changes, policy, creating=False)
    endpoint = get_endpoint(session, endpoint_id)
    active = clean.pop("active", endpoint.active)
    for name, value in clean.items():
        setattr(endpoint, name, value)
    endpoint.updated_at = now
    session.flush()
    if active and not endpoint.active:
        switch_on(session, endpoint, now)
    elif endpoint.active and not active:
        switch_off(session, endpoint.id, now, f"switched off by {actor.label}")
        session.refresh(endpoint)
    return endpoint


def rotate_secret(
    session: Session, actor: Actor, now: datetime, endpoint_id: int, box: SecretBox
) -> tuple[WebhookEndpoint, str]:
    """A new secret for the endpoint (to be shown once); the old one stops signing at once."""
    require_admin(actor)
    endpoint = get_endpoint(session, endpoint_id)
    secret = new_secret()
    endpoint.secret_key_id, endpoint.secret_ciphertext = box.seal(secret)
    endpoint.updated_at = now
    session.flush()
    return endpoint, secret


def delete_endpoint(session: Session, actor: Actor, endpoint_id: int) -> None:
    """Remove the endpoint with its deliveries and their log."""
    require_admin(actor)
    session.delete(get_endpoint(session, endpoint_id))
    session.flush()


def switch_on(session: Session, endpoint: WebhookEndpoint, now: datetime) -> None:
    """Active again: paused deliveries get a fresh round of attempts; events that happened
    while it was off are not delivered."""
    endpoint.active = True
    endpoint.disabled_reason = None
    endpoint.events_after = newest_event_id(session)
    endpoint.updated_at = now
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "paused")
        .values(status="pending", attempts=0, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    session.flush()


def switch_off(session: Session | Connection, endpoint_id: int, now: datetime, reason: str) -> bool:
    """Stop telling the endpoint (an admin's choice, or its 410): its waiting deliveries are
    paused, except any a sender is sending right now, which finish their attempt. False when
    it was off already."""
    switched = session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.active.is_(True))
        .values(active=False, disabled_reason=reason[:2000], updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint_id,
            WebhookDelivery.status == "pending",
            (WebhookDelivery.lease_until.is_(None)) | (WebhookDelivery.lease_until <= now),
        )
        .values(status="paused", lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return switched.rowcount == 1

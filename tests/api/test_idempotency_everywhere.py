"""Every POST of the API honours Idempotency-Key: sent twice with one key, the request takes
effect once and the second answer is the first, replayed; the same key with another body is a
422. The operations come from the OpenAPI document, so a new POST without a recipe here fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import MetaData, select

from app.claims import add_evidence, resolve_claim
from app.db import Base
from app.webhooks.actions import send_test
from app.webhooks.endpoints import create_endpoint
from app.webhooks.settings import outbound_policy, secret_box
from tests.api.conftest import token_for

# A recipe gets the factory, the session and the app, makes what the request needs and gives
# the path and body to send.
Recipe = Callable[[Any, Any, Flask], tuple[str, dict[str, Any]]]
# Operations only an admin's write token may call.
ADMIN_ONLY = {"createWebhook", "testWebhook", "redeliverWebhookDelivery"}


def _open_claim(factory, session):
    claim = factory.claim()
    session.commit()
    return claim


def _with_evidence(factory, session):
    claim = factory.claim()
    event = add_evidence(session, factory.reviewer, factory.now, claim.id, {"url": "https://e.x/"})
    session.commit()
    return claim, event.data["evidence_id"]


def _resolved(factory, session):
    claim, _ = _with_evidence(factory, session)
    resolve_claim(session, factory.reviewer, factory.now, claim.id, "confirmed", "Announced")
    session.commit()
    return claim


def _assignee(factory, session):
    claim = _open_claim(factory, session)
    other = factory.user(role="reviewer")
    session.commit()
    return claim, other


def _lead(factory, session):
    claim = factory.claim(subject="DeepSeek V4")
    lead = factory.lead(claim)
    session.commit()
    return claim, lead


def _endpoint(factory, session, app):
    admin = factory.user(role="admin")
    endpoint, _ = create_endpoint(
        session,
        admin,
        factory.now,
        {"url": "https://hooks.example/claimwatch"},
        secret_box(app.config),
        outbound_policy(app.config),
    )
    session.commit()
    return endpoint


def _delivered(factory, session, app):
    """A test message to an endpoint, as if it had been delivered: what may be sent again."""
    endpoint = _endpoint(factory, session, app)
    delivery = send_test(session, factory.user(role="admin"), factory.now, endpoint.id)
    delivery.status = "delivered"
    delivery.attempts = 1
    delivery.completed_at = factory.now
    session.commit()
    return endpoint, delivery


RECIPES: dict[str, Recipe] = {
    "createClaim": lambda f, s, a: (
        "/claims",
        {"statement": "Once only", "expected_within": "P2W"},
    ),
    "resolveClaim": lambda f, s, a: (
        f"/claims/{_with_evidence(f, s)[0].id}/resolve",
        {"outcome": "confirmed", "note": "Announced"},
    ),
    "extendClaim": lambda f, s, a: (
        f"/claims/{_open_claim(f, s).id}/extend",
        {"expected_within": "P6W", "reason": "Slipped"},
    ),
    "reopenClaim": lambda f, s, a: (f"/claims/{_resolved(f, s).id}/reopen", {"reason": "Denied"}),
    "assignClaim": lambda f, s, a: (
        (lambda pair: (f"/claims/{pair[0].id}/assign", {"assignee": pair[1].id}))(_assignee(f, s))
    ),
    "addEvidence": lambda f, s, a: (
        f"/claims/{_open_claim(f, s).id}/evidence",
        {"url": "https://news.example/once", "stance": "supports"},
    ),
    "withdrawEvidence": lambda f, s, a: (
        (lambda pair: (f"/claims/{pair[0].id}/evidence/{pair[1]}/withdraw", {"reason": "Wrong"}))(
            _with_evidence(f, s)
        )
    ),
    "commentOnClaim": lambda f, s, a: (
        f"/claims/{_open_claim(f, s).id}/comments",
        {"body": "Once"},
    ),
    "createWatch": lambda f, s, a: ("/watches", {"url": "https://feeds.example/x", "name": "X"}),
    "acceptLead": lambda f, s, a: (
        (lambda pair: (f"/claims/{pair[0].id}/leads/{pair[1].id}/accept", {"stance": "supports"}))(
            _lead(f, s)
        )
    ),
    "createWebhook": lambda f, s, a: ("/webhooks", {"url": "https://hooks.example/x"}),
    "testWebhook": lambda f, s, a: (f"/webhooks/{_endpoint(f, s, a).id}/test", {}),
    "redeliverWebhookDelivery": lambda f, s, a: (
        (lambda pair: (f"/webhooks/{pair[0].id}/deliveries/{pair[1].id}/redeliver", {}))(
            _delivered(f, s, a)
        )
    ),
    "dismissLead": lambda f, s, a: (
        (lambda pair: (f"/claims/{pair[0].id}/leads/{pair[1].id}/dismiss", {"reason": "V3"}))(
            _lead(f, s)
        )
    ),
}


def post_operations(client) -> list[str]:
    document = client.get("/api/v1/openapi.json").json
    return sorted(
        op["operationId"]
        for item in document["paths"].values()
        for method, op in item.items()
        if method == "post"
    )


# Bookkeeping every request may touch: the keys themselves, and a token's last use.
BOOKKEEPING = {"api_idempotency_keys", "api_tokens"}


def fingerprint(session) -> dict[str, int]:
    """Every row of every table, hashed: any effect of a request shows here (a new row, or a
    changed one, such as a delivery queued again)."""
    session.expire_all()
    metadata: MetaData = Base.metadata
    return {
        name: hash(tuple(sorted(map(repr, session.execute(select(table)).all()))))
        for name, table in metadata.tables.items()
        if name not in BOOKKEEPING
    }


def test_every_post_operation_has_a_recipe(client):
    missing = set(post_operations(client)) - set(RECIPES)
    assert not missing, f"add an Idempotency-Key recipe for {sorted(missing)}"


@pytest.mark.parametrize("operation", sorted(RECIPES))
def test_a_post_sent_twice_with_one_key_takes_effect_once(app, api, factory, session, operation):
    path, body = RECIPES[operation](factory, session, app)
    headers = {"Idempotency-Key": f"retry-{operation}"}
    if operation in ADMIN_ONLY:
        headers["Authorization"] = (
            f"Bearer {token_for(session, factory.user(role='admin'), 'write')}"
        )
    before = fingerprint(session)
    first = api.post(path, body, headers=headers)
    assert first.status_code in (200, 201, 202), first.json
    after_first = fingerprint(session)
    assert after_first != before, "the first request must have an effect"

    second = api.post(path, body, headers=headers)
    assert (second.status_code, second.get_data()) == (first.status_code, first.get_data())
    assert second.headers["Idempotent-Replayed"] == "true"
    assert fingerprint(session) == after_first, "the retry must change nothing"

    other = api.post(path, {**body, "note": "another body"}, headers=headers)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json["errors"]
    assert fingerprint(session) == after_first

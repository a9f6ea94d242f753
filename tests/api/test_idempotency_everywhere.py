"""Every POST of the API honours Idempotency-Key: sent twice with one key, the request takes
effect once and the second answer is the first, replayed; the same key with another body is a
422. The operations come from the OpenAPI document, so a new POST without a recipe here fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import MetaData, func, select

from app.claims import add_evidence, resolve_claim
from app.db import Base

Recipe = Callable[[Any, Any], tuple[str, dict[str, Any]]]


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


RECIPES: dict[str, Recipe] = {
    "createClaim": lambda f, s: ("/claims", {"statement": "Once only", "expected_within": "P2W"}),
    "resolveClaim": lambda f, s: (
        f"/claims/{_with_evidence(f, s)[0].id}/resolve",
        {"outcome": "confirmed", "note": "Announced"},
    ),
    "extendClaim": lambda f, s: (
        f"/claims/{_open_claim(f, s).id}/extend",
        {"expected_within": "P6W", "reason": "Slipped"},
    ),
    "reopenClaim": lambda f, s: (f"/claims/{_resolved(f, s).id}/reopen", {"reason": "Denied"}),
    "assignClaim": lambda f, s: (
        (lambda pair: (f"/claims/{pair[0].id}/assign", {"assignee": pair[1].id}))(_assignee(f, s))
    ),
    "addEvidence": lambda f, s: (
        f"/claims/{_open_claim(f, s).id}/evidence",
        {"url": "https://news.example/once", "stance": "supports"},
    ),
    "withdrawEvidence": lambda f, s: (
        (lambda pair: (f"/claims/{pair[0].id}/evidence/{pair[1]}/withdraw", {"reason": "Wrong"}))(
            _with_evidence(f, s)
        )
    ),
    "commentOnClaim": lambda f, s: (f"/claims/{_open_claim(f, s).id}/comments", {"body": "Once"}),
    "createWatch": lambda f, s: ("/watches", {"url": "https://feeds.example/x", "name": "X"}),
    "acceptLead": lambda f, s: (
        (lambda pair: (f"/claims/{pair[0].id}/leads/{pair[1].id}/accept", {"stance": "supports"}))(
            _lead(f, s)
        )
    ),
    "dismissLead": lambda f, s: (
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


def fingerprint(session) -> dict[str, int]:
    """Rows per table: any effect of a request shows here."""
    session.expire_all()
    metadata: MetaData = Base.metadata
    return {
        name: session.scalar(select(func.count()).select_from(table))
        for name, table in metadata.tables.items()
        if name != "api_idempotency_keys"
    }


def test_every_post_operation_has_a_recipe(client):
    missing = set(post_operations(client)) - set(RECIPES)
    assert not missing, f"add an Idempotency-Key recipe for {sorted(missing)}"


@pytest.mark.parametrize("operation", sorted(RECIPES))
def test_a_post_sent_twice_with_one_key_takes_effect_once(api, factory, session, operation):
    path, body = RECIPES[operation](factory, session)
    headers = {"Idempotency-Key": f"retry-{operation}"}
    before = fingerprint(session)
    first = api.post(path, body, headers=headers)
    assert first.status_code in (200, 201), first.json
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

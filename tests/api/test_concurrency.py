"""Concurrent writers on PostgreSQL: optimistic locking and state checks hold under a race."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import create_app
from app.accounts.tokens import create_token
from app.accounts.users import create_user
from app.claims import add_evidence, create_claim
from app.models import ClaimEvent
from app.unit_of_work import get_session
from tests.conftest import NOW, app_config
from tests.databases import fresh_database

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def served(tmp_path) -> Iterator[tuple[Flask, str, int]]:
    """An app on its own PostgreSQL database with committed data: (app, write token, claim)."""
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    with fresh_database("postgresql", tmp_path) as url:
        app = create_app(app_config(url, INSTANCE_PATH=str(tmp_path)))
        with app.app_context():
            session = get_session()
            user = create_user(session, NOW, "racer@newsroom.example", "reviewer")
            _, secret = create_token(session, user, NOW, "race", "write")
            claim = create_claim(
                session, user, NOW, {"statement": "A race", "expected_within": "P3W"}
            ).claim
            add_evidence(session, user, NOW, claim.id, {"url": "https://news.example/a"})
            session.commit()
            claim_id = claim.id
        yield app, secret, claim_id
        from app.unit_of_work import get_db

        get_db(app).engine.dispose()


def race(app: Flask, requests: list[dict]) -> list[int]:
    """Send the requests at the same moment from separate threads; their status codes."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = [0] * len(requests)

    def send(i: int, request: dict) -> None:
        client = app.test_client()
        barrier.wait()
        statuses[i] = client.open(**request).status_code

    threads = [threading.Thread(target=send, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(statuses)


def test_two_patches_with_the_same_if_match_one_wins_one_gets_412(served):
    app, secret, claim_id = served
    auth = {"Authorization": f"Bearer {secret}"}
    etag = app.test_client().get(f"/api/v1/claims/{claim_id}", headers=auth).headers["ETag"]
    requests = [
        {
            "path": f"/api/v1/claims/{claim_id}",
            "method": "PATCH",
            "json": {"subject": subject},
            "headers": {**auth, "If-Match": etag},
        }
        for subject in ("First writer", "Second writer")
    ]
    assert race(app, requests) == [200, 412]
    with app.app_context():
        edits = get_session().scalar(
            select(func.count()).where(ClaimEvent.claim_id == claim_id, ClaimEvent.kind == "edited")
        )
    assert edits == 1


def test_two_resolves_at_once_one_succeeds_one_gets_409_one_event(served):
    app, secret, claim_id = served
    auth = {"Authorization": f"Bearer {secret}"}
    requests = [
        {
            "path": f"/api/v1/claims/{claim_id}/resolve",
            "method": "POST",
            "json": {"outcome": outcome, "note": "race"},
            "headers": auth,
        }
        for outcome in ("confirmed", "refuted")
    ]
    assert race(app, requests) == [200, 409]
    with app.app_context():
        resolved = get_session().scalar(
            select(func.count()).where(
                ClaimEvent.claim_id == claim_id, ClaimEvent.kind == "resolved"
            )
        )
    assert resolved == 1

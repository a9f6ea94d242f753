"""API reads as they run in production, on an engine of their own (not the tests' shared
connection): the read connection (on PostgreSQL a pooled connection in autocommit, on SQLite a
deferred read) and the unit of work. Either way the token's `last_used_at` is kept, nothing is
left checked out of either pool, and a read after a write sees the write."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from flask import Flask
from sqlalchemy import select

from app.models import ApiToken
from app.unit_of_work import get_db, get_session
from tests.conftest import NOW


def last_used(app: Flask) -> object:
    with app.app_context():
        return get_session().scalar(select(ApiToken.last_used_at))


def test_reads_record_token_use_and_return_their_connections(served: tuple[Flask, str]) -> None:
    app, secret = served
    client = app.test_client()
    auth = {"Authorization": f"Bearer {secret}"}
    db = get_db(app)
    engines = [db.engine] + ([db.read_engine] if db.read_engine is not db.engine else [])
    with time_machine.travel(NOW, tick=False):
        created = client.post(
            "/api/v1/claims", headers=auth, json={"statement": "Read me", "expected_within": "P3W"}
        )
        assert created.status_code == 201, created.json
        claim_id = created.json["id"]
    assert last_used(app) == NOW

    later = NOW + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        listed = client.get("/api/v1/claims", headers=auth)
        assert listed.status_code == 200
        assert [item["id"] for item in listed.json["items"]] == [claim_id]
        assert client.get(f"/api/v1/claims/{claim_id}", headers=auth).json["statement"] == "Read me"
    assert last_used(app) == later  # committed by the read's unit of work
    assert [engine.pool.checkedout() for engine in engines] == [0] * len(engines)

    refused = client.get("/api/v1/claims", headers={"Authorization": "Bearer cw_unknown"})
    assert refused.status_code == 401
    assert [engine.pool.checkedout() for engine in engines] == [0] * len(engines)

    # Disposing the app's engine disposes the read pool with it (PostgreSQL).
    assert engines[-1].pool.checkedin() >= 1
    db.engine.dispose()
    assert [engine.pool.checkedin() for engine in engines] == [0] * len(engines)

"""While the database is unreachable, requests are refused at once with 503 (a problem for the
API, a page for the web) instead of a 500 or a hang; once it is back, the same processes serve
again without a restart (found with scripts/soak --restart-postgres)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app import create_app
from app.accounts.tokens import create_token
from app.accounts.unsubscribe import make_token
from app.accounts.users import create_user
from app.unit_of_work import get_db, get_session
from tests.conftest import NOW, app_config
from tests.databases import fresh_database
from tests.tcp_forwarder import TcpForwarder, free_port

CLAIMS = "/api/v1/claims"


def unreachable_app(tmp_path: Path) -> Flask:
    """An app whose PostgreSQL server refuses every connection (nothing listens there)."""
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/claimwatch"
    return create_app(app_config(url, INSTANCE_PATH=str(tmp_path)))


def test_an_api_request_while_the_database_is_down_is_a_503_problem_with_retry_after(tmp_path):
    client = unreachable_app(tmp_path).test_client()
    started = time.monotonic()
    response = client.get(CLAIMS, headers={"Authorization": "Bearer cw_whatever"})
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == "5"
    assert response.json["status"] == 503
    assert "nothing was changed" in response.json["detail"]


def test_a_web_page_while_the_database_is_down_is_a_503_page_that_reloads_itself(tmp_path):
    client = unreachable_app(tmp_path).test_client()
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = "1:token"  # signed in: loading them needs the database
    response = client.get("/claims")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert "cannot reach its database" in page
    assert 'http-equiv="refresh"' in page


def test_every_operation_documents_the_503(client):
    doc = client.get("/api/v1/openapi.json").json
    operations = [op for item in doc["paths"].values() for op in item.values()]
    assert operations
    for op in operations:
        assert "Retry-After" in op["responses"]["503"]["headers"], op["operationId"]


@pytest.fixture
def postgresql_url(tmp_path: Path) -> Iterator[str]:
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("needs TEST_DATABASE_URL")
    with fresh_database("postgresql", tmp_path) as url:
        yield url


@pytest.mark.postgres_only
def test_the_api_answers_503_during_an_outage_and_serves_again_once_the_database_is_back(
    postgresql_url, tmp_path
):
    real = make_url(postgresql_url)
    port = free_port()
    via_forwarder = real.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    app = create_app(app_config(via_forwarder, INSTANCE_PATH=str(tmp_path)))
    target = (real.host or "127.0.0.1", real.port or 5432)
    forwarder = TcpForwarder(port, target)
    try:
        with app.app_context():
            session = get_session()
            user = create_user(session, NOW, "outage@newsroom.example", "reviewer", "Outage")
            _, secret = create_token(session, user, NOW, "outage", "read")
            session.commit()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {secret}"}
        assert client.get(CLAIMS, headers=headers).status_code == 200  # a pooled connection

        forwarder.stop()  # the server goes away under the pooled connection
        started = time.monotonic()
        down = client.get(CLAIMS, headers=headers)
        assert (down.status_code, time.monotonic() - started < 10) == (503, True)

        forwarder = TcpForwarder(port, target)  # back, and the app was never restarted
        assert client.get(CLAIMS, headers=headers).status_code == 200
    finally:
        forwarder.stop()
        get_db(app).engine.dispose()


def test_a_read_whose_token_bookkeeping_fails_to_commit_is_a_503_too(
    app, client, session, factory, monkeypatch
):
    # The read itself succeeded; the outage hits the commit of the token's last_used_at,
    # which runs after the view (after_request), outside the blueprint's error handlers.
    user = factory.reviewer
    _, secret = create_token(session, user, NOW, "reads", "read")
    session.commit()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production

    def lost_connection(self: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(Session, "commit", lost_connection)
    response = client.get(CLAIMS, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"


def test_a_one_click_unsubscribe_while_the_database_is_down_is_a_503_to_retry(tmp_path):
    app = unreachable_app(tmp_path)
    token = make_token(app.config["SECRET_KEY"], 1, "any")
    response = app.test_client().post(f"/digests/unsubscribe?token={token}")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert 'http-equiv="refresh"' not in response.get_data(as_text=True)  # a POST: no reload

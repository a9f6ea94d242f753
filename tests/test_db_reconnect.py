"""The app recovers on its own when PostgreSQL drops every connection (a restart).

The pool does not ping each connection before use (app/db.make_engine): the request that
first meets a dead connection fails, and the next one must work again on fresh connections.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import create_app
from app.accounts.tokens import create_token
from app.accounts.users import create_user
from app.db import get_db, make_engine
from tests.conftest import app_config
from tests.databases import fresh_database
from tests.tcp_forwarder import TcpForwarder, free_port


@pytest.fixture
def postgresql_url(tmp_path: Path) -> Iterator[str]:
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("needs TEST_DATABASE_URL")
    with fresh_database("postgresql", tmp_path) as url:
        yield url


def read_token(url: str) -> str:
    engine = make_engine(url)
    with Session(engine) as session:
        now = datetime.now(UTC)
        user = create_user(session, now, email="reader@newsroom.example", role="reviewer")
        _, secret = create_token(session, user, now, "reader", "read")
        session.commit()
    engine.dispose()
    return secret


@pytest.mark.postgres_only
def test_requests_work_again_right_after_postgresql_drops_every_connection(
    postgresql_url: str, tmp_path: Path
) -> None:
    real = make_url(postgresql_url)
    port = free_port()
    via_forwarder = real.set(host="127.0.0.1", port=port, query={"connect_timeout": "3"})
    headers = {"Authorization": f"Bearer {read_token(postgresql_url)}"}
    app = create_app(
        app_config(via_forwarder.render_as_string(hide_password=False), INSTANCE_PATH=str(tmp_path))
    )
    client = app.test_client()
    forwarder = TcpForwarder(port, (real.host, real.port or 5432))
    try:
        assert client.get("/api/v1/claims", headers=headers).status_code == 200
        assert client.get("/healthz").status_code == 200
        assert get_db(app).engine.pool.checkedin() >= 1  # a pooled connection to go stale

        forwarder.stop()  # the server goes away with the pooled connections ...
        forwarder = TcpForwarder(port, (real.host, real.port or 5432))  # ... and comes back

        # At most the first request meets a dead connection; then it works again, unaided.
        first = client.get("/healthz").status_code
        assert first in (200, 503)
        assert client.get("/healthz").status_code == 200
        assert client.get("/api/v1/claims", headers=headers).status_code == 200
    finally:
        forwarder.stop()
        get_db(app).engine.dispose()


@pytest.mark.postgres_only
def test_after_the_drop_one_failed_read_clears_every_stale_connection_of_the_pool(
    postgresql_url: str, tmp_path: Path
) -> None:
    real = make_url(postgresql_url)
    port = free_port()
    via_forwarder = real.set(host="127.0.0.1", port=port, query={"connect_timeout": "3"})
    headers = {"Authorization": f"Bearer {read_token(postgresql_url)}"}
    app = create_app(
        app_config(via_forwarder.render_as_string(hide_password=False), INSTANCE_PATH=str(tmp_path))
    )
    client = app.test_client()
    forwarder = TcpForwarder(port, (real.host, real.port or 5432))
    try:
        assert client.get("/api/v1/claims", headers=headers).status_code == 200
        engine = get_db(app).engine
        with engine.connect(), engine.connect():
            pass  # two connections in the pool now: both will be stale
        assert engine.pool.checkedin() >= 2
        forwarder.stop()
        forwarder = TcpForwarder(port, (real.host, real.port or 5432))
        statuses = [client.get("/api/v1/claims", headers=headers).status_code for _ in range(3)]
        assert statuses[1:] == [200, 200], statuses
    finally:
        forwarder.stop()
        get_db(app).engine.dispose()

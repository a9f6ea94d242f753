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
from app.db import make_engine
from app.unit_of_work import get_db
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


class Proxied:
    """An app that reaches PostgreSQL through a TCP forwarder the test can cut and restore."""

    def __init__(self, url: str, tmp_path: Path) -> None:
        self.real = make_url(url)
        self.port = free_port()
        via = self.real.set(host="127.0.0.1", port=self.port, query={"connect_timeout": "3"})
        self.headers = {"Authorization": f"Bearer {read_token(url)}"}
        self.app = create_app(
            app_config(via.render_as_string(hide_password=False), INSTANCE_PATH=str(tmp_path))
        )
        self.client = self.app.test_client()
        self.forwarder = self._forward()

    def _forward(self) -> TcpForwarder:
        return TcpForwarder(self.port, (self.real.host, self.real.port or 5432))

    def drop_every_connection(self) -> None:
        """The server goes away with the pooled connections, and comes back."""
        self.forwarder.stop()
        self.forwarder = self._forward()

    def close(self) -> None:
        self.forwarder.stop()
        get_db(self.app).engine.dispose()


@pytest.fixture
def proxied(postgresql_url: str, tmp_path: Path) -> Iterator[Proxied]:
    stack = Proxied(postgresql_url, tmp_path)
    yield stack
    stack.close()


@pytest.mark.postgres_only
def test_requests_work_again_right_after_postgresql_drops_every_connection(
    proxied: Proxied,
) -> None:
    client, headers = proxied.client, proxied.headers
    assert client.get("/api/v1/claims", headers=headers).status_code == 200
    assert client.get("/healthz").status_code == 200
    assert get_db(proxied.app).engine.pool.checkedin() >= 1  # a pooled connection to go stale

    proxied.drop_every_connection()

    # At most the first request meets a dead connection; then it works again, unaided.
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/claims", headers=headers).status_code == 200


@pytest.mark.postgres_only
def test_after_the_drop_one_failed_read_clears_every_stale_connection_of_the_pool(
    proxied: Proxied,
) -> None:
    client, headers = proxied.client, proxied.headers
    assert client.get("/api/v1/claims", headers=headers).status_code == 200
    engine = get_db(proxied.app).engine
    with engine.connect(), engine.connect():
        pass  # two connections in the pool now: both will be stale
    assert engine.pool.checkedin() >= 2

    proxied.drop_every_connection()

    statuses = [client.get("/api/v1/claims", headers=headers).status_code for _ in range(3)]
    assert statuses[1:] == [200, 200], statuses

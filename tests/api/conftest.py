"""API fixtures: tokens of each kind, and a client that sends one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask

from app import create_app
from app.accounts.tokens import create_token
from app.accounts.users import create_user
from app.unit_of_work import get_db, get_session
from tests.conftest import NOW, app_config
from tests.databases import backends, fresh_database

API = "/api/v1"


class Api:
    """The test client, speaking JSON with a bearer token."""

    def __init__(self, client: Any, token: str | None) -> None:
        self.client = client
        self.token = token

    def request(self, method: str, path: str, token: str | None = None, **kw: Any) -> Any:
        headers = dict(kw.pop("headers", {}) or {})
        secret = token or self.token
        if secret:
            headers.setdefault("Authorization", f"Bearer {secret}")
        url = path if path.startswith(("/api/", "/feeds/")) else API + path
        return self.client.open(url, method=method, headers=headers, **kw)

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, json=body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("PATCH", path, json=body, **kw)


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Coordinates]:
    """The API reads the wall clock; pin it an hour after the factories' NOW."""
    with time_machine.travel(NOW + timedelta(hours=1), tick=False) as traveller:
        yield traveller


def token_for(session, user, scope: str) -> str:
    _, secret = create_token(session, user, NOW, f"{scope} token", scope)
    session.flush()
    return secret


@pytest.fixture
def reviewer(factory):
    return factory.reviewer


@pytest.fixture
def write_token(session, reviewer) -> str:
    return token_for(session, reviewer, "write")


@pytest.fixture
def read_token(session, reviewer) -> str:
    return token_for(session, reviewer, "read")


@pytest.fixture
def api(client, write_token) -> Api:
    return Api(client, write_token)


@pytest.fixture(params=backends())
def served(request: pytest.FixtureRequest, tmp_path) -> Iterator[tuple[Flask, str]]:
    """The app as it runs in production, on a fresh database of its own (not the tests'
    shared connection), and a reviewer's write token."""
    with fresh_database(request.param, tmp_path) as url:
        app = create_app(app_config(url, INSTANCE_PATH=str(tmp_path)))
        with app.app_context():
            session = get_session()
            user = create_user(session, NOW, "writer@newsroom.example", "reviewer")
            _, secret = create_token(session, user, NOW, "writes", "write")
            session.commit()
        yield app, secret
        get_db(app).engine.dispose()

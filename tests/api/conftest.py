"""API fixtures: tokens of each kind, and a client that sends one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from app.accounts.tokens import create_token
from tests.conftest import NOW

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

"""Fixtures for watches: a local feed server, an app that may reach it, a claim to match."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.outbound.servers import LocalServer, running

STATEMENT = "DeepSeek V4 will be trained and served entirely on Huawei Ascend chips"


@pytest.fixture
def feed_server() -> Iterator[LocalServer]:
    with running("127.0.0.1") as server:
        yield server


@pytest.fixture
def app(make_app) -> Flask:
    """Loopback is private: the tests' feeds are reachable only with ALLOW_PRIVATE_URLS."""
    return make_app(ALLOW_PRIVATE_URLS="1")


@pytest.fixture
def deepseek(factory):
    claim = factory.claim(statement=STATEMENT, subject="DeepSeek V4")
    factory.session.commit()
    return claim

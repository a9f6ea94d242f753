"""Fixtures for the webhook tests: a real receiver, an app that may reach it, endpoints."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
import time_machine
from flask import Flask

from app.models import WebhookDelivery, WebhookEndpoint
from app.webhook_job import WebhookPassSummary, run_webhook_pass
from app.webhooks.endpoints import create_endpoint
from app.webhooks.settings import outbound_policy, secret_box
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.stop()


@pytest.fixture
def hooks_app(make_app: Callable[..., Flask]) -> Flask:
    """The app, allowed to reach the receiver on loopback, with a short timeout."""
    return make_app(ALLOW_PRIVATE_URLS="1", WEBHOOK_TIMEOUT_SECONDS=1.0)


@pytest.fixture
def admin(factory):
    return factory.user(role="admin", name="Ada Admin")


@pytest.fixture
def add_endpoint(hooks_app: Flask, session, admin, factory) -> Callable[..., tuple]:
    """`add_endpoint(url, **values)` → (endpoint, secret), committed like the API would."""

    def add(url: str, **values: object) -> tuple[WebhookEndpoint, str]:
        endpoint, secret = create_endpoint(
            session,
            admin,
            factory.now,
            {"url": url, **values},
            secret_box(hooks_app.config),
            outbound_policy(hooks_app.config),
        )
        session.commit()
        return endpoint, secret

    return add


def send_pass(app: Flask, at: datetime) -> WebhookPassSummary:
    """A pass at `at`, with the wall clock there too (receivers check the signature's time)."""
    with time_machine.travel(at, tick=True):
        return run_webhook_pass(app, at)


def deliveries(session) -> list[WebhookDelivery]:
    session.expire_all()
    return list(session.query(WebhookDelivery).order_by(WebhookDelivery.id))

"""Fixtures for the digest tests: a real SMTP server, and helpers that stand in for the sweep."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from app.claims.overdue import flag_overdue_batch
from app.models import Claim
from tests.conftest import NOW
from tests.digests.smtp import SmtpServer
from tests.factories import Factory


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app: Flask, smtp: SmtpServer) -> Flask:
    """The test app sending through the test SMTP server."""
    app.config["SMTP_URL"] = smtp.url
    return app


def flag_overdue(session: Session, claim: Claim, at: datetime) -> None:
    """Run the overdue sweep at `at` (flags `claim`, whose window has passed, and any other)."""
    assert claim.window_end < at
    flag_overdue_batch(session, at)
    session.flush()
    session.expire_all()


@pytest.fixture
def factory(session: Session) -> Factory:
    """The usual factory, whose default reviewer (the author of claims) reads no digest."""
    made = Factory(session, NOW)
    made.reviewer.digest_frequency = "off"
    return made

"""Helpers for the web tests: signed-in test clients that post forms with their CSRF token."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.accounts import passwords
from app.models import User

PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class Browser:
    """A test client with a session: `get`, and `post` that adds the form's CSRF token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token = ""

    def get(self, path: str, **kw: object) -> TestResponse:
        response = self.client.get(path, **kw)
        if match := TOKEN.search(response.get_data(as_text=True)):
            self.token = match.group(1)
        return response

    def post(self, path: str, data: dict | None = None, **kw: object) -> TestResponse:
        if not self.token:
            self.get("/sign-in")
        return self.client.post(path, data={"csrf_token": self.token, **(data or {})}, **kw)

    def sign_in(self, email: str, password: str = PASSWORD, **kw: object) -> TestResponse:
        self.get("/sign-in")
        response = self.post("/sign-in", {"email": email, "password": password}, **kw)
        self.get("/claims")  # the session (and its CSRF token) is new after sign-in
        return response


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with small parameters: these tests sign in dozens of times and are about the
    web flow, not the hash cost (the production parameters are argon2-cffi's RFC 9106 ones)."""
    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", quick)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", quick.hash("no-such-user"))


@pytest.fixture
def browser(app: Flask) -> Browser:
    return Browser(app.test_client())


@pytest.fixture
def new_browser(app: Flask):
    return lambda: Browser(app.test_client())


@pytest.fixture
def reviewer(factory) -> User:
    return factory.user(role="reviewer", password=PASSWORD, name="Rita Reviewer")


@pytest.fixture
def viewer(factory) -> User:
    return factory.user(role="viewer", password=PASSWORD, name="Victor Viewer")


@pytest.fixture
def admin(factory) -> User:
    return factory.user(role="admin", password=PASSWORD, name="Ada Admin")


@pytest.fixture
def as_reviewer(browser: Browser, reviewer: User, session) -> Browser:
    session.commit()
    browser.sign_in(reviewer.email)
    return browser


@pytest.fixture
def as_viewer(browser: Browser, viewer: User, session) -> Browser:
    session.commit()
    browser.sign_in(viewer.email)
    return browser


@pytest.fixture
def as_admin(browser: Browser, admin: User, session) -> Browser:
    session.commit()
    browser.sign_in(admin.email)
    return browser


@pytest.fixture(scope="session")
def static_css() -> str:
    """The one stylesheet."""
    from pathlib import Path

    return (Path(__file__).resolve().parents[2] / "app/web/static/claimwatch.css").read_text()

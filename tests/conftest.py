"""Fixtures: a migrated database per backend, an app bound to a rolled-back transaction, factories.

Every test that touches the database runs once per backend (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set). Each test runs inside a transaction that is rolled back at the end;
the app's commits become savepoints inside it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from app import create_app
from app.db import make_engine
from app.unit_of_work import get_db
from tests.databases import backends, fresh_database
from tests.factories import Factory

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres_only: needs PostgreSQL (TEST_DATABASE_URL)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """With CLAIMWATCH_REQUIRE_ALL=1 (CI) a skipped test is a failed test."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CLAIMWATCH_REQUIRE_ALL") == "1":
        report.outcome = "failed"
        report.longrepr = f"skipped, but CI requires every test to run: {report.longrepr}"


@pytest.fixture(scope="session", params=backends())
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, empty database for the whole run, once per backend."""
    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def backend(database_url: str) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection holding a transaction that is rolled back after the test."""
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        if outer.is_active:
            outer.rollback()


def app_config(database_url: str, **extra: object) -> dict[str, object]:
    return {
        "CLAIMWATCH_ENV": "testing",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "PUBLIC_URL": "http://claimwatch.example",
        **extra,
    }


@pytest.fixture
def make_app(
    database_url: str, connection: Connection, tmp_path: os.PathLike[str]
) -> Callable[..., Flask]:
    """Builds an app bound to the test's connection, with settings given as environment
    variables would give them (`make_app(OVERDUE_GRACE="2h")`)."""

    def build(**settings: str) -> Flask:
        config = app_config(
            database_url, DB_BIND=connection, INSTANCE_PATH=str(tmp_path), **settings
        )
        app = create_app(config)
        app.test_cli_runner_class = CommandRunner
        return app

    return build


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """The app, bound to the test's connection. No app context is held open: every request
    and every command gets its own context, `g` and session, as in production."""
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Runs `flask` commands each in an app context (and so a session) of its own, as a real
    command process would; its commits become savepoints of the test's transaction."""
    return app.test_cli_runner()


class CommandRunner(FlaskCliRunner):
    def invoke(self, cli: Any = None, args: Any = None, **kwargs: Any) -> Any:
        with self.app.app_context():
            return super().invoke(cli, args, **kwargs)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """The test's own session on the shared connection. Requests and commands use sessions of
    their own that end with them; call `session.expire_all()` to see what they changed."""
    with get_db(app).sessionmaker() as session:
        yield session


@pytest.fixture
def factory(session: Session) -> Factory:
    return Factory(session, NOW)

"""Browser tests: the app served on loopback by a real server thread, driven by Chromium.

The server runs over its own migrated database (committed data must be visible across
threads), one per test module and backend, so modules do not see each other's claims;
one headless Chromium serves the whole session, a page per test.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from app import create_app
from app.accounts.users import create_user
from app.clock import utcnow
from app.unit_of_work import get_session
from tests.conftest import app_config
from tests.databases import backends, fresh_database

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
# Screenshots go outside the repository (never committed): $CLAIMWATCH_SCREENSHOTS, or a
# folder in the system's temporary directory.
SCREENSHOTS = Path(
    os.environ.get("CLAIMWATCH_SCREENSHOTS")
    or Path(tempfile.gettempdir()) / "claimwatch-screenshots"
)
PASSWORD = "correct horse battery"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Served:
    """A running app: its URL, the app (for setup in its database) and the seeded accounts."""

    url: str
    app: Flask
    backend: str
    reviewer: str = "reviewer@newsroom.example"
    viewer: str = "viewer@newsroom.example"
    admin: str = "admin@newsroom.example"


@pytest.fixture(scope="module", params=backends())
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    directory = tmp_path_factory.mktemp("served")
    # A test module may set SERVED_SETTINGS (e.g. ALLOW_PRIVATE_URLS) for its app.
    settings = getattr(request.module, "SERVED_SETTINGS", {})
    with fresh_database(request.param, directory) as url:
        app = create_app(app_config(url, INSTANCE_PATH=str(directory), **settings))
        served = Served("", app, request.param)
        with app.app_context():
            session = get_session()
            for email, role, name in [
                (served.reviewer, "reviewer", "Rita Reviewer"),
                (served.viewer, "viewer", "Victor Viewer"),
                (served.admin, "admin", "Ada Admin"),
            ]:
                create_user(session, utcnow(), email, role, name=name, password=PASSWORD)
            session.commit()
        server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        served.url = f"http://127.0.0.1:{server.server_port}"
        try:
            yield served
        finally:
            server.shutdown()
            thread.join(timeout=5)
            app.extensions["claimwatch.db"].engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh context (no cookies) and page; any dialog fails the test that opened it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()
    assert page.dialogs == [], f"a dialog opened: {page.dialogs}"


def sign_in(page: object, served: Served, email: str) -> None:
    page.goto(f"{served.url}/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{served.url}/claims")


def screenshot(page: object, name: str) -> Path:
    """A full-page screenshot saved as `name` in SCREENSHOTS (outside the repository)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path

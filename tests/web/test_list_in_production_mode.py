"""The claim list as it runs in production, on an engine of its own (not the tests' shared
connection): on PostgreSQL the signed-in user, the counts and the page are read on a plain
pooled connection in autocommit (`app.db.autocommit_connection`), on SQLite in the session's
transaction. Either way the page sees what was just written, a session ended elsewhere ends
here at once, and nothing is left checked out of the pool."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask

from app import create_app
from app.accounts.users import create_user, set_active
from app.claims import create_claim
from app.clock import utcnow
from app.models import User
from app.sweep import flag_overdue_claims
from app.unit_of_work import get_db, get_session
from tests.conftest import app_config
from tests.databases import backends, fresh_database
from tests.web.conftest import PASSWORD, Browser


@pytest.fixture(params=backends())
def served(request: pytest.FixtureRequest, tmp_path) -> Iterator[Flask]:
    with fresh_database(request.param, tmp_path) as url:
        app = create_app(app_config(url, INSTANCE_PATH=str(tmp_path)))
        with app.app_context():
            session = get_session()
            now = utcnow()
            user = create_user(session, now, "desk@newsroom.example", "reviewer", "Desk", PASSWORD)
            create_claim(session, user, now, {"statement": "Late one", "window_end": now})
            create_claim(
                session,
                user,
                now,
                {"statement": "Open one", "window_end": now + timedelta(days=3)},
            )
            flag_overdue_claims(session, now + timedelta(hours=1))
            session.commit()
        yield app
        get_db(app).engine.dispose()


def test_the_list_reads_what_was_written_and_ends_with_the_session(
    served: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = get_db(served)
    pool = db.engine.pool
    browser = Browser(served.test_client())
    browser.sign_in("desk@newsroom.example")
    sessions = []
    make_session = db.session
    monkeypatch.setattr(db, "session", lambda: sessions.append(1) or make_session())
    html = browser.get("/claims").get_data(as_text=True)
    # A page that changes nothing reads on the read connection: no ORM session at all.
    assert sessions == []
    assert html.index("Late one") < html.index("Open one")
    assert re.search(r'<span class="n">1</span> Overdue', html)
    assert re.search(r'<span class="n">1</span> Pending', html)
    assert pool.checkedout() == 0

    created = browser.post(
        "/claims/new", {"statement": "Written just now", "window_end": "2030-01-01"}
    )
    assert created.status_code == 302
    html = browser.get("/claims").get_data(as_text=True)
    assert "Written just now" in html
    assert re.search(r'<span class="n">2</span> Pending', html)
    assert pool.checkedout() == 0

    with served.app_context():
        session = get_session()
        set_active(session, session.query(User).one(), False, utcnow())
        session.commit()
    assert browser.get("/claims").status_code == 302
    assert pool.checkedout() == 0

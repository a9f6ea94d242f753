"""How long a web session lasts, and what the database knows of it.

A session ends after SESSION_IDLE_TIMEOUT without a request (12 hours) and, however busy,
SESSION_ABSOLUTE_TIMEOUT after signing in (7 days). Both are checked on the server, from times
in the signed cookie; the database keeps only a hash of the session's token.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.accounts.tokens import hash_token
from app.models import User, UserSession
from tests.conftest import NOW


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def cookie_of(browser, app) -> dict:
    """The signed session cookie's content, as the server reads it."""
    value = browser.client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    return app.session_interface.get_signing_serializer(app).loads(value)


def test_a_session_ends_after_twelve_hours_without_a_request(clock, browser, reviewer, session):
    session.commit()
    browser.sign_in(reviewer.email)
    for _ in range(3):  # a day and a half, never idle for twelve hours
        clock.shift(timedelta(hours=11, minutes=59))
        assert browser.get("/claims").status_code == 200
    clock.shift(timedelta(hours=12))
    response = browser.get("/claims")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")
    assert browser.get("/settings").status_code == 302  # not back once the clock is checked


def test_a_session_ends_seven_days_after_sign_in_however_busy(clock, browser, reviewer, session):
    session.commit()
    browser.sign_in(reviewer.email)
    for _ in range(27):  # every six hours for six days and eighteen hours
        clock.shift(timedelta(hours=6))
        assert browser.get("/claims").status_code == 200
    clock.shift(timedelta(hours=5, minutes=59))
    assert browser.get("/claims").status_code == 200
    clock.shift(timedelta(minutes=1))
    assert browser.get("/claims").status_code == 302
    assert browser.sign_in(reviewer.email).status_code == 302  # signing in starts a new week
    assert browser.get("/claims").status_code == 200


def test_the_limits_are_settings(clock, app, browser, reviewer, session):
    app.config["SESSION_IDLE_TIMEOUT"] = timedelta(minutes=30)
    app.config["SESSION_ABSOLUTE_TIMEOUT"] = timedelta(hours=2)
    session.commit()
    browser.sign_in(reviewer.email)
    clock.shift(timedelta(minutes=29))
    assert browser.get("/claims").status_code == 200
    clock.shift(timedelta(minutes=30))
    assert browser.get("/claims").status_code == 302


def test_pages_rewrite_the_cookie_at_most_once_a_minute(clock, browser, reviewer, session):
    # Last-seen is kept to the minute, so a reader clicking through pages does not get a new
    # cookie with every page (and the database is never written to for it).
    session.commit()
    browser.sign_in(reviewer.email)
    clock.shift(timedelta(seconds=59))
    assert "Set-Cookie" not in browser.get("/claims").headers
    clock.shift(timedelta(seconds=1))
    assert "Set-Cookie" in browser.get("/claims").headers
    clock.shift(timedelta(seconds=30))
    assert "Set-Cookie" not in browser.get("/claims").headers


def test_the_database_keeps_only_a_hash_of_the_session_token(app, browser, reviewer, session):
    session.commit()
    browser.sign_in(reviewer.email)
    user_id, _, token = cookie_of(browser, app)["_user_id"].partition(":")
    assert int(user_id) == reviewer.id and len(token) >= 40
    stored = session.scalars(select(UserSession.token_hash)).all()
    assert stored == [hash_token(token)]
    users = session.execute(select(User.__table__)).all()
    assert not any(token in str(value) for row in users for value in row)


def test_signing_out_on_one_device_leaves_the_others_signed_in(new_browser, reviewer, session):
    session.commit()
    phone, laptop = new_browser(), new_browser()
    phone.sign_in(reviewer.email)
    laptop.sign_in(reviewer.email)
    assert phone.post("/sign-out").status_code == 302
    assert phone.get("/claims").status_code == 302
    assert laptop.get("/claims").status_code == 200

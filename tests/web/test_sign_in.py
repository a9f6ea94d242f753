"""Signing in and out: sessions, rate limits, and what ends a session."""

from __future__ import annotations

from datetime import timedelta

from app.accounts.sessions import SessionLimits, start_session
from app.accounts.users import set_active
from app.unit_of_work import get_session
from app.web.signed_in import SignedIn, current_account
from tests.conftest import NOW
from tests.web.conftest import PASSWORD

DAY = timedelta(days=1)


def test_pages_need_a_signed_in_user(browser):
    response = browser.get("/claims")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in?next=")


def test_signing_in_opens_the_claim_list(browser, reviewer, session):
    session.commit()
    response = browser.sign_in(reviewer.email)
    assert response.status_code == 302
    assert response.location == "/claims"
    assert "Rita Reviewer" in browser.get("/claims").get_data(as_text=True)


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(browser, reviewer):
    response = browser.sign_in(reviewer.email, "not the password")
    assert response.status_code == 401
    assert "The email or password is not right." in response.get_data(as_text=True)
    assert browser.sign_in("nobody@newsroom.example").status_code == 401


def test_the_session_is_renewed_at_sign_in(browser, reviewer):
    browser.get("/sign-in")
    before = browser.client.get_cookie("claimwatch_session").value
    browser.sign_in(reviewer.email)
    after = browser.client.get_cookie("claimwatch_session").value
    assert before != after
    assert browser.get("/claims").status_code == 200


def test_next_only_leads_to_our_own_pages(new_browser, reviewer):
    for target, expected in [
        ("/dashboard", "/dashboard"),
        ("https://evil.example/", "/claims"),
        ("//evil.example/", "/claims"),
        ("/\\evil.example", "/claims"),
    ]:
        browser = new_browser()
        browser.get("/sign-in")
        response = browser.post(
            f"/sign-in?next={target}", {"email": reviewer.email, "password": PASSWORD}
        )
        assert response.location == expected, target


def test_signing_out_ends_the_session_even_for_a_copied_cookie(browser, new_browser, reviewer):
    browser.sign_in(reviewer.email)
    copy = new_browser()
    copy.client.set_cookie(
        "claimwatch_session", browser.client.get_cookie("claimwatch_session").value
    )
    assert copy.get("/claims").status_code == 200
    assert browser.post("/sign-out").status_code == 302
    assert browser.get("/claims").status_code == 302
    assert copy.get("/claims").status_code == 302


def test_a_password_change_ends_the_other_sessions_but_not_this_one(new_browser, reviewer, session):
    phone, laptop = new_browser(), new_browser()
    phone.sign_in(reviewer.email)
    laptop.sign_in(reviewer.email)
    response = laptop.post(
        "/settings/password",
        {"current_password": PASSWORD, "new_password": "a brand new passphrase"},
    )
    assert response.status_code == 302
    assert laptop.get("/settings").status_code == 200
    assert phone.get("/claims").status_code == 302
    assert phone.sign_in(reviewer.email).status_code == 401
    assert phone.sign_in(reviewer.email, "a brand new passphrase").status_code == 302


def test_deactivation_ends_the_users_sessions(browser, reviewer, session):
    browser.sign_in(reviewer.email)
    set_active(session, reviewer, False, NOW)
    session.commit()
    assert browser.get("/claims").status_code == 302
    assert browser.sign_in(reviewer.email).status_code == 401


def test_sign_in_attempts_are_limited_per_account(new_browser, reviewer):
    for _ in range(5):
        assert new_browser().sign_in(reviewer.email, "guess").status_code == 401
    blocked = new_browser().sign_in(reviewer.email, PASSWORD)
    assert blocked.status_code == 429
    assert "Too many sign-in attempts" in blocked.get_data(as_text=True)


def test_sign_in_attempts_are_limited_per_address(new_browser, factory):
    emails = [factory.user(password=PASSWORD).email for _ in range(7)]
    attempts = [(email, "guess") for email in emails for _ in range(3)][:20]
    statuses = [new_browser().sign_in(email, pw).status_code for email, pw in attempts]
    assert statuses == [401] * 20
    other = new_browser().sign_in(emails[-1], PASSWORD)
    assert other.status_code == 429


def test_successful_sign_ins_do_not_count_against_the_limit(new_browser, reviewer):
    for _ in range(7):
        assert new_browser().sign_in(reviewer.email).status_code == 302


def test_pages_after_sign_in_leave_the_session_cookie_as_it_is(browser, reviewer, session):
    # The sign-in cookie already holds the session's CSRF token, so showing a page (with its
    # sign-out form) changes nothing in the session and sets no new cookie.
    session.commit()
    browser.get("/sign-in")
    response = browser.post("/sign-in", {"email": reviewer.email, "password": PASSWORD})
    assert response.status_code == 302
    page = browser.client.get("/claims")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.get_data(as_text=True)
    assert "Set-Cookie" not in page.headers


def test_the_signed_in_user_reads_columns_beyond_its_light_copy_from_the_user_row(
    app, reviewer, session
):
    session.commit()
    account = current_account_of(app, reviewer)
    with app.test_request_context():
        signed_in = SignedIn(account, "token")
        assert (signed_in.label, signed_in.can_write, signed_in.is_admin) == (
            "Rita Reviewer", True, False
        )  # fmt: skip
        assert signed_in.digest_hour == reviewer.digest_hour  # not in the light copy
        assert signed_in.user.id == reviewer.id


def current_account_of(app, user):
    with app.test_request_context():
        token = start_session(get_session(), user, NOW, SessionLimits(DAY, 7 * DAY))
        account = current_account(user.id, token)
    assert account is not None
    return account

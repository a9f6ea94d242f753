"""What ends API tokens and feed keys for good: a password change, and deactivation.

A token minted from a signed-in session must not keep writing once the password that the
session came from has changed, and turning an account on again brings no token back. Feed
keys, minted the same way, go with them.
"""

from __future__ import annotations

import re

from app.models import ApiToken, TokenRevocation, User
from tests.api.conftest import Api, token_for
from tests.api.test_claims_api import DEEPSEEK
from tests.web.conftest import PASSWORD, Browser

NEW_PASSWORD = "a brand new passphrase"


def mint_in_settings(browser: Browser, password: str = PASSWORD) -> str:
    """A write token made on the settings page, as its owner would."""
    form = {"name": "script", "scope": "write", "current_password": password}
    response = browser.post("/settings/tokens", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    page = browser.get("/settings").get_data(as_text=True)
    return re.search(r'id="new-token">(cw_[^<]+)<', page).group(1)


def feed_address(browser: Browser) -> str:
    """A feed key made on the settings page, as the path a feed reader would fetch."""
    assert browser.post("/settings/feed-key").status_code == 302
    page = browser.get("/settings").get_data(as_text=True)
    return "/feeds/overdue.atom?key=" + re.search(r"overdue\.atom\?key=([\w-]+)", page).group(1)


def test_a_password_change_revokes_every_token_and_the_feed_key_of_the_user(
    app, client, factory, session
):
    user = factory.user(role="reviewer", password=PASSWORD)
    session.commit()
    browser = Browser(app.test_client())
    browser.sign_in(user.email)
    secret = mint_in_settings(browser)
    api = Api(client, secret)
    assert api.post("/claims", DEEPSEEK).status_code == 201
    feed = feed_address(browser)
    assert client.get(feed).status_code == 200

    changed = browser.post(
        "/settings/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert changed.status_code == 302
    response = api.post("/claims", {**DEEPSEEK, "statement": "Written after the change"})
    assert response.status_code == 401
    assert api.get("/claims").status_code == 401
    assert client.get(feed).status_code == 404
    session.expire_all()
    token = session.query(ApiToken).filter_by(user_id=user.id).one()
    assert token.revoked_reason == TokenRevocation.PASSWORD_CHANGED
    assert "password changed" in browser.get("/settings").get_data(as_text=True)
    # A token made after the change works: the user is not locked out of the API.
    assert Api(client, mint_in_settings(browser, NEW_PASSWORD)).get("/claims").status_code == 200


def test_a_deactivated_users_tokens_and_feed_key_stay_revoked_after_reactivation(
    app, client, factory, session
):
    admin = factory.user(role="admin", password=PASSWORD)
    user = factory.user(role="reviewer", password=PASSWORD)
    reader = Api(client, token_for(session, user, "write"))
    session.commit()
    assert reader.get("/claims").status_code == 200

    owner = Browser(app.test_client())
    owner.sign_in(user.email)
    feed = feed_address(owner)
    desk = Browser(app.test_client())
    desk.sign_in(admin.email)
    assert desk.post(f"/admin/users/{user.id}", {"role": "reviewer"}).status_code == 302
    assert reader.get("/claims").status_code == 401
    assert (
        desk.post(f"/admin/users/{user.id}", {"role": "reviewer", "active": "y"}).status_code == 302
    )
    session.expire_all()
    assert session.get(User, user.id).active
    assert reader.get("/claims").status_code == 401
    assert reader.post("/claims", DEEPSEEK).status_code == 401
    assert client.get(feed).status_code == 404
    token = session.query(ApiToken).filter_by(user_id=user.id).one()
    assert token.revoked_reason == TokenRevocation.USER_DEACTIVATED

"""Bearer tokens: who may read, who may write, and what a token remembers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.tokens import create_token, revoke_token
from app.models import ApiToken
from tests.api.conftest import Api, token_for
from tests.api.test_claims_api import DEEPSEEK
from tests.conftest import NOW


def test_no_token_is_401_with_a_challenge(client):
    response = Api(client, None).get("/claims")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer cw_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer"])
def test_unknown_or_malformed_credentials_are_401(client, header):
    response = client.get("/api/v1/claims", headers={"Authorization": header})
    assert response.status_code == 401


def test_read_token_can_read_but_not_write(api, read_token):
    assert api.get("/claims", token=read_token).status_code == 200
    response = api.post("/claims", DEEPSEEK, token=read_token)
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


def test_viewers_write_token_cannot_write(api, factory, session):
    viewer = factory.user(role="viewer")
    token = token_for(session, viewer, "write")
    assert api.get("/claims", token=token).status_code == 200
    response = api.post("/claims", DEEPSEEK, token=token)
    assert response.status_code == 403
    assert "viewer" in response.json["detail"]


def test_revoked_token_is_401(api, session, reviewer):
    token, secret = create_token(session, reviewer, NOW, "old script", "write")
    revoke_token(token, NOW)
    session.flush()
    assert api.get("/claims", token=secret).status_code == 401


def test_expired_token_is_401(api, session, reviewer, clock):
    _, secret = create_token(session, reviewer, NOW, "short", "read", NOW + timedelta(hours=2))
    session.flush()
    assert api.get("/claims", token=secret).status_code == 200
    clock.shift(timedelta(hours=2))
    assert api.get("/claims", token=secret).status_code == 401


def test_deactivated_users_token_is_401(api, session, factory):
    user = factory.user(role="reviewer")
    token = token_for(session, user, "read")
    user.active = False
    session.flush()
    assert api.get("/claims", token=token).status_code == 401


def test_token_records_when_it_was_last_used(api, session, read_token):
    assert api.get("/claims", token=read_token).status_code == 200
    session.expire_all()
    token = session.query(ApiToken).filter_by(name="read token").one()
    assert token.last_used_at == NOW + timedelta(hours=1)


def test_tokens_are_stored_only_as_a_hash(session, read_token):
    token = session.query(ApiToken).filter_by(name="read token").one()
    assert read_token.startswith("cw_")
    assert read_token not in (token.token_hash, token.prefix)


def test_web_session_cookie_is_not_accepted(client):
    client.set_cookie("session", "anything")
    assert client.get("/api/v1/claims").status_code == 401


def test_feed_key_does_not_open_the_api(api, session, reviewer):
    from app.accounts.users import regenerate_feed_key

    key = regenerate_feed_key(reviewer)
    session.flush()
    assert api.get(f"/claims?key={key}", token=key).status_code == 401


def test_tokens_create_prints_the_token_alone_on_its_last_line(runner, factory, session):
    user = factory.user(role="reviewer")
    session.commit()
    result = runner.invoke(args=["tokens", "create", user.email, "--scope", "read", "--name", "x"])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("cw_")
    assert " " not in last


def test_reads_may_use_a_recently_checked_token_but_writes_never_do(app, api, session, reviewer):
    app.config["API_READ_TOKEN_CACHE_SECONDS"] = 5
    token, secret = create_token(session, reviewer, NOW, "cached", "write")
    session.flush()
    assert api.get("/claims", token=secret).status_code == 200
    revoke_token(token, NOW)
    session.flush()
    assert api.post("/claims", DEEPSEEK, token=secret).status_code == 401
    # Within the cache's few seconds a read still passes; after them it does not.
    assert api.get("/claims", token=secret).status_code == 200


def test_a_cached_read_token_stops_working_after_the_cache_time(app, api, session, reviewer, clock):
    app.config["API_READ_TOKEN_CACHE_SECONDS"] = 5
    token, secret = create_token(session, reviewer, NOW, "cached", "read")
    session.flush()
    assert api.get("/claims", token=secret).status_code == 200
    revoke_token(token, NOW)
    session.flush()
    clock.shift(timedelta(seconds=6))
    assert api.get("/claims", token=secret).status_code == 401

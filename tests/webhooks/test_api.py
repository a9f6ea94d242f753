"""The webhook operations of the API: admins only, the secret once, the log with attempts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.accounts.tokens import create_token
from app.models import IdempotencyKey
from tests.conftest import NOW
from tests.webhooks.conftest import send_pass

API = "/api/v1"
CLOCK = NOW + timedelta(hours=1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(CLOCK, tick=False) as traveller:
        yield traveller


@pytest.fixture
def tokens(session, factory, admin):
    made = {}
    for name, user, scope in [
        ("admin", admin, "write"),
        ("admin_read", admin, "read"),
        ("reviewer", factory.reviewer, "write"),
    ]:
        _, made[name] = create_token(session, user, NOW, name, scope)
    session.commit()
    return made


def call(app, method, path, token, **kw):
    headers = {"Authorization": f"Bearer {token}", **kw.pop("headers", {})}
    return app.test_client().open(API + path, method=method, headers=headers, **kw)


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(hooks_app, tokens, receiver):
    created = call(
        hooks_app,
        "POST",
        "/webhooks",
        tokens["admin"],
        json={"url": receiver.url("/hook"), "events": ["resolved", "created"]},
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["created", "resolved"] and body["format"] == "standard"
    assert body["deliveries"] == {"pending": 0, "paused": 0, "delivered": 0, "failed": 0}
    assert created.headers["Location"] == f"{API}/webhooks/{body['id']}"
    listed = call(hooks_app, "GET", "/webhooks", tokens["admin_read"]).get_json()
    one = call(hooks_app, "GET", f"/webhooks/{body['id']}", tokens["admin"]).get_json()
    without_secret = {k: v for k, v in body.items() if k != "secret"}
    assert listed["items"] == [without_secret] and one == without_secret
    assert "whsec_" not in str(listed)


def test_a_retried_create_replays_the_secret_but_the_key_table_does_not_hold_it(
    hooks_app, tokens, receiver, session
):
    request = {"json": {"url": receiver.url("/hook")}, "headers": {"Idempotency-Key": "add-1"}}
    first = call(hooks_app, "POST", "/webhooks", tokens["admin"], **request)
    again = call(hooks_app, "POST", "/webhooks", tokens["admin"], **request)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    stored = session.scalars(select(IdempotencyKey.response_body)).one()
    assert first.get_json()["secret"].removeprefix("whsec_") not in stored
    assert stored.startswith("sealed:")
    assert len(call(hooks_app, "GET", "/webhooks", tokens["admin"]).get_json()["items"]) == 1


def test_only_an_admins_token_opens_the_webhooks_and_only_a_write_token_changes_them(
    hooks_app, tokens
):
    assert call(hooks_app, "GET", "/webhooks", tokens["reviewer"]).status_code == 403
    refused = call(
        hooks_app, "POST", "/webhooks", tokens["reviewer"], json={"url": "https://a.example"}
    )
    assert refused.status_code == 403
    assert refused.headers["Content-Type"] == "application/problem+json"
    read_only = call(
        hooks_app, "POST", "/webhooks", tokens["admin_read"], json={"url": "https://a.example"}
    )
    assert read_only.status_code == 403
    assert call(hooks_app, "GET", "/webhooks", "not-a-token").status_code == 401


def test_invalid_endpoints_are_422_naming_each_field(hooks_app, tokens):
    answer = call(
        hooks_app,
        "POST",
        "/webhooks",
        tokens["admin"],
        json={"url": "javascript:alert(1)", "events": ["teleported"]},
    )
    assert answer.status_code == 422
    assert set(answer.get_json()["errors"]) == {"url", "events"}
    assert (
        call(
            hooks_app,
            "POST",
            "/webhooks",
            tokens["admin"],
            json={"url": "https://a.example", "format": "teams"},
        ).status_code
        == 422
    )


def test_edit_test_log_redeliver_and_delete(hooks_app, tokens, receiver):
    created = call(
        hooks_app, "POST", "/webhooks", tokens["admin"], json={"url": receiver.url("/hook")}
    ).get_json()
    receiver.expect("/hook", created["secret"], statuses=[500, 200], body=b"try later")
    hook = f"/webhooks/{created['id']}"

    edited = call(
        hooks_app, "PATCH", hook, tokens["admin"], json={"format": "slack", "events": ["*"]}
    )
    assert edited.status_code == 200 and edited.get_json()["format"] == "slack"
    assert edited.get_json()["events"] == ["*"]

    queued = call(hooks_app, "POST", hook + "/test", tokens["admin"])
    assert queued.status_code == 202
    assert (
        queued.get_json()["status"] == "pending" and queued.get_json()["type"] == "claimwatch.test"
    )

    send_pass(hooks_app, CLOCK)
    [retrying] = call(hooks_app, "GET", hook + "/deliveries", tokens["admin"]).get_json()["items"]
    assert retrying["status"] == "pending" and retrying["last_status"] == 500
    assert retrying["last_answer"] == "try later" and retrying["next_attempt_at"] is not None
    send_pass(hooks_app, CLOCK + timedelta(minutes=2))
    page = call(hooks_app, "GET", hook + "/deliveries?status=delivered", tokens["admin"]).get_json()
    [delivered] = page["items"]
    assert [a["status"] for a in delivered["attempts"]] == [500, 200]
    assert [a["outcome"] for a in delivered["attempts"]] == ["retry", "delivered"]
    assert all(a["duration_ms"] >= 0 for a in delivered["attempts"])
    assert page["next"] is None

    again = call(
        hooks_app, "POST", f"{hook}/deliveries/{delivered['id']}/redeliver", tokens["admin"]
    )
    assert again.status_code == 202 and again.get_json()["webhook_id"] == delivered["webhook_id"]
    assert (
        call(
            hooks_app, "POST", f"{hook}/deliveries/{delivered['id']}/redeliver", tokens["admin"]
        ).status_code
        == 409
    )
    assert call(hooks_app, "GET", hook + "/deliveries?limit=0", tokens["admin"]).status_code == 422

    assert call(hooks_app, "DELETE", hook, tokens["admin"]).status_code == 204
    assert call(hooks_app, "GET", hook, tokens["admin"]).status_code == 404
    assert call(hooks_app, "GET", hook + "/deliveries", tokens["admin"]).status_code == 404


def test_the_delivery_log_pages_with_a_cursor(hooks_app, tokens, session, admin):
    from app.webhooks.actions import send_test

    created = call(
        hooks_app, "POST", "/webhooks", tokens["admin"], json={"url": "https://a.example/h"}
    ).get_json()
    for _ in range(3):
        send_test(session, admin, NOW, created["id"])
    session.commit()
    hook = f"/webhooks/{created['id']}/deliveries"
    first = call(hooks_app, "GET", hook + "?limit=2", tokens["admin"]).get_json()
    second = call(
        hooks_app, "GET", f"{hook}?limit=2&cursor={first['next']}", tokens["admin"]
    ).get_json()
    ids = [d["id"] for d in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 3
    assert second["next"] is None

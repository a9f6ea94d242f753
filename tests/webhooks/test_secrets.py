"""Endpoint secrets: Standard Webhooks secrets, encrypted at rest, surviving a key rotation."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlalchemy import text
from standardwebhooks import Webhook

from app.models import WebhookEndpoint
from app.webhooks.secrets import SecretBox, SecretUnavailable, new_secret
from tests.conftest import NOW
from tests.webhooks.conftest import deliveries, send_pass


def test_a_secret_is_whsec_and_base64_of_32_random_bytes():
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    assert new_secret() != secret
    Webhook(secret)  # the package takes it as it is


def test_a_copy_of_the_database_does_not_reveal_the_secret(
    hooks_app, session, connection, add_endpoint
):
    endpoint, secret = add_endpoint("https://hooks.example/a")
    dump = " ".join(
        str(value)
        for row in connection.execute(text("SELECT * FROM webhook_endpoints"))
        for value in row
    )
    raw = secret.removeprefix("whsec_")
    assert raw not in dump and raw[:12] not in dump
    assert (
        SecretBox("test-secret-key-not-for-production").open(
            endpoint.secret_key_id, endpoint.secret_ciphertext
        )
        == secret
    )


def test_a_secret_opens_only_under_its_key_and_unaltered():
    old, new = SecretBox("old key, long enough"), SecretBox("new key, long enough")
    key_id, sealed = old.seal("whsec_abc")
    assert old.open(key_id, sealed) == "whsec_abc"
    with pytest.raises(SecretUnavailable, match="SECRET_KEY_FALLBACKS"):
        new.open(key_id, sealed)
    altered = base64.b64encode(
        bytes([base64.b64decode(sealed)[0] ^ 1]) + base64.b64decode(sealed)[1:]
    )
    with pytest.raises(SecretUnavailable, match="altered"):
        old.open(key_id, altered.decode())
    rotated = SecretBox("new key, long enough", ["old key, long enough"])
    assert rotated.open(key_id, sealed) == "whsec_abc"
    assert rotated.seal("whsec_abc")[0] == new.key_id != key_id


def test_after_a_key_rotation_rekey_moves_every_secret_to_the_new_key(
    make_app, session, add_endpoint, receiver, factory
):
    endpoint, secret = add_endpoint(receiver.url("/hook"))
    rotated = make_app(
        SECRET_KEY="a brand new key for this test",
        SECRET_KEY_FALLBACKS="test-secret-key-not-for-production",
        ALLOW_PRIVATE_URLS="1",
    )
    result = rotated.test_cli_runner().invoke(args=["webhooks", "rekey"])
    assert result.exit_code == 0, result.output
    assert "1 secret(s) sealed under the current SECRET_KEY" in result.output
    session.expire_all()
    stored = session.get(WebhookEndpoint, endpoint.id)
    assert (
        SecretBox("a brand new key for this test").open(
            stored.secret_key_id, stored.secret_ciphertext
        )
        == secret
    )

    # The old key can go: deliveries are still signed with the same secret.
    receiver.expect("/hook", secret)
    factory.claim()
    session.commit()
    send_pass(make_app(SECRET_KEY="a brand new key for this test", ALLOW_PRIVATE_URLS="1"), NOW)
    assert len(receiver.at("/hook")) == 1 and receiver.refused == []


def test_a_secret_no_configured_key_opens_is_not_sent_and_waits_for_the_key(
    make_app, session, add_endpoint, receiver, factory
):
    add_endpoint(receiver.url("/hook"))
    receiver.expect("/hook", None)
    factory.claim()
    session.commit()
    send_pass(make_app(SECRET_KEY="another key altogether", ALLOW_PRIVATE_URLS="1"), NOW)
    [delivery] = deliveries(session)
    assert delivery.status == "pending" and "SECRET_KEY_FALLBACKS" in delivery.last_error
    assert receiver.at("/hook") == []
    send_pass(make_app(ALLOW_PRIVATE_URLS="1"), delivery.next_attempt_at + timedelta(seconds=1))
    assert [d.status for d in deliveries(session)] == ["delivered"]

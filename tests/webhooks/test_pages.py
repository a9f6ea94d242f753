"""The admin pages: add an endpoint (its secret shown once), edit it, its log, test, remove."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from app.models import WebhookEndpoint
from tests.conftest import NOW
from tests.web.conftest import PASSWORD, Browser, quick_hashing  # noqa: F401 (fixture)
from tests.webhooks.conftest import send_pass

SECRET = re.compile(r'id="webhook-secret">(whsec_[A-Za-z0-9+/=]+)<')
CLOCK = NOW + timedelta(hours=1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(CLOCK, tick=False) as traveller:
        yield traveller


@pytest.fixture
def as_admin(hooks_app, session, factory):
    admin = factory.user(role="admin", password=PASSWORD, name="Ada Admin")
    session.commit()
    browser = Browser(hooks_app.test_client())
    browser.sign_in(admin.email)
    return browser


def add(browser: Browser, url: str, **fields: str):
    return browser.post(
        "/admin/webhooks", {"url": url, "format": "standard", "all_events": "y", **fields}
    )


def test_an_added_webhooks_secret_is_shown_once_and_a_reload_adds_nothing(
    as_admin, session, receiver
):
    added = add(as_admin, receiver.url("/hook"))
    assert added.status_code == 302
    page = as_admin.get(added.headers["Location"])
    secret = SECRET.search(page.get_data(as_text=True)).group(1)
    again = as_admin.get(added.headers["Location"]).get_data(as_text=True)
    assert "whsec_" not in again and receiver.url("/hook") in again
    [endpoint] = session.query(WebhookEndpoint).all()
    assert secret.removeprefix("whsec_") not in endpoint.secret_ciphertext


def test_an_invalid_webhook_is_explained_beside_its_field_with_the_values_kept(as_admin, session):
    refused = add(as_admin, "ftp://files.example/x", all_events="", events="resolved")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "must be an http or https URL" in page and 'value="ftp://files.example/x"' in page
    assert session.query(WebhookEndpoint).count() == 0
    nothing = add(as_admin, "https://hooks.example/a", all_events="")
    assert nothing.status_code == 422 and "name at least one event kind" in nothing.get_data(
        as_text=True
    )


def test_an_admin_edits_sends_a_test_reads_the_log_delivers_again_and_removes(
    as_admin, hooks_app, session, receiver
):
    location = add(as_admin, receiver.url("/hook")).headers["Location"]
    secret = SECRET.search(as_admin.get(location).get_data(as_text=True)).group(1)
    receiver.expect("/hook", secret, statuses=[503, 200], body=b"accepted")
    endpoint_id = int(location.rsplit("/", 1)[1])

    saved = as_admin.post(
        location,
        {
            "url": receiver.url("/hook"),
            "format": "slack",
            "events": ["resolved", "created"],
            "active": "y",
        },
    )
    assert saved.status_code == 302
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    session.refresh(endpoint)
    assert (endpoint.format, endpoint.event_kinds) == ("slack", ["created", "resolved"])

    assert as_admin.post(f"{location}/test").status_code == 302
    assert "Test queued" in as_admin.get(location).get_data(as_text=True)
    send_pass(hooks_app, CLOCK)
    send_pass(hooks_app, CLOCK + timedelta(minutes=2))
    page = as_admin.get(location).get_data(as_text=True)
    assert "claimwatch.test" in page and "status-delivered" in page
    assert "<strong>200</strong> accepted" in page and "503" in page
    assert len(receiver.at("/hook")) == 2 and receiver.refused == []

    delivery_id = int(re.search(r'id="delivery-(\d+)"', page).group(1))
    assert as_admin.post(f"/admin/webhooks/deliveries/{delivery_id}/again").status_code == 302
    assert "status-pending" in as_admin.get(location).get_data(as_text=True)
    conflict = as_admin.post(f"/admin/webhooks/deliveries/{delivery_id}/again")
    assert conflict.status_code == 409 and "still to be sent" in conflict.get_data(as_text=True)

    off = as_admin.post(
        location, {"url": receiver.url("/hook"), "format": "slack", "all_events": "y"}
    )
    assert off.status_code == 302
    session.refresh(endpoint)
    assert not endpoint.active and endpoint.disabled_reason == "switched off by Ada Admin"

    assert as_admin.post(f"{location}/delete").status_code == 302
    assert as_admin.get(location).status_code == 404
    assert receiver.url("/hook") not in as_admin.get("/admin/webhooks").get_data(as_text=True)


def test_a_new_secret_is_shown_once_and_signs_from_then_on(as_admin, hooks_app, session, receiver):
    location = add(as_admin, receiver.url("/hook")).headers["Location"]
    old = SECRET.search(as_admin.get(location).get_data(as_text=True)).group(1)
    as_admin.post(f"{location}/secret")
    new = SECRET.search(as_admin.get(location).get_data(as_text=True)).group(1)
    assert new != old
    receiver.expect("/hook", new)
    as_admin.post(f"{location}/test")
    send_pass(hooks_app, CLOCK)
    assert len(receiver.at("/hook")) == 1 and receiver.refused == []

"""An admin adds a webhook in the browser, sends a test, and reads its answer in the log."""

from __future__ import annotations

import threading

import pytest

from app.clock import utcnow
from app.webhook_job import run_webhook_pass
from tests.browser.conftest import screenshot, sign_in
from tests.webhooks.receiver import Receiver

# The receiver runs on loopback.
SERVED_SETTINGS = {"ALLOW_PRIVATE_URLS": "1"}


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.stop()


@pytest.fixture
def scheduler(served):
    """The webhook job every 0.2 s, as the scheduler runs it every minute."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(0.2):
            run_webhook_pass(served.app, utcnow())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=15)


def test_an_admin_adds_a_webhook_sends_a_test_and_sees_it_answered(
    served, page, receiver, scheduler
):
    sign_in(page, served, served.admin)
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_label("URL").fill(receiver.url("/desk"))
    page.get_by_role("button", name="Add webhook").click()

    secret = page.locator("#webhook-secret").inner_text()
    assert secret.startswith("whsec_")
    receiver.expect("/desk", secret, body=b"received by the desk bot")
    page.reload()
    assert page.locator("#webhook-secret").count() == 0, "the secret is shown once"

    page.get_by_role("button", name="Send a test").click()
    assert "Test queued" in page.locator(".flash").inner_text()
    row = page.locator("table.deliveries tbody tr").first
    for _ in range(50):
        if "delivered" in row.inner_text():
            break
        page.wait_for_timeout(200)
        page.reload()
    text = row.inner_text()
    assert "claimwatch.test" in text and "delivered" in text
    assert "200 received by the desk bot" in text
    row.get_by_text("Log").click()
    assert "delivered · 200" in row.locator("ol.attempt-log").inner_text()
    screenshot(page, "webhook-log.png")
    page.set_viewport_size({"width": 390, "height": 844})
    for path in (page.url, f"{served.url}/admin/webhooks"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide on a phone"
    screenshot(page, "webhooks-phone.png")

    [request] = receiver.at("/desk")
    assert request.payload["type"] == "claimwatch.test" and receiver.refused == []

"""Failures: retried on the backoff schedule for about a day, 410 switches the endpoint off."""

from __future__ import annotations

import socket
from datetime import timedelta

from app.models import WebhookEndpoint
from app.webhooks.endpoints import update_endpoint
from app.webhooks.outbox import FIRST_RETRY, JITTER, LONGEST_RETRY, MAX_ATTEMPTS
from app.webhooks.settings import outbound_policy
from tests.conftest import NOW
from tests.webhooks.conftest import deliveries, send_pass

START = NOW + timedelta(minutes=1)


def expected_wait(attempt: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** (attempt - 1), LONGEST_RETRY)


def test_a_500_is_retried_on_the_backoff_schedule_for_about_a_day_then_failed(
    hooks_app, session, factory, receiver, add_endpoint
):
    _, secret = add_endpoint(receiver.url("/broken"))
    receiver.expect("/broken", secret, statuses=[500], body=b"database is down")
    factory.claim()
    session.commit()

    at, sent_at = START, []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        send_pass(hooks_app, at)
        sent_at.append(at)
        [delivery] = deliveries(session)
        assert len(receiver.at("/broken")) == attempt
        if attempt == MAX_ATTEMPTS:
            break
        assert delivery.status == "pending"
        wait = delivery.next_attempt_at - at
        low, high = expected_wait(attempt) * (1 - JITTER), expected_wait(attempt) * (1 + JITTER)
        assert low <= wait <= high + timedelta(seconds=5), (attempt, wait)
        # Not a moment early: a pass just before the next attempt sends nothing.
        send_pass(hooks_app, delivery.next_attempt_at - timedelta(seconds=2))
        assert len(receiver.at("/broken")) == attempt
        at = delivery.next_attempt_at

    assert delivery.status == "failed"
    assert (delivery.last_status, delivery.last_answer) == (500, "database is down")
    assert delivery.last_error.startswith(f"gave up after {MAX_ATTEMPTS} attempts")
    assert [entry["status"] for entry in delivery.attempt_log] == [500] * MAX_ATTEMPTS
    assert [entry["outcome"] for entry in delivery.attempt_log][-2:] == ["retry", "failed"]
    assert timedelta(hours=20) < sent_at[-1] - sent_at[0] < timedelta(hours=29)
    assert receiver.refused == []
    assert len({r.webhook_id for r in receiver.at("/broken")}) == 1
    send_pass(hooks_app, at + timedelta(days=2))
    assert len(receiver.at("/broken")) == MAX_ATTEMPTS


def test_a_timeout_is_retried_and_the_endpoints_next_delivery_waits_with_it(
    hooks_app, session, factory, receiver, add_endpoint
):
    _, secret = add_endpoint(receiver.url("/slow"))
    receiver.expect("/slow", secret, delays=[1.5, 0.0])
    factory.claim()
    factory.claim()
    session.commit()

    send_pass(hooks_app, START)
    first, second = deliveries(session)
    assert first.status == second.status == "pending"
    assert first.last_status is None and "timed out after 1 s" in first.last_error
    assert second.last_error.startswith("not sent: an earlier delivery here got no answer")
    assert [e["outcome"] for e in second.attempt_log] == ["deferred"]
    assert len(receiver.at("/slow")) == 1
    wait = first.next_attempt_at - START
    assert FIRST_RETRY * (1 - JITTER) <= wait <= FIRST_RETRY * (1 + JITTER) + timedelta(seconds=5)

    send_pass(hooks_app, max(first.next_attempt_at, second.next_attempt_at))
    assert {d.status for d in deliveries(session)} == {"delivered"}
    ids = [r.webhook_id for r in receiver.at("/slow")]
    # The receiver got the slow one twice (it answered too late), with the same webhook-id.
    assert len(ids) == 3 and ids.count(first.webhook_id) == 2 and second.webhook_id in ids
    assert receiver.refused == []


def test_no_connection_is_retried_with_the_reason_kept(hooks_app, session, factory, add_endpoint):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    add_endpoint(f"http://127.0.0.1:{port}/hook")
    factory.claim()
    session.commit()
    send_pass(hooks_app, START)
    [delivery] = deliveries(session)
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_error == "127.0.0.1 refused the connection"


def test_410_switches_the_endpoint_off_and_its_waiting_deliveries_stop(
    hooks_app, session, factory, admin, receiver, add_endpoint
):
    gone, gone_secret = add_endpoint(receiver.url("/gone"))
    _, fine_secret = add_endpoint(receiver.url("/fine"))
    receiver.expect("/gone", gone_secret, statuses=[410, 200])
    receiver.expect("/fine", fine_secret)
    for _ in range(3):
        factory.claim()
    session.commit()

    summary = send_pass(hooks_app, START)
    session.expire_all()
    endpoint = session.get(WebhookEndpoint, gone.id)
    assert summary.switched_off == [gone.id]
    assert not endpoint.active and "410" in endpoint.disabled_reason
    to_gone = [d for d in deliveries(session) if d.endpoint_id == gone.id]
    assert [d.status for d in to_gone] == ["failed", "paused", "paused"]
    assert to_gone[0].last_status == 410
    assert len(receiver.at("/gone")) == 1 and len(receiver.at("/fine")) == 3

    factory.claim()  # while it is off: not for it
    session.commit()
    send_pass(hooks_app, START + timedelta(minutes=1))
    assert len(receiver.at("/gone")) == 1 and len(receiver.at("/fine")) == 4

    policy = outbound_policy(hooks_app.config)
    update_endpoint(session, admin, START, gone.id, {"active": True}, policy)
    session.commit()
    send_pass(hooks_app, START + timedelta(minutes=2))
    to_gone = [d for d in deliveries(session) if d.endpoint_id == gone.id]
    assert [d.status for d in to_gone] == ["failed", "delivered", "delivered"]
    assert len(receiver.at("/gone")) == 3
    assert receiver.refused == []

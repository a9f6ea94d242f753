"""Senders in separate processes: two at once deliver each event once; a killed one loses none."""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from tests.databases import backends, fresh_database
from tests.webhooks.processes import delivery_rows, finished, seed, sender
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.stop()


def claim_ids(received) -> list[int]:
    return [r.payload["data"]["claim"]["id"] for r in received]


@pytest.mark.parametrize("backend", backends())
def test_two_senders_started_together_deliver_each_event_once_to_each_endpoint(
    backend, tmp_path, receiver
):
    paths = ["/a", "/b", "/c"]
    with fresh_database(backend, tmp_path) as url:
        secrets = seed(url, tmp_path, [receiver.url(p) for p in paths], claims=60)
        for path, secret in zip(paths, secrets, strict=True):
            receiver.expect(path, secret)
        pair = [sender(url, tmp_path, WEBHOOK_BATCH_SIZE="7") for _ in range(2)]
        outputs = [finished(p) for p in pair]
        rows = delivery_rows(url, tmp_path)

    assert receiver.refused == []
    for path in paths:
        got = Counter(claim_ids(receiver.at(path)))
        assert sorted(got) == list(range(1, 61)), outputs
        assert set(got.values()) == {1}, outputs
    assert len(rows) == 180 and len(set(rows)) == 180
    assert {status for *_, status in rows} == {"delivered"}


@pytest.mark.parametrize("backend", backends())
def test_a_sender_killed_mid_delivery_loses_nothing_and_repeats_one_with_its_webhook_id(
    backend, tmp_path, receiver
):
    with fresh_database(backend, tmp_path) as url:
        [secret] = seed(url, tmp_path, [receiver.url("/hook")], claims=5)
        script = receiver.expect("/hook", secret, hold=threading.Event())
        started = datetime.now(UTC)
        doomed = sender(url, tmp_path, WEBHOOK_LEASE_SECONDS="60")
        assert script.holding.wait(timeout=60), "the sender never reached the receiver"
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
        script.hold.set()
        time.sleep(0.2)

        early = finished(sender(url, tmp_path))
        assert "0 delivered" in early, "a live lease must not be taken over"
        # Past the killed sender's lease (60 s from its claim, a few seconds after `started`).
        restarted = finished(sender(url, tmp_path, started + timedelta(seconds=90)))
        rows = delivery_rows(url, tmp_path)

    assert receiver.refused == []
    received = receiver.at("/hook")
    by_claim = Counter(claim_ids(received))
    assert sorted(by_claim) == [1, 2, 3, 4, 5], restarted
    assert sorted(by_claim.values()) == [1, 1, 1, 1, 2]
    ids: dict[int, set[str]] = {}
    for r in received:
        ids.setdefault(r.payload["data"]["claim"]["id"], set()).add(r.webhook_id)
    assert all(len(found) == 1 for found in ids.values()), "a repeat had a new webhook-id"
    assert {status for *_, status in rows} == {"delivered"}

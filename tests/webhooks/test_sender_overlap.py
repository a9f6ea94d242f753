"""The sender with recording overlapped: one half of the endpoints is sent to while the other
half's outcomes are recorded, and still no endpoint gets its next delivery before its previous
outcome is recorded."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from app.outbound import FetchResult
from app.webhooks.outbox import Work
from app.webhooks.secrets import SecretBox, new_secret
from app.webhooks.sender import BatchSender, Outcome

AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


class Receiver:
    """Stands in for the outgoing client: answers 200 (or what `statuses` says for a URL)
    and notes each POST together with what had been recorded by then."""

    def __init__(self, recorded: set[int], statuses: dict[str, int] | None = None) -> None:
        self.recorded = recorded
        self.statuses = statuses or {}
        self.sent: list[tuple[int, frozenset[int]]] = []
        self.lock = threading.Lock()

    def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> FetchResult:
        delivery_id = int(headers["webhook-id"].removeprefix("msg_"))
        with self.lock:
            self.sent.append((delivery_id, frozenset(self.recorded)))
        return FetchResult(self.statuses.get(url, 200), {}, b"ok", url)


def works(box: SecretBox, endpoints: int, each: int) -> list[Work]:
    key_id, sealed = box.seal(new_secret())
    return [
        Work(
            delivery_id=endpoint * 100 + n,
            attempts=1,
            webhook_id=f"msg_{endpoint * 100 + n}",
            endpoint_id=endpoint,
            url=f"https://hooks.example/{endpoint}",
            format="standard",
            key_id=key_id,
            ciphertext=sealed,
            type="claim.created",
            payload='{"type":"claim.created","data":{}}',
        )
        for n in range(each)
        for endpoint in range(1, endpoints + 1)
    ]


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("endpoints", [1, 2, 5])
def test_no_endpoint_is_sent_its_next_delivery_before_its_last_outcome_is_recorded(
    workers, endpoints
):
    recorded: set[int] = set()
    receiver = Receiver(recorded)
    box = SecretBox("a-secret-key-for-the-sender-test")
    batch = works(box, endpoints, each=6)
    rounds: list[list[int]] = []
    recorders: set[str] = set()

    def record(outcomes: list[Outcome]) -> None:
        time.sleep(0.005)  # a database round trip, during which the other half is sent
        recorders.add(threading.current_thread().name)
        rounds.append([o.work.delivery_id for o in outcomes])
        recorded.update(o.work.delivery_id for o in outcomes)

    sender = BatchSender(receiver, box, "https://claimwatch.example", lambda: AT)  # type: ignore[arg-type]
    try:
        sender.run(batch, time.monotonic() + 60, workers, record, overlap=True)
    finally:
        sender.close()

    assert sorted(recorded) == sorted(w.delivery_id for w in batch)
    assert all(name.startswith("webhooks-record") for name in recorders)
    for delivery_id, seen in receiver.sent:
        endpoint, n = divmod(delivery_id, 100)
        assert all(endpoint * 100 + k in seen for k in range(n)), (delivery_id, sorted(seen))
    for endpoint in range(1, endpoints + 1):
        sent = [d for d, _ in receiver.sent if d // 100 == endpoint]
        assert sent == sorted(sent)  # each endpoint's deliveries in their order


def test_a_410_pauses_the_rest_of_that_endpoint_with_recording_overlapped():
    recorded: set[int] = set()
    receiver = Receiver(recorded, {"https://hooks.example/2": 410})
    box = SecretBox("a-secret-key-for-the-sender-test")
    outcomes: list[Outcome] = []
    sender = BatchSender(receiver, box, "https://claimwatch.example", lambda: AT)  # type: ignore[arg-type]
    try:
        sender.run(works(box, 3, each=4), time.monotonic() + 60, 1, outcomes.extend, overlap=True)
    finally:
        sender.close()

    gone = [o for o in outcomes if o.work.endpoint_id == 2]
    assert [o.attempt.status if o.attempt else None for o in gone] == [410, None, None, None]
    assert [o.pause for o in gone] == [False, True, True, True]
    assert sum(1 for d, _ in receiver.sent if d // 100 == 2) == 1


def test_a_failure_to_record_stops_the_sending_and_is_raised():
    receiver = Receiver(set())
    box = SecretBox("a-secret-key-for-the-sender-test")

    def record(outcomes: list[Outcome]) -> None:
        raise ConnectionError("the database went away")

    sender = BatchSender(receiver, box, "https://claimwatch.example", lambda: AT)  # type: ignore[arg-type]
    try:
        with pytest.raises(ConnectionError):
            sender.run(works(box, 4, each=5), time.monotonic() + 60, 1, record, overlap=True)
    finally:
        sender.close()
    # The first round of each half went out; nothing after a failed recording.
    assert len(receiver.sent) <= 4

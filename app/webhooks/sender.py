"""Sending a claimed batch through the outgoing-request guard, one endpoint per worker.

Each endpoint's deliveries go out in order, one at a time; different endpoints are sent to in
parallel (up to `workers`), so one slow receiver does not hold up the others. Every outcome is
handed to the caller's thread (which owns the database session) and recorded there before the
worker sends that endpoint's next delivery: a crash repeats at most the one delivery in flight
per endpoint.

When an endpoint gives no answer (a timeout, no connection), the rest of its deliveries in the
batch are not sent and count as an attempt ("deferred"); when it answers 410 the rest wait
(paused) with it switched off; past `stop_at` (half the lease) nothing more is sent, and what
is left is given back untried.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from standardwebhooks import Webhook

from app.outbound import OutboundClient, OutboundError, TooLarge
from app.webhooks.formats import request_body, signed_headers
from app.webhooks.outbox import Attempt, Work, answer_excerpt
from app.webhooks.secrets import SecretBox, SecretUnavailable


@dataclass(frozen=True)
class Outcome:
    """A delivery after its turn: `attempt` None when it was not tried (given back)."""

    work: Work
    attempt: Attempt | None
    pause: bool = False


class BatchSender:
    """Signs and POSTs claimed deliveries; `clock()` gives the current instant."""

    def __init__(
        self,
        client: OutboundClient,
        box: SecretBox,
        public_url: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.client = client
        self.box = box
        self.public_url = public_url
        self.clock = clock
        self._signers: dict[tuple[int, str, str], Webhook] = {}
        self._stopping = threading.Event()

    def run(
        self,
        works: list[Work],
        stop_at: float,
        workers: int,
        on_outcomes: Callable[[list[Outcome]], None],
    ) -> None:
        """Send `works`, handing their outcomes to `on_outcomes` in this thread, in each
        endpoint's order; outcomes of different endpoints that are ready together come in one
        call (to be recorded in one statement)."""
        groups: dict[int, list[Work]] = {}
        for work in works:
            groups.setdefault(work.endpoint_id, []).append(work)
        if workers <= 1 or len(groups) <= 1:
            for group in groups.values():
                for outcome in self._send_group(group, stop_at):
                    on_outcomes([outcome])
            return
        self._run_parallel(list(groups.values()), stop_at, workers, on_outcomes)

    def _run_parallel(
        self,
        groups: list[list[Work]],
        stop_at: float,
        workers: int,
        on_outcomes: Callable[[list[Outcome]], None],
    ) -> None:
        handoff: queue.Queue[tuple[Outcome, threading.Event] | None] = queue.Queue()

        def send(group: list[Work]) -> None:
            try:
                for outcome in self._send_group(group, stop_at):
                    recorded = threading.Event()
                    handoff.put((outcome, recorded))
                    recorded.wait()
            finally:
                handoff.put(None)

        failure: BaseException | None = None
        with ThreadPoolExecutor(max_workers=min(workers, len(groups))) as pool:
            futures = [pool.submit(send, group) for group in groups]
            finished = 0
            while finished < len(groups):
                ready = [handoff.get()]
                while not handoff.empty():
                    ready.append(handoff.get_nowait())
                finished += ready.count(None)
                items = [item for item in ready if item is not None]
                try:
                    if failure is None and items:
                        on_outcomes([outcome for outcome, _ in items])
                except BaseException as exc:  # the database went away: stop every worker
                    failure = exc
                    self._stopping.set()
                finally:
                    for _, recorded in items:
                        recorded.set()
        if failure is not None:
            raise failure
        for future in futures:
            future.result()

    def _send_group(self, group: list[Work], stop_at: float) -> Iterator[Outcome]:
        no_answer: str | None = None
        gone = False
        for work in group:
            if self._stopping.is_set() or time.monotonic() >= stop_at:
                yield Outcome(work, None)
            elif gone:
                yield Outcome(work, None, pause=True)
            elif no_answer is not None:
                reason = f"not sent: an earlier delivery here got no answer ({no_answer})"
                yield Outcome(work, Attempt(self.clock(), 0, None, None, reason, sent=False))
            else:
                attempt = self.attempt(work)
                yield Outcome(work, attempt)
                if attempt.status == 410:
                    gone = True
                elif attempt.status is None:
                    no_answer = attempt.error

    def attempt(self, work: Work) -> Attempt:
        """Sign and POST one delivery; the answer or the error, never an exception."""
        at = self.clock()
        try:
            signer = self._signer(work)
        except SecretUnavailable as exc:
            return Attempt(at, 0, None, None, f"not sent: {exc}", sent=False)
        body = request_body(work.format, work.payload, self.public_url)
        headers = signed_headers(signer, work.webhook_id, at, body)
        started = time.perf_counter()
        try:
            result = self.client.post(work.url, content=body.encode("utf-8"), headers=headers)
            status, answer, error = result.status, answer_excerpt(result.body), None
        except TooLarge as exc:
            status, answer, error = exc.status, None, str(exc)
        except OutboundError as exc:
            status, answer, error = None, None, str(exc)
        elapsed = round((time.perf_counter() - started) * 1000)
        return Attempt(at, elapsed, status, answer, error)

    def _signer(self, work: Work) -> Webhook:
        key = (work.endpoint_id, work.key_id, work.ciphertext)
        signer = self._signers.get(key)
        if signer is None:
            signer = self._signers[key] = Webhook(self.box.open(work.key_id, work.ciphertext))
        return signer

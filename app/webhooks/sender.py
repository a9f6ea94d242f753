"""Sending a claimed batch through the outgoing-request guard, one endpoint per worker.

Each endpoint's deliveries go out in order, one at a time; different endpoints are sent to in
parallel (up to `workers`), so one slow receiver does not hold up the others. Every outcome is
recorded (by the caller's `on_outcome`) before that endpoint's next delivery is sent: a crash
repeats at most the one delivery in flight per endpoint.

When an endpoint gives no answer (a timeout, no connection), the rest of its deliveries in the
batch are not sent and count as an attempt ("deferred"); when it answers 410 the rest wait
(paused) with it switched off; past `stop_at` (half the lease) nothing more is sent, and what
is left is given back untried.
"""

from __future__ import annotations

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
        # Kept for the whole pass: the same threads (and so the same database connections of
        # the caller's) send every batch.
        self._pool: ThreadPoolExecutor | None = None

    def close(self) -> None:
        """Let the worker threads go (after the last batch)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def run(
        self,
        works: list[Work],
        stop_at: float,
        workers: int,
        on_outcome: Callable[[Outcome], None],
    ) -> None:
        """Send `works`; `on_outcome` records each outcome before that endpoint's next
        delivery goes out. With `workers` > 1 it is called in the worker thread that sent
        (it must then record on a connection of that thread's own)."""
        groups: dict[int, list[Work]] = {}
        for work in works:
            groups.setdefault(work.endpoint_id, []).append(work)
        if workers <= 1 or len(groups) <= 1:
            for group in groups.values():
                for outcome in self._send_group(group, stop_at):
                    on_outcome(outcome)
            return

        def send(group: list[Work]) -> None:
            try:
                for outcome in self._send_group(group, stop_at):
                    on_outcome(outcome)
            except BaseException:
                self._stopping.set()  # the database went away: the other workers stop too
                raise

        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="webhooks")
        futures = [self._pool.submit(send, group) for group in groups.values()]
        for future in futures:
            future.exception()  # wait for every worker before raising the first failure
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

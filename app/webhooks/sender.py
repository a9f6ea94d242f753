"""Sending a claimed batch through the outgoing-request guard, one endpoint per worker.

Each endpoint's deliveries go out in order, one at a time, and each outcome is recorded before
that endpoint's next delivery is sent: a crash repeats at most the one delivery in flight per
endpoint. Endpoints are shared out among worker threads (up to `workers`), so one slow
receiver holds up only its own share; a worker takes its endpoints in rounds (one delivery of
each) and records a round's outcomes together, one statement round trip for them all.

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
        on_outcomes: Callable[[list[Outcome]], None],
    ) -> None:
        """Send `works`: the endpoints are shared out among up to `workers` threads; each
        thread takes its endpoints in rounds, one delivery of each per round, and hands the
        round's outcomes to `on_outcomes` (to record them together) before the next round. With
        more than one worker, `on_outcomes` is called in the worker's thread (it must then
        record on a connection of that thread's own)."""
        groups: dict[int, list[Work]] = {}
        for work in works:
            groups.setdefault(work.endpoint_id, []).append(work)
        count = max(1, min(workers, len(groups)))
        shares = [list(groups.values())[n::count] for n in range(count)]
        if count == 1:
            self._send_share(shares[0], stop_at, on_outcomes)
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="webhooks")
        futures = [
            self._pool.submit(self._send_share, share, stop_at, on_outcomes) for share in shares
        ]
        for future in futures:
            future.exception()  # wait for every worker before raising the first failure
        for future in futures:
            future.result()

    def _send_share(
        self,
        groups: list[list[Work]],
        stop_at: float,
        on_outcomes: Callable[[list[Outcome]], None],
    ) -> None:
        """Rounds over these endpoints: each one's next delivery is sent only once its
        previous outcome has been recorded."""
        senders = [self._send_group(group, stop_at) for group in groups]
        try:
            while senders:
                outcomes = []
                for sender in list(senders):
                    outcome = next(sender, None)
                    if outcome is None:
                        senders.remove(sender)
                    else:
                        outcomes.append(outcome)
                if outcomes:
                    on_outcomes(outcomes)
        except BaseException:
            self._stopping.set()  # the database went away: the other workers stop too
            raise

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

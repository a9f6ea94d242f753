"""The soak's users (locust): mixed reads and writes on the JSON API.

Every write the server acknowledges (200 / 201) is appended to the file SOAK_ACKS as one line
`kind<TAB>claim id<TAB>marker`, so that `bench/soak.py` can look each one up in the database
afterwards: `created` (the claim's statement carries the marker), `commented` (a `commented`
event's body is the marker), `edited` (an `edited` event set the subject to the marker).
Refusals the API documents for a race (409, 412) count as answered, not as failures; 5xx and
timeouts are failures. Environment: CW_TOKEN (a write token), SOAK_ACKS, SOAK_SEEDED (how many
claims the database was seeded with: ids 1..n).
"""

from __future__ import annotations

import os
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from locust import FastHttpUser, between, task

TIMEOUT = 15  # seconds: a request that takes longer is a hang, reported as a failure
ANSWERED = {200, 201, 404, 409, 412}
ACKS = open(os.environ["SOAK_ACKS"], "a", buffering=1)  # noqa: SIM115 (lives as long as locust)
SEEDED = int(os.environ.get("SOAK_SEEDED", "1000"))


def acknowledge(kind: str, claim_id: int, marker: str) -> None:
    ACKS.write(f"{kind}\t{claim_id}\t{marker}\n")


class Reviewer(FastHttpUser):
    """A script of the newsroom: lists, reads, files claims, comments, edits."""

    wait_time = between(0.05, 0.25)
    network_timeout = TIMEOUT
    connection_timeout = TIMEOUT

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Bearer {os.environ['CW_TOKEN']}"}
        self.created: list[int] = []

    def claim_id(self) -> int:
        if self.created and random.random() < 0.5:
            return random.choice(self.created)
        return random.randint(1, SEEDED)

    def call(self, method: str, path: str, name: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        with self.client.request(
            method, path, name=name, headers=headers, catch_response=True, **kwargs
        ) as response:
            if response.status_code in ANSWERED:
                response.success()
            else:
                response.failure(f"status {response.status_code}")
            return response

    @task(4)
    def list_claims(self) -> None:
        status = random.choice(["pending", "overdue", "pending&status=overdue"])
        self.call("GET", f"/api/v1/claims?status={status}&limit=50", "GET /claims")

    @task(4)
    def read_claim(self) -> None:
        self.call("GET", f"/api/v1/claims/{self.claim_id()}", "GET /claims/{id}")

    @task(1)
    def stats(self) -> None:
        self.call("GET", "/api/v1/stats", "GET /stats")

    @task(2)
    def file_claim(self) -> None:
        marker = uuid.uuid4().hex
        # Windows ending within the next two minutes: the sweep flags them during the soak.
        window_end = datetime.now(UTC) + timedelta(seconds=random.randint(5, 120))
        body = {
            "statement": f"Soak Corp will ship product {marker}",
            "subject": "Soak Corp",
            "source": f"Outlet {random.randint(1, 20)}",
            "window_end": window_end.isoformat().replace("+00:00", "Z"),
            "tags": ["soak"],
        }
        response = self.call(
            "POST", "/api/v1/claims", "POST /claims", json=body, headers={"Idempotency-Key": marker}
        )
        if response.status_code == 201:
            claim_id = response.json()["id"]
            self.created.append(claim_id)
            acknowledge("created", claim_id, marker)

    @task(2)
    def comment(self) -> None:
        claim_id, marker = self.claim_id(), uuid.uuid4().hex
        response = self.call(
            "POST",
            f"/api/v1/claims/{claim_id}/comments",
            "POST /claims/{id}/comments",
            json={"body": marker},
        )
        if response.status_code == 201:
            acknowledge("commented", claim_id, marker)

    @task(1)
    def edit(self) -> None:
        claim_id, marker = self.claim_id(), uuid.uuid4().hex
        read = self.call("GET", f"/api/v1/claims/{claim_id}", "GET /claims/{id}")
        if read.status_code != 200:
            return
        response = self.call(
            "PATCH",
            f"/api/v1/claims/{claim_id}",
            "PATCH /claims/{id}",
            json={"subject": marker},
            headers={"If-Match": read.headers["ETag"]},
        )
        if response.status_code == 200:
            acknowledge("edited", claim_id, marker)

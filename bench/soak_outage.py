"""`scripts/soak --restart-postgres`: restart PostgreSQL mid-soak and time the recovery.

A probe asks the API for one claim every PROBE_INTERVAL and keeps every answer (time sent,
time answered, status), so the outage can be read off afterwards: what requests got while the
database was away (503s, and how long they took: a hang would show), and how long after
PostgreSQL accepted connections again the first request succeeded.
"""

from __future__ import annotations

import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

PROBE_INTERVAL = 0.2
PROBE_TIMEOUT = 15.0


@dataclass
class Answer:
    sent: float  # time.time()
    done: float
    status: int  # 0: no HTTP answer (connection error or timeout)


@dataclass
class Probe:
    """GET /api/v1/claims?limit=1 every PROBE_INTERVAL in a thread, until `stop()`."""

    base: str
    token: str
    answers: list[Answer] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        request = urllib.request.Request(  # noqa: S310 (our own loopback URL)
            f"{self.base}/api/v1/claims?limit=1",
            headers={"Authorization": f"Bearer {self.token}"},
        )
        while not self._stop.is_set():
            sent = time.time()
            try:
                with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT) as response:  # noqa: S310
                    status = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError:
                status = 0
            self.answers.append(Answer(sent, time.time(), status))
            self._stop.wait(PROBE_INTERVAL)


@dataclass
class Restart:
    """When PostgreSQL was restarted: the command's start, and when it accepted again."""

    began: float = 0.0
    up: float = 0.0
    output: str = ""


def pg_is_ready() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0  # noqa: S607


def wait_until_ready(timeout: float = 120) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pg_is_ready():
            return True
        time.sleep(0.1)
    return False


def restart_postgres(after: float, restart: Restart) -> threading.Thread:
    """In `after` seconds, restart the local cluster (pg_ctlcluster ... main restart)."""

    def run() -> None:
        time.sleep(after)
        version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
        restart.began = time.time()
        done = subprocess.run(  # noqa: S603
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
            # Its own session: a Ctrl-C in the terminal must not stop it between the stop and
            # the start, leaving the shared server down.
            start_new_session=True,
        )
        wait_until_ready()
        restart.up = time.time()
        restart.output = (done.stdout + done.stderr).strip()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def recovery_report(answers: list[Answer], restart: Restart, scheduler_log: Path) -> list[str]:
    """What the probe and the scheduler saw around the restart, as report lines."""
    if not restart.up:
        return ["PostgreSQL restart: did not happen (the soak ended first?)"]
    during = [a for a in answers if a.done >= restart.began and a.sent <= restart.up]
    ok_after = [a for a in answers if a.status == 200 and a.done >= restart.up]
    failed = [a for a in answers if a.status != 200 and a.done >= restart.began]
    statuses: dict[int, int] = {}
    for answer in failed:
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
    slowest = max((a.done - a.sent for a in failed), default=0.0)
    lines = [
        f"PostgreSQL restart: down for {restart.up - restart.began:.1f} s "
        "(pg_ctlcluster restart began → pg_isready)",
        f"probe answers while it was down: {len(during)}; failed answers by status: "
        + (", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())) or "none")
        + f"; slowest failed answer {slowest * 1000:.0f} ms",
    ]
    if ok_after:
        first = min(a.done for a in ok_after)
        lines.append(
            f"web recovery: first successful request {first - restart.up:.2f} s after "
            "PostgreSQL accepted connections again"
        )
    else:
        lines.append("web recovery: NO successful request after the restart")
    lines.append(scheduler_recovery(scheduler_log, restart))
    return lines


def scheduler_recovery(log: Path, restart: Restart) -> str:
    """The first sweep that succeeded after the restart, from the scheduler's log lines
    (`2026-11-28 16:14:03,123 INFO claimwatch.scheduler: sweep: flagged 3 claims in 5 ms`)."""
    for line in log.read_text(errors="replace").splitlines():
        if "sweep: flagged" not in line:
            continue
        try:
            at = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
        except ValueError:
            continue
        if at >= restart.up:
            return (
                f"scheduler recovery: first successful sweep {at - restart.up:.1f} s after "
                "PostgreSQL was back (sweeps run every SWEEP_INTERVAL)"
            )
    return "scheduler recovery: NO successful sweep after the restart"

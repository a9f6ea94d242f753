"""The scheduler runs the sweep on its interval, logs every run, survives outages and stops
cleanly on a signal."""

from __future__ import annotations

import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app import create_app, migrate
from app.config import PROJECT_ROOT
from app.models import Claim
from app.scheduler import build_scheduler, run_job, scheduled_jobs
from app.unit_of_work import get_db
from tests.bulk import insert_pending_claims
from tests.conftest import NOW, app_config
from tests.databases import fresh_database
from tests.tcp_forwarder import TcpForwarder, free_port


def sweep_job(app):
    [job] = [job for job in scheduled_jobs(app) if job.name == "sweep"]
    return job


def run_messages(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "claimwatch.scheduler"]


def test_the_sweep_runs_every_sweep_interval_starting_at_once(app):
    app.config["SWEEP_INTERVAL"] = timedelta(minutes=5)
    app.config["WATCH_INTERVAL"] = timedelta(minutes=15)
    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"sweep", "digests", "watches", "webhooks"}
    job = jobs["sweep"]
    assert job.trigger.interval == timedelta(minutes=5)
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 300)
    assert abs(job.next_run_time - datetime.now(UTC)) < timedelta(seconds=5)
    assert jobs["digests"].trigger.interval == timedelta(minutes=1)
    assert jobs["digests"].max_instances == 1
    assert jobs["watches"].trigger.interval == timedelta(minutes=15)
    assert jobs["watches"].max_instances == 1
    assert jobs["webhooks"].trigger.interval == timedelta(minutes=1)
    assert jobs["webhooks"].max_instances == 1


def test_each_run_is_logged_with_its_count_and_duration(app, factory, session, caplog):
    for hours in (1, 2):
        factory.claim(window_end=NOW - timedelta(hours=hours))
    session.commit()
    with time_machine.travel(NOW, tick=False), caplog.at_level(logging.INFO):
        run_job(app, sweep_job(app))
        run_job(app, sweep_job(app))
    first, second = run_messages(caplog)
    assert first.startswith("sweep: flagged 2 claims in ")
    assert first.endswith(" ms")
    assert second.startswith("sweep: flagged 0 claims in ")


def test_a_scheduler_down_for_a_day_flags_the_whole_backlog_in_one_catch_up_run(
    app, factory, session, caplog
):
    last_run = NOW
    # One claim falling due every 15 minutes of the day the scheduler was down.
    backlog = [factory.claim(window_end=last_run + timedelta(minutes=15 * n)) for n in range(1, 97)]
    factory.claim(window_end=last_run + timedelta(days=2))
    session.commit()
    with time_machine.travel(last_run, tick=False), caplog.at_level(logging.INFO):
        run_job(app, sweep_job(app))
    a_day_later = last_run + timedelta(days=1, seconds=1)
    with time_machine.travel(a_day_later, tick=False), caplog.at_level(logging.INFO):
        run_job(app, sweep_job(app))
        run_job(app, sweep_job(app))
    assert [m.split(" in ")[0] for m in run_messages(caplog)] == [
        "sweep: flagged 0 claims",
        "sweep: flagged 96 claims",
        "sweep: flagged 0 claims",
    ]
    overdue = session.scalar(select(func.count()).where(Claim.status == "overdue"))
    assert overdue == len(backlog)


@pytest.fixture
def postgresql_url(tmp_path: Path) -> Iterator[str]:
    """A database of its own; made in setup, since Alembic's logging config replaces the
    root handlers (caplog's among them) when it runs."""
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("needs TEST_DATABASE_URL")
    with fresh_database("postgresql", tmp_path) as url:
        yield url


@pytest.mark.postgres_only
def test_a_run_while_postgresql_is_unreachable_is_logged_and_the_next_run_recovers(
    postgresql_url, tmp_path, caplog
):
    url = postgresql_url
    real = make_url(url)
    port = free_port()
    via_forwarder = real.set(host="127.0.0.1", port=port, query={"connect_timeout": "3"})
    app = create_app(
        app_config(
            via_forwarder.render_as_string(hide_password=False),
            INSTANCE_PATH=str(tmp_path),
        )
    )
    job = sweep_job(app)
    due = datetime.now(UTC) - timedelta(hours=1)
    forwarder = None
    try:
        with caplog.at_level(logging.INFO):
            run_job(app, job)  # never reachable yet
            forwarder = TcpForwarder(port, (real.host, real.port or 5432))
            insert_pending_claims(url, [due], created=due)
            run_job(app, job)
            forwarder.stop()  # down again, with a connection in the pool
            insert_pending_claims(url, [due], created=due)
            run_job(app, job)
            forwarder = TcpForwarder(port, (real.host, real.port or 5432))
            run_job(app, job)
    finally:
        if forwarder is not None:
            forwarder.stop()
        get_db(app).engine.dispose()
    outcomes = [m.split(" after ")[0].split(" in ")[0] for m in run_messages(caplog)]
    assert outcomes == [
        "sweep: failed",
        "sweep: flagged 1 claims",
        "sweep: failed",
        "sweep: flagged 1 claims",
    ]


class LineReader:
    """The lines a subprocess writes to stderr, readable with a timeout."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        for line in process.stderr:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append(line)
            if text in line:
                return
        raise AssertionError(f"no line with {text!r} in:\n{''.join(self.seen)}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_the_scheduler_process_outlives_an_outage_and_stops_cleanly_on_a_signal(
    tmp_path: Path, signum: signal.Signals
):
    database_dir = tmp_path / "database"  # missing: SQLite cannot open the file yet
    url = f"sqlite:///{database_dir / 'claimwatch.db'}"
    env = {
        **os.environ,
        **app_config(url, INSTANCE_PATH=str(tmp_path / "instance")),
        "SWEEP_INTERVAL": "1s",
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "scheduler"],
        cwd=PROJECT_ROOT,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        output = LineReader(process)
        output.wait_for("sweep: failed after")
        # The database appears all at once, migrated and with one due claim.
        staging = tmp_path / "staging"
        staging.mkdir()
        staged_url = f"sqlite:///{staging / 'claimwatch.db'}"
        migrate.upgrade(staged_url)
        due = datetime.now(UTC) - timedelta(hours=1)
        insert_pending_claims(staged_url, [due], created=due)
        staging.rename(database_dir)
        output.wait_for("sweep: flagged 1 claims")
        output.wait_for("sweep: flagged 0 claims")
        process.send_signal(signum)
        assert process.wait(timeout=15) == 0
        output.wait_for("scheduler: stopped", timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


class Rescheduled:
    def __init__(self) -> None:
        self.times: list[datetime] = []

    def __call__(self, when: datetime) -> None:
        self.times.append(when)


def test_a_run_that_met_no_database_is_retried_within_seconds_not_a_whole_interval_later(app):
    from sqlalchemy.exc import OperationalError

    from app.scheduler import RETRY_AFTER_OUTAGE, ScheduledJob

    def unreachable(_app, _now):
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    def broken(_app, _now):
        raise ValueError("a bug, not an outage")

    reschedule = Rescheduled()
    with time_machine.travel(NOW, tick=False):
        run_job(app, ScheduledJob("sweep", unreachable, timedelta(minutes=5)), reschedule)
        run_job(app, ScheduledJob("sweep", broken, timedelta(minutes=5)), reschedule)
        run_job(app, ScheduledJob("fast", unreachable, timedelta(seconds=2)), reschedule)
    # Only the outage, and only where the retry comes sooner than the interval.
    assert reschedule.times == [NOW + RETRY_AFTER_OUTAGE]


def test_the_scheduler_moves_a_failed_jobs_next_run_forward(app):
    from sqlalchemy.exc import OperationalError

    from app.scheduler import RETRY_AFTER_OUTAGE, ScheduledJob

    def unreachable(_app, _now):
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    scheduler = build_scheduler(app, [ScheduledJob("sweep", unreachable, timedelta(minutes=5))])
    [job] = scheduler.get_jobs()
    with time_machine.travel(NOW, tick=False):
        job.func(*job.args)
    assert scheduler.get_job("sweep").next_run_time == NOW + RETRY_AFTER_OUTAGE

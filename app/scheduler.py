"""The scheduler process (`flask scheduler`): the periodic jobs, beside the web server.

It runs in a process of its own, never inside the web workers: every gunicorn worker would
start its own copy of every job, and die with the worker.

Why a `BlockingScheduler` with the in-memory job store: the jobs are defined here, in code, so
there is nothing to persist, and APScheduler 3's persistent job stores cannot be shared between
processes anyway (two schedulers on one store both run the jobs and race on its rows). Nothing
is lost on a restart either: the first run of every job starts immediately, and the sweep
catches up on whatever fell due while the process was down. Several scheduler processes (a
deploy overlapping the old one, or one per machine) do no harm, because every flag and every
digest is claimed in the database, not by the scheduler. The process exists only to run jobs,
so the blocking scheduler's loop simply owns the main thread.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from app.clock import utcnow
from app.db import database_unavailable
from app.digests.job import run_digest_pass
from app.polling import run_watch_poll
from app.sweep import run_sweep
from app.webhook_job import run_webhook_pass

log = logging.getLogger("claimwatch.scheduler")
# A run that failed because the database was away is tried again this soon, not a whole
# interval later (the sweep's default interval is 5 minutes): the scheduler is back to work
# within seconds of the database.
RETRY_AFTER_OUTAGE = timedelta(seconds=5)


@dataclass(frozen=True)
class ScheduledJob:
    """A job: `run(app, now)` every `interval`; `done` formats its result for the log."""

    name: str
    run: Callable[[Flask, datetime], object]
    interval: timedelta
    done: str = "done"


def scheduled_jobs(app: Flask) -> list[ScheduledJob]:
    """Every job the scheduler runs; a new job is one entry."""
    return [
        ScheduledJob("sweep", run_sweep, app.config["SWEEP_INTERVAL"], "flagged {} claims"),
        ScheduledJob("digests", run_digest_pass, timedelta(minutes=1), "{}"),
        ScheduledJob("watches", run_watch_poll, app.config["WATCH_INTERVAL"], "{}"),
        ScheduledJob("webhooks", run_webhook_pass, timedelta(minutes=1), "{}"),
    ]


def run_job(
    app: Flask, job: ScheduledJob, reschedule: Callable[[datetime], object] | None = None
) -> None:
    """One run of `job`: logged with its result and duration; a failure is logged, not raised,
    so a database that is down costs this run only. When the database was unavailable,
    `reschedule` (given by the scheduler) moves the job's next run to RETRY_AFTER_OUTAGE from
    now, if that is sooner than its interval."""
    started = time.perf_counter()
    try:
        result = job.run(app, utcnow())
    except Exception as exc:
        elapsed = (time.perf_counter() - started) * 1000
        retry = (
            reschedule is not None
            and database_unavailable(exc)
            and job.interval > RETRY_AFTER_OUTAGE
        )
        when = f"in {RETRY_AFTER_OUTAGE.total_seconds():.0f} s" if retry else "at the next run"
        log.exception("%s: failed after %.0f ms; will retry %s", job.name, elapsed, when)
        if retry:
            assert reschedule is not None
            reschedule(utcnow() + RETRY_AFTER_OUTAGE)
        return
    elapsed = (time.perf_counter() - started) * 1000
    log.info("%s: %s in %.0f ms", job.name, job.done.format(result), elapsed)


def _rescheduler(scheduler: BlockingScheduler, job_id: str) -> Callable[[datetime], object]:
    def reschedule(when: datetime) -> object:
        return scheduler.modify_job(job_id, next_run_time=when)

    return reschedule


def build_scheduler(app: Flask, jobs: list[ScheduledJob] | None = None) -> BlockingScheduler:
    """A scheduler with `jobs` (default: `scheduled_jobs(app)`), each starting right away.

    coalesce: runs missed while the process was stalled collapse into one (one catch-up sweep
    does everything). max_instances=1: a run that outlasts its interval is not overlapped by
    the next one. misfire_grace_time of one interval: a run later than that is skipped, since
    the next one is due anyway.
    """
    scheduler = BlockingScheduler(timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1})
    for job in jobs if jobs is not None else scheduled_jobs(app):
        seconds = job.interval.total_seconds()
        scheduler.add_job(
            run_job,
            IntervalTrigger(seconds=seconds, timezone=UTC),
            args=(app, job, _rescheduler(scheduler, job.name)),
            id=job.name,
            name=job.name,
            next_run_time=utcnow(),
            coalesce=True,
            max_instances=1,
            misfire_grace_time=max(1, round(seconds)),
        )
    return scheduler


def run_scheduler(app: Flask) -> None:
    """Run the jobs in the foreground until SIGTERM or SIGINT, then finish the running ones."""
    scheduler = build_scheduler(app)
    # One line per run is ours (run_job); APScheduler's "Running job ..." lines are noise.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)

    def stop(signum: int, _frame: FrameType | None) -> None:
        # Ctrl-C under scripts/run delivers INT and then TERM: the second one has nothing to do.
        if scheduler.running:
            log.info("scheduler: %s received, finishing running jobs", signal.Signals(signum).name)
            scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    names = ", ".join(f"{job.name} every {job.trigger.interval}" for job in scheduler.get_jobs())
    log.info("scheduler: starting (%s)", names)
    scheduler.start()
    log.info("scheduler: stopped")

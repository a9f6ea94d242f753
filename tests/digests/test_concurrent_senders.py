"""Senders in separate processes: two at once send each digest once; a killed one loses none."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app import create_app
from app.accounts.users import create_user
from app.models import DigestDelivery
from app.unit_of_work import get_session
from tests.conftest import app_config
from tests.databases import backends, fresh_database
from tests.digests.smtp import Mailbox, SmtpServer

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def add_readers(url: str, tmp_path: Path, count: int) -> None:
    app = create_app(app_config(url, INSTANCE_PATH=str(tmp_path)))
    with app.app_context():
        session = get_session()
        for n in range(count):
            create_user(session, NOW, f"reader{n}@newsroom.example", "viewer", digest_hour=8)
        session.commit()
    app.extensions["claimwatch.db"].engine.dispose()


def sender(url: str, smtp_url: str, tmp_path: Path, now: datetime, **env: str) -> subprocess.Popen:
    environ = {
        **os.environ,
        "CLAIMWATCH_ENV": "testing",
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "PUBLIC_URL": "http://claimwatch.example",
        "SMTP_URL": smtp_url,
        "INSTANCE_PATH": str(tmp_path),
        "DIGEST_SKIP_EMPTY": "false",
        **env,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "app",
            "digests",
            "send",
            "--now",
            now.isoformat(),
        ],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finished(process: subprocess.Popen) -> str:
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 0, output
    return output


def deliveries(url: str, tmp_path: Path) -> list[DigestDelivery]:
    app = create_app(app_config(url, INSTANCE_PATH=str(tmp_path)))
    with app.app_context():
        rows = get_session().scalars(select(DigestDelivery)).all()
    app.extensions["claimwatch.db"].engine.dispose()
    return rows


@pytest.mark.parametrize("backend", backends())
def test_two_senders_started_together_deliver_each_of_200_digests_once(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        add_readers(url, tmp_path, 200)
        server = SmtpServer().start()
        try:
            pair = [
                sender(url, server.url, tmp_path, NOW, DIGEST_BATCH_SIZE="10") for _ in range(2)
            ]
            outputs = [finished(p) for p in pair]
        finally:
            server.stop()
        recipients = server.mailbox.recipients()
        assert len(recipients) == 200, outputs
        assert len(set(recipients)) == 200
        rows = deliveries(url, tmp_path)
        assert len(rows) == 200
        assert {r.status for r in rows} == {"sent"}


@pytest.mark.parametrize("backend", backends())
def test_sender_killed_while_server_holds_data_reply_loses_nothing(backend, tmp_path):
    """At most one repeat after the restart, and the repeat carries the same Message-ID."""
    with fresh_database(backend, tmp_path) as url:
        add_readers(url, tmp_path, 5)
        server = SmtpServer(Mailbox(hold_first=True)).start()
        try:
            doomed = sender(url, server.url, tmp_path, NOW, DIGEST_LEASE_SECONDS="30")
            assert server.mailbox.holding.wait(timeout=60), "the sender never reached DATA"
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(timeout=10)
            server.mailbox.release.set()

            early = sender(url, server.url, tmp_path, NOW + timedelta(seconds=10))
            assert "0 sent" in finished(early), "a live lease must not be taken over"
            restarted = sender(url, server.url, tmp_path, NOW + timedelta(seconds=31))
            finished(restarted)
        finally:
            server.stop()

        messages = server.mailbox.messages
        by_recipient = Counter(server.mailbox.recipients())
        assert len(by_recipient) == 5, "every digest was delivered"
        assert len(messages) <= 6 and max(by_recipient.values()) <= 2
        ids: dict[str, set[str]] = {}
        for message, recipient in zip(messages, server.mailbox.recipients(), strict=True):
            ids.setdefault(recipient, set()).add(message["Message-ID"])
        assert all(len(found) == 1 for found in ids.values()), "a repeat had a new Message-ID"
        assert {r.status for r in deliveries(url, tmp_path)} == {"sent"}

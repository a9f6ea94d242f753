"""Senders as real processes (`flask webhooks send`) over a database of their own."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app import create_app
from app.accounts.users import create_user
from app.claims import create_claim
from app.models import WebhookDelivery
from app.unit_of_work import get_db, get_session
from app.webhooks.endpoints import create_endpoint
from app.webhooks.settings import outbound_policy, secret_box
from tests.conftest import NOW, app_config

ROOT = Path(__file__).resolve().parents[2]


def seed(url: str, tmp_path: Path, endpoint_urls: list[str], claims: int) -> list[str]:
    """An admin, endpoints at `endpoint_urls` (their secrets returned), then `claims` claims."""
    app = create_app(app_config(url, INSTANCE_PATH=str(tmp_path), ALLOW_PRIVATE_URLS="1"))
    with app.app_context():
        session = get_session()
        admin = create_user(session, NOW, "admin@newsroom.example", "admin", "Ada")
        secrets = []
        for endpoint_url in endpoint_urls:
            _, secret = create_endpoint(
                session,
                admin,
                NOW,
                {"url": endpoint_url},
                secret_box(app.config),
                outbound_policy(app.config),
            )
            secrets.append(secret)
        for n in range(claims):
            create_claim(
                session, admin, NOW, {"statement": f"Claim {n} will hold", "expected_within": "P3W"}
            )
        session.commit()
    get_db(app).engine.dispose()
    return secrets


def sender(url: str, tmp_path: Path, now: datetime | None = None, **env: str) -> subprocess.Popen:
    environ = {
        **os.environ,
        "CLAIMWATCH_ENV": "testing",
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "PUBLIC_URL": "http://claimwatch.example",
        "INSTANCE_PATH": str(tmp_path),
        "ALLOW_PRIVATE_URLS": "1",
        **env,
    }
    args = [sys.executable, "-m", "flask", "--app", "app", "webhooks", "send"]
    if now is not None:
        args += ["--now", now.isoformat()]
    return subprocess.Popen(
        args, cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def finished(process: subprocess.Popen) -> str:
    output, _ = process.communicate(timeout=180)
    assert process.returncode == 0, output
    return output


def delivery_rows(url: str, tmp_path: Path) -> list[tuple[int, int, str]]:
    """(endpoint, message, status) of every delivery."""
    app = create_app(app_config(url, INSTANCE_PATH=str(tmp_path)))
    with app.app_context():
        rows = (
            get_session()
            .execute(
                select(
                    WebhookDelivery.endpoint_id, WebhookDelivery.message_id, WebhookDelivery.status
                )
            )
            .all()
        )
    get_db(app).engine.dispose()
    return [tuple(row) for row in rows]

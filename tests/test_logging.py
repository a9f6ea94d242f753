"""Secrets never reach the logs."""

from __future__ import annotations

import logging
import runpy
from pathlib import Path

from app.accounts.tokens import create_token
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parent.parent


def test_the_access_log_leaves_out_query_strings():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    fmt = config["access_log_format"]
    assert "%(U)s" in fmt
    assert "%(r)s" not in fmt
    assert "%(q)s" not in fmt


def test_api_calls_log_no_token(client, session, factory, caplog):
    _, secret = create_token(session, factory.reviewer, NOW, "logged", "write")
    session.commit()
    with caplog.at_level(logging.DEBUG):
        client.get("/api/v1/claims", headers={"Authorization": f"Bearer {secret}"})
        client.get("/api/v1/claims", headers={"Authorization": "Bearer cw_wrong-secret"})
    assert secret not in caplog.text
    assert "cw_wrong-secret" not in caplog.text

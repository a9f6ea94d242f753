"""The sweep as a job: its own app context and session, the configured grace, committed."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from app.claims.overdue import flag_overdue_claims
from app.db import get_session


def run_sweep(app: Flask, now: datetime) -> int:
    """Flag every claim due at `now` (OVERDUE_GRACE applied); returns how many were flagged."""
    with app.app_context():
        return flag_overdue_claims(get_session(), now, grace=app.config["OVERDUE_GRACE"])

"""Claims inserted in bulk (no events, no ORM): the data for sweep tests that need volume."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert

from app.db import make_engine
from app.models import Claim


def insert_pending_claims(url: str, window_ends: Iterable[datetime], created: datetime) -> None:
    """One pending claim per window end, committed, in the database at `url`."""
    rows = [
        {
            "statement": f"Bulk claim {n}",
            "subject": "",
            "details": "",
            "claimant": "",
            "window_end": window_end,
            "status": "pending",
            "extensions": 0,
            "version": 1,
            "created_at": created,
            "updated_at": created,
        }
        for n, window_end in enumerate(window_ends)
    ]
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(Claim), rows)
    engine.dispose()

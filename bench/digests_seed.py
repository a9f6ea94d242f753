"""Bulk data for the digest benchmark, written with set-based SQL (PostgreSQL only).

Readers live in five zones with the hour that makes all of them due at the same instant
(08:00 UTC in November). Claims have windows spread over three years around `now`: past
windows are overdue (two in three, flagged five minutes after the window, with their
`flagged_overdue` event) or confirmed (with a `resolved` event); every fifth claim is
assigned to a reader. About 900 windows end per day, so each digest has full sections.
"""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import DateTime, bindparam, create_engine, text

ZONES = [
    ("UTC", 8),
    ("Europe/Berlin", 9),
    ("Europe/Helsinki", 10),
    ("America/New_York", 3),
    ("Asia/Tokyo", 17),
]

USERS = """
INSERT INTO users (email, name, role, password_hash, timezone, digest_frequency, digest_hour,
                   active, created_at)
SELECT 'reader' || g || '@bench.example', 'Reader ' || g, 'reviewer', NULL,
       (CAST(:zones AS text[]))[1 + g % 5], 'daily', (CAST(:hours AS int[]))[1 + g % 5],
       true, :now
FROM generate_series(1, :users) AS g
"""

CLAIMS = """
INSERT INTO claims (statement, subject, details, claimant, window_end, status, flagged_at,
                    extensions, assignee_id, resolution_note, known_at, resolved_at, version,
                    created_at, updated_at)
SELECT 'Example Corp ' || g || ' will announce its model trained on domestic chips',
       'Subject ' || (g % 500), '', 'per unnamed insiders', w,
       CASE WHEN w >= :now THEN 'pending' WHEN g % 3 = 0 THEN 'confirmed' ELSE 'overdue' END,
       CASE WHEN w < :now AND g % 3 <> 0 THEN w + interval '5 minutes' END,
       0,
       CASE WHEN g % 5 = 0 THEN 1 + g % :users END,
       CASE WHEN w < :now AND g % 3 = 0 THEN 'announced' END,
       CASE WHEN w < :now AND g % 3 = 0 THEN w END,
       CASE WHEN w < :now AND g % 3 = 0 THEN LEAST(w + interval '12 hours', :now) END,
       1, w - interval '60 days', w - interval '60 days'
FROM (
    SELECT g, :now - interval '730 days' + (g * interval '1095 days') / :claims AS w
    FROM generate_series(1, :claims) AS g
) AS spread
"""

EVENTS = """
INSERT INTO claim_events (claim_id, kind, at, data)
SELECT id, 'flagged_overdue', flagged_at, '{}'::json FROM claims WHERE flagged_at IS NOT NULL
UNION ALL
SELECT id, 'resolved', resolved_at, '{}'::json FROM claims WHERE resolved_at IS NOT NULL
"""


def seed(url: str, users: int, claims: int, now: datetime) -> float | None:
    """Fill the database unless it already holds this data set; seconds taken, or None."""
    engine = create_engine(url)
    with engine.begin() as conn:
        have_users = conn.scalar(text("SELECT count(*) FROM users"))
        have_claims = conn.scalar(text("SELECT count(*) FROM claims"))
        if (have_users, have_claims) == (users, claims):
            engine.dispose()
            return None
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            text(
                "TRUNCATE digest_deliveries, claim_events, claim_tags, evidence, claims, "
                "api_tokens, users RESTART IDENTITY CASCADE"
            )
        )
        conn.execute(text("UPDATE claim_status_counts SET count = 0"))
        params = {
            "zones": [z for z, _ in ZONES],
            "hours": [h for _, h in ZONES],
            "now": now,
            "users": users,
            "claims": claims,
        }
        now_param = bindparam("now", type_=DateTime(timezone=True))
        conn.execute(text(USERS).bindparams(now_param), params)
        conn.execute(text(CLAIMS).bindparams(now_param), params)
        conn.execute(text(EVENTS))
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started

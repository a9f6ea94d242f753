"""Benchmark data for `scripts/bench web`: claims generated in SQL on PostgreSQL.

Claims g = first..last get a status by g mod 100: 5% overdue, 15% pending, 80% resolved
(spread over the five outcomes), windows spread over five years, 200 sources.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from app import migrate
from app.accounts.users import create_user
from app.config import check_database_url
from app.db import make_engine
from app.models import User

PASSWORD = "bench-password-not-secret"  # noqa: S105
EMAIL = "bench@claimwatch.example"

CLAIMS_SQL = text(
    """
    INSERT INTO claims (statement, subject, details, claimant, source_id, claimed_on,
        window_end, status, flagged_at, extensions, resolution_note, known_at, resolved_at,
        resolved_by_id, version, created_at, updated_at, created_by_id)
    SELECT 'Example Corp ' || g || ' will announce its product line ' || (g % 977)
               || ' before the window closes',
           'Subject ' || (g % 500), '', 'Claimant ' || (g % 300), 1 + (g % 200),
           CAST(we - interval '30 days' AS date), we, st,
           CASE WHEN st = 'overdue' THEN we END, 0,
           CASE WHEN st IN ('confirmed', 'partly_confirmed', 'refuted', 'retracted', 'void')
                THEN '' END,
           CASE WHEN st IN ('confirmed', 'partly_confirmed', 'refuted', 'retracted', 'void')
                THEN we END,
           CASE WHEN st IN ('confirmed', 'partly_confirmed', 'refuted', 'retracted', 'void')
                THEN we END,
           CASE WHEN st IN ('confirmed', 'partly_confirmed', 'refuted', 'retracted', 'void')
                THEN :uid END,
           1, we - interval '30 days', we - interval '30 days', :uid
    FROM (
        SELECT g, s.st,
               CAST(:now AS timestamptz) + CASE s.st
                   WHEN 'overdue' THEN -make_interval(days => 1 + g % 365, secs => g % 86400)
                   WHEN 'pending' THEN make_interval(days => 1 + g % 365, secs => g % 86400)
                   ELSE -make_interval(days => 1 + g % 1800, secs => g % 86400)
               END AS we
        FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g
        CROSS JOIN LATERAL (
            SELECT CASE
                WHEN g % 100 < 5 THEN 'overdue'
                WHEN g % 100 < 20 THEN 'pending'
                ELSE (ARRAY['confirmed', 'partly_confirmed', 'refuted', 'retracted', 'void'])
                     [1 + g % 5]
            END AS st
        ) AS s
    ) AS rows
    """
)


def recreate_database(url: str) -> None:
    """Drop and create the benchmark database, then migrate it."""
    target = make_url(check_database_url(url))
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    migrate.upgrade(target.render_as_string(hide_password=False))


def seed_people_and_sources(engine: Engine, now: datetime) -> int:
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        user = create_user(session, now, EMAIL, "reviewer", name="Bench", password=PASSWORD)
        session.execute(
            text(
                "INSERT INTO sources (name, name_key, created_at) "
                "SELECT 'Source ' || g, 'source ' || g, :now FROM generate_series(1, 200) g"
            ),
            {"now": now},
        )
        session.commit()
        return user.id


def add_claims(engine: Engine, first: int, last: int, user_id: int, now: datetime) -> None:
    """Insert claims first..last in batches of 100,000, then refresh the planner's stats."""
    for start in range(first, last + 1, 100_000):
        end = min(start + 99_999, last)
        with engine.begin() as conn:
            conn.execute(CLAIMS_SQL, {"first": start, "last": end, "uid": user_id, "now": now})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # Every table, not only claims: statistics on sources, users and claim_tags too, as
        # autovacuum gives a database in service (unanalyzed empty tables get guessed sizes).
        conn.execute(text("VACUUM ANALYZE"))


def bench_user_id(engine: Engine) -> int:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        return session.scalar(select(User.id).where(User.email == EMAIL))


def engine_for(url: str) -> Engine:
    return make_engine(check_database_url(url))

"""Fill the benchmark database with a million claims, in SQL (generate_series), once."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from app import migrate
from app.accounts.tokens import create_token
from app.accounts.users import create_user
from app.db import make_engine
from app.models import User

FTS_INDEX = (
    "CREATE INDEX claims_fts_idx ON claims USING gin "
    "(to_tsvector('english'::regconfig, statement || ' ' || subject || ' ' || details))"
)

SOURCES = """
INSERT INTO sources (name, name_key, url, created_at)
SELECT 'Outlet ' || g, 'outlet ' || g, 'https://outlet' || g || '.example', now()
FROM generate_series(1, 200) AS g
"""

# 92% pending, 4% overdue, 2% confirmed, 2% refuted; windows spread over four years.
CLAIMS = """
INSERT INTO claims (statement, subject, details, claimant, source_id, first_seen_url,
    claimed_on, window_end, status, flagged_at, extensions, resolution_note, known_at,
    resolved_at, resolved_by_id, version, created_at, updated_at, created_by_id)
SELECT
    'Company ' || (g % 5000) || ' will announce product ' || g,
    'Company ' || (g % 5000),
    'Reported by outlet ' || (g % 200 + 1) || ' citing people familiar with the plans; ref'
        || (g % 997),
    'Company ' || (g % 5000) || ', per insiders',
    g % 200 + 1,
    'https://outlet' || (g % 200 + 1) || '.example/a/' || g,
    date '2024-01-01' + (g % 1000),
    timestamptz '2024-01-01 00:00:00+00' + (g % 1500) * interval '1 day'
        + (g % 86400) * interval '1 second',
    CASE WHEN g % 100 < 92 THEN 'pending' WHEN g % 100 < 96 THEN 'overdue'
         WHEN g % 100 < 98 THEN 'confirmed' ELSE 'refuted' END,
    CASE WHEN g % 100 BETWEEN 92 AND 95 THEN now() END,
    0,
    CASE WHEN g % 100 >= 96 THEN 'settled' END,
    CASE WHEN g % 100 >= 96 THEN now() END,
    CASE WHEN g % 100 >= 96 THEN now() END,
    CASE WHEN g % 100 >= 96 THEN :uid END,
    1,
    timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute',
    timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute',
    :uid
FROM generate_series(1, :n) AS g
"""

TAGS = """
INSERT INTO claim_tags (claim_id, tag)
SELECT id, (ARRAY['ai', 'chips', 'phones', 'cars', 'energy'])[id % 5 + 1] FROM claims
"""


def ensure_database(url: str) -> None:
    server = make_url(url).set(database="postgres")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = make_url(url).database
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def claim_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(text("SELECT count(*) FROM claims")) or 0


def seed(url: str, n: int = 1_000_000) -> None:
    """Migrate and fill the database unless it already holds `n` claims."""
    ensure_database(url)
    migrate.upgrade(url)
    engine = make_engine(url)
    if claim_count(engine) >= n:
        print(f"bench database already has {claim_count(engine):,} claims")
        # Earlier runs' POSTs left rows to vacuum: done now, not by autovacuum mid-run.
        vacuum(engine)
        return
    started = time.perf_counter()
    with engine.begin() as conn:
        session = Session(bind=conn)
        now = datetime.now(UTC)
        user = create_user(session, now, "bench@newsroom.example", "reviewer", "Bench")
        session.flush()
        conn.execute(text("DROP INDEX IF EXISTS claims_fts_idx"))
        conn.execute(text(SOURCES))
        conn.execute(text(CLAIMS), {"uid": user.id, "n": n})
        conn.execute(text(TAGS))
        conn.execute(text(FTS_INDEX))
    vacuum(engine)
    print(f"seeded {n:,} claims in {time.perf_counter() - started:.0f} s")


def vacuum(engine: Engine) -> None:
    """Vacuum and analyze, then write dirty pages out: a run starts from a settled database."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
        conn.execute(text("CHECKPOINT"))


def bench_token(url: str) -> str:
    """A fresh write token of the bench user (tokens are only ever shown once)."""
    engine = make_engine(url)
    with Session(engine) as session:
        user = session.query(User).filter_by(email="bench@newsroom.example").one()
        _, secret = create_token(session, user, datetime.now(UTC), "bench", "write")
        session.commit()
    engine.dispose()
    return secret

"""The status counters kept by triggers: right after any mix of statements, and linear in the
rows a statement changes even on a connection whose first update of claims changed none.

PL/pgSQL keeps a statement's plan for the session, made for the transition tables of its
first use; a plan that joined them, made for zero rows, turned a later sweep of 10,000 claims
on the same pooled connection into 15 seconds (migration 0010)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text

from tests.databases import backends, fresh_database

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CLAIMS = 20_000

FILL = """
INSERT INTO claims (statement, subject, details, claimant, window_end, status, resolved_at,
                    known_at, extensions, version, created_at, updated_at)
SELECT 'Example Corp will announce product ' || g, 'Example Corp', '', 'a spokesperson',
       :now, CASE WHEN g % 4 = 0 THEN 'confirmed' ELSE 'pending' END,
       CASE WHEN g % 4 = 0 THEN :now END, CASE WHEN g % 4 = 0 THEN :now END, 0, 1, :now, :now
FROM {series}
"""
SERIES = {
    "postgresql": "generate_series(1, :total) AS g",
    "sqlite": "(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < :total)"
    " SELECT g FROM s)",
}


def counted(conn) -> dict[str, int]:
    rows = conn.execute(
        text("SELECT status, sum(count) FROM claim_status_counts GROUP BY status")
    ).all()
    return {status: int(n) for status, n in rows if n}


def real(conn) -> dict[str, int]:
    rows = conn.execute(text("SELECT status, count(*) FROM claims GROUP BY status")).all()
    return {status: int(n) for status, n in rows}


@pytest.mark.parametrize("backend", backends())
def test_counters_follow_every_kind_of_statement_and_stay_linear(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(
                    text(FILL.format(series=SERIES[engine.dialect.name])),
                    {"now": NOW, "total": CLAIMS},
                )
            with engine.connect() as conn:
                # The session's first updates of claims change no row, then one row's text:
                # whatever plan they leave behind must not make the next statements slow.
                conn.execute(text("UPDATE claims SET version = version WHERE id < 0"))
                conn.execute(text("UPDATE claims SET details = 'x' WHERE id = 1"))
                conn.commit()
                assert counted(conn) == real(conn) == {"pending": 15_000, "confirmed": 5_000}

                started = time.perf_counter()
                conn.execute(text("UPDATE claims SET status = 'overdue' WHERE status = 'pending'"))
                elapsed = time.perf_counter() - started
                conn.commit()
                assert counted(conn) == real(conn) == {"overdue": 15_000, "confirmed": 5_000}
                # Linear: about a second on a slow machine; the joined plan took minutes.
                assert elapsed < 20, f"15,000 status changes took {elapsed:.1f} s"

                # Rows whose status stays as it was, beside rows that move, and deletes.
                conn.execute(
                    text(
                        "UPDATE claims SET status = CASE WHEN id % 2 = 0 THEN 'pending' "
                        "ELSE status END, version = version + 1 WHERE id <= 1000 "
                        "AND status = 'overdue'"
                    )
                )
                conn.execute(text("DELETE FROM claims WHERE id > 19000"))
                conn.commit()
                assert counted(conn) == real(conn)
        finally:
            engine.dispose()

"""The sweep benchmark's data: a schema per table size, filled with one SQL statement each."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import migrate

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

# Claims 1..due are pending with a passed window; of the rest, by id modulo 10: 20% pending
# with a future window, 10% already overdue, 70% resolved — a desk some years old.
FILL = text(
    """
    INSERT INTO claims (statement, subject, details, claimant, window_end, status, flagged_at,
                        known_at, resolved_at, extensions, version, created_at, updated_at)
    SELECT 'Example Corp will announce product ' || g, 'Example Corp', '', 'a spokesperson',
           CASE WHEN g <= :due THEN :now - g * interval '1 minute'
                WHEN g % 10 IN (0, 1) THEN :now + g * interval '1 minute'
                ELSE :now - interval '30 days' - g * interval '1 minute' END,
           CASE WHEN g <= :due THEN 'pending'
                WHEN g % 10 IN (0, 1) THEN 'pending'
                WHEN g % 10 = 2 THEN 'overdue'
                ELSE 'confirmed' END,
           CASE WHEN g > :due AND g % 10 = 2 THEN :now - interval '20 days' END,
           CASE WHEN g > :due AND g % 10 > 2 THEN :now - interval '10 days' END,
           CASE WHEN g > :due AND g % 10 > 2 THEN :now - interval '9 days' END,
           0, 1, :now - interval '400 days', :now - interval '400 days'
    FROM generate_series(1, :total) AS g
    """
)


def schema_url(url: str, schema: str) -> str:
    """`url` with every connection's search_path set to `schema`."""
    return (
        make_url(url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )


def claim_count(url: str) -> int | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM claims")).scalar_one()
    except Exception:  # the schema is missing or half built: rebuild it
        return None
    finally:
        engine.dispose()


def build(url: str, schema: str, total: int, due: int) -> str:
    """A migrated schema holding `total` claims of which `due` are due at NOW; its URL."""
    url_in_schema = schema_url(url, schema)
    if claim_count(url_in_schema) == total:
        return url_in_schema
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    migrate.upgrade(url_in_schema)
    engine = create_engine(url_in_schema)
    with engine.begin() as conn:
        conn.execute(FILL, {"now": NOW, "due": due, "total": total})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE claims"))
    engine.dispose()
    return url_in_schema


RESET = (
    "DELETE FROM claim_events WHERE kind = 'flagged_overdue' AND claim_id <= :due",
    "UPDATE claims SET status = 'pending', flagged_at = NULL, version = 1,"
    " updated_at = created_at WHERE id <= :due AND status <> 'pending'",
)


def reset(url: str, due: int) -> None:
    """Put the due claims back to pending without events, and tidy up after the sweep."""
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in RESET:
            conn.execute(text(statement), {"due": due})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE claims, claim_events"))
    engine.dispose()

"""claim status counters in shards, touched only when a claim's status changes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 20:45:00

One counter row per status was one hot row: every new claim added to `pending`'s row and every
change to a claim (an edit, a comment's version bump) rewrote its status's row, so writers to
different claims waited for each other's transactions to end. Now each status has 16 rows,
a claim counting in the row of `id % 16`, and an UPDATE that leaves a claim's status as it was
touches no counter at all. A status's count is the sum of its rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SHARDS = 16
STATUSES = ("pending", "overdue", "confirmed", "partly_confirmed", "refuted", "retracted", "void")
TRIGGERS = ("claims_count_insert", "claims_count_update", "claims_count_delete")

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION claim_status_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE claim_status_counts AS c SET count = c.count + d.n
        FROM (SELECT status, (id % {SHARDS})::smallint AS shard, count(*) AS n
              FROM new_rows GROUP BY 1, 2) AS d
        WHERE c.status = d.status AND c.shard = d.shard;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE claim_status_counts AS c SET count = c.count - d.n
        FROM (SELECT status, (id % {SHARDS})::smallint AS shard, count(*) AS n
              FROM old_rows GROUP BY 1, 2) AS d
        WHERE c.status = d.status AND c.shard = d.shard;
    ELSE
        -- Only claims whose status changed move between counters.
        UPDATE claim_status_counts AS c SET count = c.count + d.n
        FROM (SELECT status, shard, sum(n) AS n FROM (
                SELECT n.status, (n.id % {SHARDS})::smallint AS shard, 1 AS n
                FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
                WHERE o.status <> n.status
                UNION ALL
                SELECT o.status, (o.id % {SHARDS})::smallint, -1
                FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
                WHERE o.status <> n.status
              ) AS moves GROUP BY status, shard) AS d
        WHERE c.status = d.status AND c.shard = d.shard;
    END IF;
    RETURN NULL;
END $$;
"""

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER claims_count_insert AFTER INSERT ON claims BEGIN
        UPDATE claim_status_counts SET count = count + 1
        WHERE status = NEW.status AND shard = NEW.id % {SHARDS};
    END""",
    f"""CREATE TRIGGER claims_count_update AFTER UPDATE OF status ON claims
    WHEN OLD.status <> NEW.status BEGIN
        UPDATE claim_status_counts SET count = count - 1
        WHERE status = OLD.status AND shard = OLD.id % {SHARDS};
        UPDATE claim_status_counts SET count = count + 1
        WHERE status = NEW.status AND shard = NEW.id % {SHARDS};
    END""",
    f"""CREATE TRIGGER claims_count_delete AFTER DELETE ON claims BEGIN
        UPDATE claim_status_counts SET count = count - 1
        WHERE status = OLD.status AND shard = OLD.id % {SHARDS};
    END""",
)


COUNTERS = sa.table(
    "claim_status_counts", sa.column("status"), sa.column("shard"), sa.column("count")
)


def _recount(shards: int) -> None:
    """Every counter from the claims themselves, in `shards` rows per status."""
    op.execute("DELETE FROM claim_status_counts")
    op.bulk_insert(
        COUNTERS,
        [{"status": s, "shard": n, "count": 0} for s in STATUSES for n in range(shards)],
    )
    op.execute(
        f"""UPDATE claim_status_counts SET count = (
            SELECT count(*) FROM claims
            WHERE claims.status = claim_status_counts.status
              AND claims.id % {shards} = claim_status_counts.shard)"""
    )


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if not postgresql:
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table("claim_status_counts", recreate="always") as batch:
        batch.add_column(sa.Column("shard", sa.SmallInteger(), nullable=False, server_default="0"))
        batch.drop_constraint("pk_claim_status_counts", type_="primary")
        batch.create_primary_key("pk_claim_status_counts", ["status", "shard"])
    with op.batch_alter_table("claim_status_counts") as batch:
        batch.alter_column("shard", server_default=None)
    _recount(SHARDS)
    if postgresql:
        op.execute(POSTGRES_FUNCTION)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


OLD_POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION claim_status_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE claim_status_counts AS c SET count = c.count - d.n
        FROM (SELECT status, count(*) AS n FROM old_rows GROUP BY status) AS d
        WHERE c.status = d.status;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        UPDATE claim_status_counts AS c SET count = c.count + d.n
        FROM (SELECT status, count(*) AS n FROM new_rows GROUP BY status) AS d
        WHERE c.status = d.status;
    END IF;
    RETURN NULL;
END $$;
"""
OLD_SQLITE_TRIGGERS = tuple(
    statement.replace(f" AND shard = NEW.id % {SHARDS}", "").replace(
        f" AND shard = OLD.id % {SHARDS}", ""
    )
    for statement in SQLITE_TRIGGERS
)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if not postgresql:
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    _recount(1)
    with op.batch_alter_table("claim_status_counts", recreate="always") as batch:
        batch.drop_constraint("pk_claim_status_counts", type_="primary")
        batch.drop_column("shard")
        batch.create_primary_key("pk_claim_status_counts", ["status"])
    if postgresql:
        op.execute(OLD_POSTGRES_FUNCTION)
    else:
        for statement in OLD_SQLITE_TRIGGERS:
            op.execute(statement)

"""account secrets at rest: sessions and feed keys as hashes, why a token was revoked

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00

- `user_sessions`: one row per sign-in holding the SHA-256 of its token (the signed cookie
  carries the token). Each user's old `users.session_token` becomes one such row, so cookies
  issued before this migration keep working.
- `users.feed_key` becomes `users.feed_key_hash` (SHA-256 of the key), so existing feed
  addresses keep working. The column is renamed rather than replaced because SQLite cannot drop
  a column with a UNIQUE constraint without rebuilding `users`, which every table references.
- `api_tokens.revoked_reason`: tokens revoked before now were revoked by their owners.
- `assigned` events stop copying the assignee's email: the copies are removed (the user id
  stays in the event and names the same person).

Downgrade cannot turn hashes back into secrets: it signs everyone out and clears feed keys.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import app.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

users = sa.table(
    "users",
    sa.column("id", sa.Integer()),
    sa.column("session_token", sa.String()),
    sa.column("feed_key", sa.String()),
)
user_sessions = sa.table(
    "user_sessions",
    sa.column("user_id", sa.Integer()),
    sa.column("token_hash", sa.String()),
    sa.column("signed_in_at", app.db.UTCDateTime()),
)
api_tokens = sa.table(
    "api_tokens", sa.column("revoked_at", sa.DateTime()), sa.column("revoked_reason", sa.String())
)


def sha256(secret: str) -> str:
    """As app.accounts.tokens.hash_token (a migration does not import the app's code)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("signed_in_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)

    now = datetime.now(UTC)
    rows = bind.execute(sa.select(users.c.id, users.c.session_token, users.c.feed_key)).all()
    sessions = [
        {"user_id": user_id, "token_hash": sha256(token), "signed_in_at": now}
        for user_id, token, _key in rows
        if token
    ]
    if sessions:
        op.bulk_insert(user_sessions, sessions)
    for user_id, _token, key in rows:
        if key is not None:
            bind.execute(users.update().where(users.c.id == user_id).values(feed_key=sha256(key)))
    # Plain ALTER TABLE on both databases (SQLite 3.35+ drops and renames columns in place):
    # a batch rebuild of `users` would have to drop it while other tables point at it.
    op.drop_column("users", "session_token")
    op.alter_column("users", "feed_key", new_column_name="feed_key_hash")

    # Nothing references api_tokens, so SQLite may rebuild it to add the CHECK constraint.
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_reason", sa.String(length=16), nullable=True))
        batch_op.create_check_constraint(
            "revoked_reason",
            "revoked_reason IN ('by_owner', 'password_changed', 'user_deactivated')",
        )
    op.execute(
        api_tokens.update()
        .where(api_tokens.c.revoked_at.is_not(None))
        .values(revoked_reason="by_owner")
    )

    if bind.dialect.name == "postgresql":
        op.execute(
            "UPDATE claim_events SET data = (data::jsonb - 'assignee_email')::json "
            "WHERE kind = 'assigned'"
        )
    else:
        op.execute(
            "UPDATE claim_events SET data = json_remove(data, '$.assignee_email') "
            "WHERE kind = 'assigned'"
        )


def downgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_api_tokens_revoked_reason"), type_="check")
        batch_op.drop_column("revoked_reason")

    # A hash is no key: every feed address stops working until its owner makes a new key.
    op.alter_column("users", "feed_key_hash", new_column_name="feed_key")
    op.execute(users.update().values(feed_key=None))
    op.add_column(
        "users",
        sa.Column("session_token", sa.String(length=64), nullable=False, server_default=""),
    )
    for (user_id,) in bind.execute(sa.select(users.c.id)).all():
        bind.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(session_token=secrets.token_urlsafe(24))
        )

    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))
    op.drop_table("user_sessions")

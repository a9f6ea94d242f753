"""watches and leads: followed feeds, the entries seen in them, leads, and the watch-term index

Revision ID: 0007_watches_and_leads
Revises: 0009_normalise_tags
Create Date: 2026-12-07 20:10:00

- `watches`: feeds the desk follows, with their health and the validators (ETag,
  Last-Modified) of their last answer; removing one keeps the row, so its leads keep theirs.
- `watch_entries`: the entries already seen in each feed (a hash of the entry's id or link).
- `leads`: one per (claim, entry link), new, accepted or dismissed.
- `claims.watch_terms`, and the index of every claim's terms (subject and watch terms):
  `claim_terms` (one row per term, with its anchor word) and `claim_term_words`. Existing
  claims are indexed here, with a copy of `app.claims.terms.normalise` as it is today (a
  migration does not import the app's code, which may change after it).
- Two new event kinds, `lead_found` and `lead_dismissed`, in the CHECK of `claim_events`
  (SQLite rebuilds the table for it; nothing references `claim_events`).

Downgrade drops the new tables and column, and the events of the new kinds with them.
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

import app.db

revision = "0007_watches_and_leads"
down_revision = "0009_normalise_tags"
branch_labels = None
depends_on = None

OLD_KINDS = (
    "'assigned', 'commented', 'created', 'edited', 'evidence_added', 'evidence_withdrawn', "
    "'flagged_overdue', 'reopened', 'resolved', 'window_extended'"
)
NEW_KINDS = (
    "'assigned', 'commented', 'created', 'edited', 'evidence_added', 'evidence_withdrawn', "
    "'flagged_overdue', 'lead_dismissed', 'lead_found', 'reopened', 'resolved', "
    "'window_extended'"
)
MAX_WORD = 64
_POSSESSIVE = re.compile(r"['\u2019\u02bc]s\b")
_NOT_A_WORD = re.compile(r"[\W_]+")
COMMON_WORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "not",
        "of",
        "on",
        "or",
        "over",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "would",
    ]
)

claims = sa.table("claims", sa.column("id", sa.Integer()), sa.column("subject", sa.String()))
claim_terms = sa.table(
    "claim_terms",
    sa.column("claim_id", sa.Integer()),
    sa.column("term_no", sa.SmallInteger()),
    sa.column("anchor", sa.String()),
    sa.column("word_count", sa.SmallInteger()),
)
claim_term_words = sa.table(
    "claim_term_words",
    sa.column("claim_id", sa.Integer()),
    sa.column("term_no", sa.SmallInteger()),
    sa.column("word", sa.String()),
)


def words_of(text: str) -> list[str]:
    """The distinct words of `text` as app.claims.terms normalises them today (its anchor
    rule is copied below too)."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = _POSSESSIVE.sub("", text.casefold())
    words = [word[:MAX_WORD] for word in _NOT_A_WORD.sub(" ", text).split()]
    return list(dict.fromkeys(words))


def index_subjects(bind: sa.engine.Connection) -> None:
    """Term 0 (the subject) of every existing claim; they have no watch terms yet."""
    last = 0
    while True:
        rows = bind.execute(
            sa.select(claims.c.id, claims.c.subject)
            .where(claims.c.id > last)
            .order_by(claims.c.id)
            .limit(5000)
        ).all()
        if not rows:
            return
        terms, words = [], []
        for claim_id, subject in rows:
            found = words_of(subject or "")
            if found:
                uncommon = [word for word in found if word not in COMMON_WORDS] or found
                anchor = max(uncommon, key=lambda word: (len(word), word))
                terms.append(
                    {"claim_id": claim_id, "term_no": 0, "anchor": anchor, "word_count": len(found)}
                )
                words += [{"claim_id": claim_id, "term_no": 0, "word": w} for w in found]
        if terms:
            bind.execute(claim_terms.insert(), terms)
            bind.execute(claim_term_words.insert(), words)
        last = rows[-1][0]


def upgrade() -> None:
    op.create_table(
        "watches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.Column("etag", sa.String(length=512), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("last_fetched_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("next_poll_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=16), nullable=True),
        sa.Column("lease_until", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "consecutive_failures >= 0", name=op.f("ck_watches_consecutive_failures")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_watches_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["removed_by_id"], ["users.id"], name=op.f("fk_watches_removed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watches")),
    )
    with op.batch_alter_table("watches", schema=None) as batch_op:
        batch_op.create_index(
            "ix_watches_next_poll_at",
            ["next_poll_at"],
            unique=False,
            sqlite_where=sa.text("removed_at IS NULL"),
            postgresql_where=sa.text("removed_at IS NULL"),
        )

    op.create_table(
        "watch_entries",
        sa.Column("watch_id", sa.Integer(), nullable=False),
        sa.Column("entry_key", sa.String(length=64), nullable=False),
        sa.Column("seen_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["watch_id"],
            ["watches.id"],
            name=op.f("fk_watch_entries_watch_id_watches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("watch_id", "entry_key", name=op.f("pk_watch_entries")),
    )

    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("watch_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("url_key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("published_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("matched_term", sa.String(length=200), nullable=False),
        sa.Column("matched_words", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("found_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("dismiss_reason", sa.Text(), nullable=True),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('accepted', 'dismissed', 'new')", name=op.f("ck_leads_status")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_leads_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_leads_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_leads_evidence_id_evidence")
        ),
        sa.ForeignKeyConstraint(
            ["watch_id"], ["watches.id"], name=op.f("fk_leads_watch_id_watches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
        sa.UniqueConstraint("claim_id", "url_key", name=op.f("uq_leads_claim_id_url_key")),
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index("ix_leads_claim_id_found_at_id", ["claim_id", "found_at", "id"])
        batch_op.create_index("ix_leads_found_at_id", ["found_at", "id"])
        batch_op.create_index("ix_leads_status_found_at_id", ["status", "found_at", "id"])
        batch_op.create_index("ix_leads_watch_id_found_at_id", ["watch_id", "found_at", "id"])

    # A plain ALTER TABLE on both databases: a batch rebuild of `claims` would have to drop
    # it while other tables point at it (and lose its full-text triggers).
    op.add_column(
        "claims",
        sa.Column("watch_terms", sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
    )
    op.create_table(
        "claim_terms",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("term_no", sa.SmallInteger(), nullable=False),
        sa.Column("anchor", sa.String(length=64), nullable=False),
        sa.Column("word_count", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_claim_terms_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("claim_id", "term_no", name=op.f("pk_claim_terms")),
    )
    with op.batch_alter_table("claim_terms", schema=None) as batch_op:
        batch_op.create_index(
            "ix_claim_terms_anchor", ["anchor", "claim_id", "term_no", "word_count"]
        )
    op.create_table(
        "claim_term_words",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("term_no", sa.SmallInteger(), nullable=False),
        sa.Column("word", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_claim_term_words_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("claim_id", "term_no", "word", name=op.f("pk_claim_term_words")),
    )
    index_subjects(op.get_bind())

    with op.batch_alter_table("claim_events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_claim_events_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_claim_events_kind"), f"kind IN ({NEW_KINDS})")


def downgrade() -> None:
    op.execute("DELETE FROM claim_events WHERE kind IN ('lead_found', 'lead_dismissed')")
    with op.batch_alter_table("claim_events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_claim_events_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_claim_events_kind"), f"kind IN ({OLD_KINDS})")

    op.drop_table("claim_term_words")
    with op.batch_alter_table("claim_terms", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_terms_anchor")
    op.drop_table("claim_terms")
    op.drop_column("claims", "watch_terms")

    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_watch_id_found_at_id")
        batch_op.drop_index("ix_leads_status_found_at_id")
        batch_op.drop_index("ix_leads_found_at_id")
        batch_op.drop_index("ix_leads_claim_id_found_at_id")
    op.drop_table("leads")
    op.drop_table("watch_entries")
    with op.batch_alter_table("watches", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_watches_next_poll_at",
            sqlite_where=sa.text("removed_at IS NULL"),
            postgresql_where=sa.text("removed_at IS NULL"),
        )
    op.drop_table("watches")

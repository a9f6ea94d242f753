"""tags in one spelling: lower case, words joined by hyphens

Revision ID: 0009_normalise_tags
Revises: 0007
Create Date: 2026-12-08 10:00:00

"Open Weights", "open weights" and "open_weights" were stored as different tags beside
"open-weights". Every stored tag is rewritten the way `app.claims.checks.normalise_tag` now
writes new ones; a claim that had two spellings of one tag keeps it once. The claims' event
history is left as it was written.

Downgrade changes nothing: the old spellings are not kept.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0009_normalise_tags"
down_revision = "0007"
branch_labels = None
depends_on = None

# The rule of `app.claims.checks.normalise_tag` as it was written for this migration (a
# migration does not import the app: later changes to the rule must not change what it did).
SEPARATORS = re.compile(r"[\s_-]+")

claim_tags = sa.table("claim_tags", sa.column("claim_id", sa.Integer()), sa.column("tag"))


def normalise(tag: str) -> str:
    return SEPARATORS.sub("-", tag.strip().lower()).strip("-")


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(claim_tags.c.claim_id, claim_tags.c.tag)).all()
    kept: dict[int, set[str]] = {}
    for claim_id, tag in rows:
        if normalise(tag) == tag:
            kept.setdefault(claim_id, set()).add(tag)
    for claim_id, tag in rows:
        new = normalise(tag)
        if new == tag:
            continue
        bind.execute(
            claim_tags.delete().where(claim_tags.c.claim_id == claim_id, claim_tags.c.tag == tag)
        )
        seen = kept.setdefault(claim_id, set())
        if new and new not in seen:
            bind.execute(claim_tags.insert().values(claim_id=claim_id, tag=new))
            seen.add(new)


def downgrade() -> None:
    pass

"""`q`: full-text search in a claim's statement, subject and details, on both databases.

PostgreSQL matches the GIN expression index of migration 0003 (the expression below must stay
identical to it); SQLite asks the FTS5 table `claims_fts`. Both read `q` as words that must
all occur (stemmed, English), never as query syntax.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, bindparam, false, literal_column, text
from sqlalchemy.sql import expression

from app.models import Claim

POSTGRES_DOCUMENT = (
    "to_tsvector('english'::regconfig, "
    "claims.statement || ' ' || claims.subject || ' ' || claims.details)"
)
WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 32


def text_match(dialect: str, q: str) -> ColumnElement[bool]:
    """A WHERE condition: the claim contains every word of `q`."""
    words = WORD.findall(q)[:MAX_WORDS]
    if not words:
        return false()
    if dialect == "postgresql":
        query = bindparam("q_text", " ".join(words))
        return literal_column(POSTGRES_DOCUMENT).op("@@")(
            expression.func.plainto_tsquery(literal_column("'english'::regconfig"), query)
        )
    # Each word quoted, so FTS5 reads none of them as an operator (AND, NEAR, column:...).
    match = " ".join('"' + word.replace('"', '""') + '"' for word in words)
    rowids = text("SELECT rowid FROM claims_fts WHERE claims_fts MATCH :q_text").bindparams(
        q_text=match
    )
    return Claim.id.in_(rowids.columns(literal_column("rowid")))

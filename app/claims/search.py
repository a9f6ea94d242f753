"""What `q` means, on every face: every word must occur in the claim's statement, subject or
details, as whole words, stemmed (English) — one rule, written for both databases side by side.

PostgreSQL matches the GIN expression index of migration 0003 (the document below must stay
identical to it); SQLite asks the FTS5 table `claims_fts` (porter stemmer). Both are given the
same text: each word quoted, so FTS5 reads none of them as an operator (AND, NEAR, column:...)
and PostgreSQL's `plainto_tsquery` reads the quotes as the separators they are.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Boolean, ColumnElement, String, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 32
POSTGRES_DOCUMENT = (
    "to_tsvector('english'::regconfig, "
    "claims.statement || ' ' || claims.subject || ' ' || claims.details)"
)


def search_words(q: str | None) -> list[str]:
    """The words of `q` that a search looks for (punctuation and operators are not words)."""
    return WORD.findall(q or "")[:MAX_WORDS]


def search_text(q: str | None) -> str | None:
    """The value the `matches_search` condition is given for `q`; None when `q` has no word
    (a search for nothing matches nothing, rather than everything)."""
    words = search_words(q)
    if not words:
        return None
    return " ".join(f'"{word}"' for word in words)


class matches_search(FunctionElement[bool]):
    """WHERE condition: the claim (the `claims` table of the query) contains every word of the
    bound search text (`search_text`)."""

    type = Boolean()
    inherit_cache = True

    def __init__(self, name: str = "q_text") -> None:
        super().__init__(bindparam(name, type_=String()))


@compiles(matches_search, "postgresql")
def _matches_pg(element: matches_search, compiler: SQLCompiler, **kw: Any) -> str:
    text = compiler.process(element.clauses, **kw)
    return f"({POSTGRES_DOCUMENT} @@ plainto_tsquery('english'::regconfig, {text}))"


@compiles(matches_search, "sqlite")
def _matches_sqlite(element: matches_search, compiler: SQLCompiler, **kw: Any) -> str:
    text = compiler.process(element.clauses, **kw)
    return f"(claims.id IN (SELECT rowid FROM claims_fts WHERE claims_fts MATCH {text}))"


def search_condition(q: str) -> tuple[ColumnElement[bool], dict[str, Any]]:
    """A WHERE condition for `q` and its parameter, for queries built per call."""
    return matches_search(), {"q_text": search_text(q)}

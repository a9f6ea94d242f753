"""Matching many texts against every claim's watch terms in one statement (the "percolator").

The texts of a batch (feed entries, or a new claim's statement) go to the database as
(text number, word) pairs: PostgreSQL reads them from two arrays (`unnest`), SQLite from one
JSON array (`json_each`). The statement finds the terms whose anchor word occurs in a text
through `ix_claim_terms_anchor`, then keeps those whose every word occurs in that text. The
work follows the batch's words and the terms they hit, not the number of claims. The two
dialects' statements are written side by side below.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import orjson
from sqlalchemy import text
from sqlalchemy.engine import Connection

from app.models import OPEN_STATUSES

OPEN = ", ".join(f"'{status.value}'" for status in sorted(OPEN_STATUSES))

# PostgreSQL cannot know how few of the batch's words are anchors (it has no statistics for
# the words of a batch), and would rather hash the whole index and every open claim than probe
# them. So the LATERAL subquery probes `ix_claim_terms_anchor` (and the claim's primary key)
# once per distinct word of the batch (OFFSET 0 keeps the planner from turning it back into a
# join), and each candidate term's words are checked against its text's words as an array.
# The cost follows the batch and the terms it hits, not the number of claims. SQLite's planner
# probes the indexes by itself, so its statement is plain joins.
_MATCH = {
    "postgresql": """
WITH batch AS MATERIALIZED (
    SELECT b.text_no, b.word
    FROM unnest(CAST(:text_nos AS integer[]), CAST(:words AS text[])) AS b(text_no, word)
),
texts AS MATERIALIZED (
    SELECT text_no, array_agg(word) AS words FROM batch GROUP BY text_no
),
anchored AS MATERIALIZED (
    SELECT t.claim_id, t.term_no, t.word_count, t.anchor
    FROM (SELECT DISTINCT word FROM batch) AS d
    CROSS JOIN LATERAL (
        SELECT t.claim_id, t.term_no, t.word_count, t.anchor
        FROM claim_terms AS t JOIN claims ON claims.id = t.claim_id{claims}
        WHERE t.anchor = d.word
        OFFSET 0
    ) AS t
),
candidates AS MATERIALIZED (
    SELECT batch.text_no, a.claim_id, a.term_no, a.word_count
    FROM anchored AS a JOIN batch ON batch.word = a.anchor
)
SELECT c.text_no, c.claim_id, c.term_no
FROM candidates AS c
JOIN texts ON texts.text_no = c.text_no
WHERE c.word_count = 1 OR ARRAY(
    SELECT CAST(w.word AS text) FROM claim_term_words AS w
    WHERE w.claim_id = c.claim_id AND w.term_no = c.term_no
) <@ texts.words
ORDER BY c.text_no, c.claim_id, c.term_no
""",
    "sqlite": """
WITH batch AS (
    SELECT json_extract(value, '$[0]') AS text_no, json_extract(value, '$[1]') AS word
    FROM json_each(:pairs)
),
candidates AS (
    SELECT batch.text_no, t.claim_id, t.term_no, t.word_count
    FROM batch JOIN claim_terms AS t ON t.anchor = batch.word
)
SELECT c.text_no, c.claim_id, c.term_no
FROM candidates AS c
JOIN claims ON claims.id = c.claim_id{claims}
JOIN claim_term_words AS w ON w.claim_id = c.claim_id AND w.term_no = c.term_no
JOIN batch AS b ON b.text_no = c.text_no AND b.word = w.word
GROUP BY c.text_no, c.claim_id, c.term_no, c.word_count
HAVING count(*) = c.word_count
ORDER BY c.text_no, c.claim_id, c.term_no
""",
}


class TermMatch(NamedTuple):
    """Text `text_no` of the batch holds every word of term `term_no` of claim `claim_id`."""

    text_no: int
    claim_id: int
    term_no: int


def match_statement(dialect: str, *, open_only: bool, exclude_claim: bool) -> str:
    """The matching statement for `dialect`, optionally limited to open claims and leaving
    out the claim `:exclude` (a claim is not its own duplicate)."""
    conditions = ""
    if open_only:
        conditions += f" AND claims.status IN ({OPEN})"
    if exclude_claim:
        conditions += " AND claims.id <> :exclude"
    return _MATCH[dialect].format(claims=conditions)


def match_terms(
    connection: Connection,
    texts: Sequence[Sequence[str]],
    *,
    open_only: bool = True,
    exclude: int | None = None,
) -> list[TermMatch]:
    """Every (text, claim, term) where the text, given as its distinct normalised words
    (`app.claims.terms.words_of`), holds all words of the term: one statement for the batch."""
    text_nos = [number for number, words in enumerate(texts) for _ in words]
    words = [word for text_words in texts for word in text_words]
    if not words:
        return []
    dialect = connection.dialect.name
    params: dict[str, Any] = (
        {"text_nos": text_nos, "words": words}
        if dialect == "postgresql"
        else {"pairs": orjson.dumps(list(zip(text_nos, words, strict=True))).decode()}
    )
    if exclude is not None:
        params["exclude"] = exclude
    statement = match_statement(dialect, open_only=open_only, exclude_claim=exclude is not None)
    rows = connection.execute(text(statement), params)
    return [TermMatch(*row) for row in rows]

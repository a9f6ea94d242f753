"""Claims that look like another one: the claims whose watch terms occur in its text (the
same matching as feed entries, `app.claims.percolate`), best first by the words they share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.engine import Connection

from app.claims.percolate import match_terms
from app.claims.terms import COMMON_WORDS, term_text, words_of
from app.models import Claim

LIMIT = 10
# Candidates scored at most: a very common term (a company's name) can hit many claims.
MAX_CANDIDATES = 500


class SimilarClaim(NamedTuple):
    """An existing claim, the watch terms of it found in the text, and how alike they are
    (0-1: the share of content words the two statements and subjects have in common)."""

    id: int
    statement: str
    subject: str
    status: str
    window_end: datetime
    score: float
    matched_terms: list[str]


def content_words(*texts: str) -> set[str]:
    """The words of `texts` that carry meaning (normalised, without the commonest words)."""
    return {word for text in texts for word in words_of(text)} - COMMON_WORDS


def similar_claims(
    connection: Connection,
    statement: str,
    subject: str = "",
    watch_terms: Sequence[str] = (),
    *,
    exclude: int | None = None,
    limit: int = LIMIT,
) -> list[SimilarClaim]:
    """Up to `limit` claims whose terms occur in the statement, subject or watch terms given,
    best first; any status (a settled claim is worth knowing about too)."""
    words = words_of(" ".join([statement, subject, *watch_terms]))
    matched: dict[int, list[int]] = defaultdict(list)
    for match in match_terms(connection, [words], open_only=False, exclude=exclude):
        matched[match.claim_id].append(match.term_no)
    if not matched:
        return []
    ids = sorted(matched, key=lambda claim_id: (-len(matched[claim_id]), claim_id))
    rows = connection.execute(
        select(
            Claim.id,
            Claim.statement,
            Claim.subject,
            Claim.watch_terms,
            Claim.status,
            Claim.window_end,
        ).where(Claim.id.in_(ids[:MAX_CANDIDATES]))
    )
    mine = content_words(statement, subject)
    found = []
    for claim_id, their_statement, their_subject, their_terms, status, window_end in rows:
        theirs = content_words(their_statement, their_subject)
        score = len(mine & theirs) / len(mine | theirs) if mine | theirs else 0.0
        terms = [term_text(their_subject, their_terms, n) for n in sorted(matched[claim_id])]
        found.append(
            SimilarClaim(
                claim_id,
                their_statement,
                their_subject,
                status,
                window_end,
                round(score, 3),
                terms,
            )
        )
    found.sort(key=lambda claim: (-claim.score, -len(claim.matched_terms), claim.id))
    return found[:limit]

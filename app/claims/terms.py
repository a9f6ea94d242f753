"""Watch terms: the one normalisation of text for matching (terms and feed entries alike), a
claim's terms, and keeping the index of them (`claim_terms`, `claim_term_words`) that entries
are matched against (`app.claims.percolate`).

A claim's terms are its subject and its `watch_terms`; an entry matches a term when every word
of the term occurs in it. Each term is found through its anchor, its longest word that is not
one of the commonest English words (the word least likely to occur in every entry), then
checked word by word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from app.models import ClaimTerm, ClaimTermWord
from app.models.watches import MAX_WORD

MAX_TERMS = 20
MAX_TERM_LENGTH = 100
# Possessive 's ("DeepSeek's V4"), so it does not stand as a word of its own.
_POSSESSIVE = re.compile(r"['\u2019\u02bc]s\b")
_NOT_A_WORD = re.compile(r"[\W_]+")
# Words too common to find anything by (nearly every entry has them), or to tell two
# statements apart (`app.claims.similar`).
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


def normalise(text: str) -> str:
    """`text` as matching sees it: accents stripped (NFKD), case folded, a possessive 's
    dropped, every run of other characters than letters and digits one space."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = _POSSESSIVE.sub("", text.casefold())
    return " ".join(word[:MAX_WORD] for word in _NOT_A_WORD.sub(" ", text).split())


def words_of(text: str) -> list[str]:
    """The distinct words of `text` after `normalise`, in order."""
    return list(dict.fromkeys(normalise(text).split()))


class Term(NamedTuple):
    """A watch term of a claim: its number (0: the subject), its text and its words."""

    number: int
    text: str
    words: list[str]


def terms_of(subject: str, watch_terms: Sequence[str]) -> list[Term]:
    """The claim's terms that have words, without repeats (same words, any order)."""
    terms, seen = [], set()
    for number, text in enumerate([subject, *watch_terms]):
        words = words_of(text)
        key = frozenset(words)
        if words and key not in seen:
            seen.add(key)
            terms.append(Term(number, text, words))
    return terms


def term_text(subject: str, watch_terms: Sequence[str], number: int) -> str:
    """The text of term `number` (0: the subject)."""
    return subject if number == 0 else watch_terms[number - 1]


def anchor_of(words: Sequence[str]) -> str:
    """The word a term is looked up by: its longest uncommon word (of equally long ones, the
    last in alphabetical order); its longest word when all are common."""
    uncommon = [word for word in words if word not in COMMON_WORDS] or list(words)
    return max(uncommon, key=lambda word: (len(word), word))


def index_rows(
    claim_id: int, subject: str, watch_terms: Sequence[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of `claim_terms` and `claim_term_words` for one claim."""
    terms, words = [], []
    for term in terms_of(subject, watch_terms):
        terms.append(
            {
                "claim_id": claim_id,
                "term_no": term.number,
                "anchor": anchor_of(term.words),
                "word_count": len(term.words),
            }
        )
        words += [{"claim_id": claim_id, "term_no": term.number, "word": w} for w in term.words]
    return terms, words


def index_claims(
    session: Session, claims: Iterable[tuple[int, str, Sequence[str]]], *, replace: bool = True
) -> None:
    """(Re)write the index of the given (id, subject, watch_terms) claims."""
    claims = list(claims)
    if not claims:
        return
    # Plain rows of two tables the ORM keeps no objects of: the session's connection (its
    # transaction) takes them directly, without the ORM's bulk-insert bookkeeping.
    connection = session.connection()
    if replace:
        ids = [claim_id for claim_id, _, _ in claims]
        connection.execute(delete(ClaimTermWord).where(ClaimTermWord.claim_id.in_(ids)))
        connection.execute(delete(ClaimTerm).where(ClaimTerm.claim_id.in_(ids)))
    terms: list[dict[str, Any]] = []
    words: list[dict[str, Any]] = []
    for claim_id, subject, watch_terms in claims:
        claim_terms, claim_words = index_rows(claim_id, subject, watch_terms)
        terms += claim_terms
        words += claim_words
    if terms:
        connection.execute(insert(ClaimTerm.__table__), terms)
        connection.execute(insert(ClaimTermWord.__table__), words)

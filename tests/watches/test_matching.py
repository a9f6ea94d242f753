"""Matching entries against claims' watch terms: one normalisation for both sides, every word
of a term required, one statement per batch, and the index (not a scan) behind it."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, text

from app.claims import edit_claim, resolve_claim
from app.claims.percolate import match_statement, match_terms
from app.claims.terms import normalise, terms_of, words_of


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("DeepSeek V4", "deepseek v4"),
        ("  Huawei   ASCEND\t950 ", "huawei ascend 950"),
        ("Hùawéi Åscend", "huawei ascend"),
        ("DeepSeek's V4", "deepseek v4"),
        ("DeepSeek\u2019s V4", "deepseek v4"),
        ("l'Ascend", "l ascend"),
        ("Ascend-950/Kirin_9030", "ascend 950 kirin 9030"),
        ("Straße", "strasse"),
        ("\ufb01nal \uff12\uff10\uff12\uff16", "final 2026"),  # a ligature, full-width digits
        ("\u0427\u0442\u043e-\u0442\u043e", "\u0447\u0442\u043e \u0442\u043e"),  # Cyrillic
        ("!!!", ""),
    ],
)
def test_text_is_normalised_by_case_accents_and_punctuation(raw, normal):
    assert normalise(raw) == normal


def test_a_claims_terms_are_its_subject_and_watch_terms_without_repeats():
    terms = terms_of("DeepSeek V4", ["V4 DeepSeek", "Ascend 950", "!!"])
    assert [(t.number, t.words) for t in terms] == [(0, ["deepseek", "v4"]), (2, ["ascend", "950"])]


def matched(session, *texts: str, open_only: bool = True) -> list[tuple[int, int, int]]:
    words = [words_of(t) for t in texts]
    return [tuple(m) for m in match_terms(session.connection(), words, open_only=open_only)]


def test_every_word_of_a_term_must_occur_in_any_order_and_case(factory, session):
    claim = factory.claim(subject="DeepSeek V4", watch_terms=["Huawei Ascend 950"])
    found = matched(
        session,
        "v4 of DEEPSEEK is here",
        "DeepSeek V3 is here",
        "Ascend 950 chips by Huawei",
        "Ascend 950 chips",
    )
    assert found == [(0, claim.id, 0), (2, claim.id, 1)]


def test_only_open_claims_collect_leads_but_any_claim_can_look_similar(factory, session):
    claim = factory.claim(subject="DeepSeek V4")
    resolve_claim(session, factory.reviewer, factory.now, claim.id, "void", "Cancelled")
    assert matched(session, "DeepSeek V4 ships") == []
    assert matched(session, "DeepSeek V4 ships", open_only=False) == [(0, claim.id, 0)]


def test_editing_the_subject_or_the_watch_terms_changes_what_matches(factory, session):
    claim = factory.claim(subject="DeepSeek V4")
    edit_claim(
        session,
        factory.reviewer,
        factory.now,
        claim.id,
        claim.version,
        {"subject": "Kirin 9030", "watch_terms": ["Ascend 950"]},
    )
    assert matched(session, "DeepSeek V4 ships") == []
    assert matched(session, "Kirin 9030 phone", "Ascend 950 chips") == [
        (0, claim.id, 0),
        (1, claim.id, 1),
    ]


def test_a_batch_is_matched_in_one_statement_however_many_claims(factory, session, engine):
    for n in range(30):
        factory.claim(subject=f"Product p{n}")
    texts = [f"Product p{n} launched" for n in range(0, 30, 3)] + ["Nothing relevant"]
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        found = matched(session, *texts)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(found) == 10
    assert len(statements) == 1


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(term=st.text(min_size=1, max_size=40), before=st.text(max_size=20), after=st.text())
def test_an_entry_quoting_a_term_holds_every_word_of_it(term, before, after):
    """Terms and entries go through the same normalisation: whatever the term's spelling, an
    entry that quotes it between separators has all its words (the matching's condition)."""
    assert set(words_of(term)) <= set(words_of(f"{before} {term} {after}"))


@pytest.mark.parametrize(
    ("term", "entry"),
    [
        ("Hùawéi Ascend", "HUAWEI\u2019S ASCEND chips"),
        ("DeepSeek's V4", "deepseek v4, finally"),
        ("Ascend-950", "the ascend 950"),
        ("Straße", "STRASSE"),
    ],
)
def test_spellings_that_normalise_alike_match_in_the_database(factory, session, term, entry):
    claim = factory.claim(subject="", watch_terms=[term])
    assert matched(session, entry) == [(0, claim.id, 1)]


def test_the_match_reaches_terms_through_the_anchor_index_never_by_scanning(session, backend):
    statement = match_statement(backend, open_only=True, exclude_claim=False)
    if backend == "postgresql":
        session.execute(text("SET LOCAL enable_seqscan = off"))
        params = {"text_nos": [0, 0], "words": ["deepseek", "v4"]}
        plan = "\n".join(row[0] for row in session.execute(text(f"EXPLAIN {statement}"), params))
        anchor = r"(Index (Only )?Scan using|Bitmap Index Scan on) ix_claim_terms_anchor"
        assert re.search(anchor, plan), plan
        assert not re.search(r"Seq Scan on (claims|claim_terms|claim_term_words)", plan), plan
    else:
        params = {"pairs": '[[0, "deepseek"], [0, "v4"]]'}
        plan = "\n".join(
            row[-1] for row in session.execute(text(f"EXPLAIN QUERY PLAN {statement}"), params)
        )
        assert re.search(r"SEARCH t USING (COVERING )?INDEX ix_claim_terms_anchor", plan), plan
        assert not re.search(r"SCAN (claims|t|w|claim_terms|claim_term_words)\b", plan), plan


def test_a_term_is_anchored_on_its_longest_uncommon_word():
    from app.claims.terms import anchor_of

    assert anchor_of(["deepseek", "v4"]) == "deepseek"
    assert anchor_of(["ai", "and", "ml"]) == "ml"
    assert anchor_of(["huawei", "ascend"]) == "huawei"
    assert anchor_of(["the", "with"]) == "with"

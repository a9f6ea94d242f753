"""The watches benchmark's data: open claims filled with one SQL statement per schema, their
watch-term index filled the same way, and a deterministic batch of feed entries.

Each claim is about a company and one of its products: subject `co<c> x<nnnnnnn>` (company
c of 5,000, a product code of its own), so the product code is each term's anchor, as a
product name is in a real subject ("Huawei Ascend 950": "ascend"). Entries are made of
ordinary words, some naming a company (a candidate never hit: the company is not an anchor),
some naming a company and one of its products (a match).
"""

from __future__ import annotations

import random

from sqlalchemy import create_engine, text

from app import migrate
from app.watches.entry import FeedEntry, entry_key
from bench.sweep_data import NOW, claim_count, schema_url

COMPANIES = 5_000
ENTRIES = 1_000
# Shares of the batch: entries naming a claim's company and product, and naming a company only.
MATCHING, COMPANY_ONLY = 0.05, 0.20

FILL = text(
    """
    INSERT INTO claims (statement, subject, details, claimant, window_end, status, extensions,
                        version, created_at, updated_at)
    SELECT 'Company ' || (g % 5000) || ' will launch product ' || g,
           'co' || (g % 5000) || ' x' || lpad(g::text, 7, '0'), '', 'insiders',
           :now + (g % 90) * interval '1 day', 'pending', 0, 1, :now, :now
    FROM generate_series(1, :total) AS g
    """
)
INDEX_TERMS = text(
    """
    INSERT INTO claim_terms (claim_id, term_no, anchor, word_count)
    SELECT id, 0, 'x' || lpad(id::text, 7, '0'), 2 FROM claims
    """
)
INDEX_WORDS = text(
    """
    INSERT INTO claim_term_words (claim_id, term_no, word)
    SELECT id, 0, 'co' || (id % 5000) FROM claims
    UNION ALL
    SELECT id, 0, 'x' || lpad(id::text, 7, '0') FROM claims
    """
)


def build(url: str, schema: str, total: int) -> str:
    """A migrated schema holding `total` open claims and their index; its URL."""
    url_in_schema = schema_url(url, schema)
    if claim_count(url_in_schema) == total:
        return url_in_schema
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    migrate.upgrade(url_in_schema)
    engine = create_engine(url_in_schema)
    with engine.begin() as conn:
        conn.execute(FILL, {"now": NOW, "total": total})
        conn.execute(INDEX_TERMS)
        conn.execute(INDEX_WORDS)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return url_in_schema


def vocabulary(rng: random.Random, size: int = 3_000) -> list[str]:
    """Made-up ordinary words, 2 to 11 letters."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choices(letters, k=rng.randint(2, 11))) for _ in range(size)]


def entries(claims: int, seed: int = 7) -> list[FeedEntry]:
    """ENTRIES entries of about 60 words each (title and summary); their mentions of claims
    are drawn among the first `claims` (the smaller table's), so both tables see the same
    batch and the same matches."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    batch = []
    for n in range(ENTRIES):
        title = rng.choices(words, k=8)
        summary = rng.choices(words, k=50)
        draw = rng.random()
        if draw < MATCHING + COMPANY_ONLY:
            claim_id = rng.randint(1, claims)
            summary.append(f"co{claim_id % COMPANIES}")
            if draw < MATCHING:
                title.append(f"x{claim_id:07d}")
        link = f"https://wire.example/{n}"
        title_text, summary_text = " ".join(title).title(), " ".join(summary) + "."
        batch.append(
            FeedEntry(entry_key(link, link, title_text), link, title_text, summary_text, NOW)
        )
    return batch

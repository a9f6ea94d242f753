"""One spelling for each tag (new and stored ones), one date format in the feed's text and on
the deliveries page."""

from __future__ import annotations

from sqlalchemy import text

from app import migrate
from app.claims.checks import normalise_tag
from app.db import make_engine
from app.mail.periods import describe_period
from tests.databases import fresh_database


def test_a_tag_is_one_label_whatever_its_spelling(factory, session):
    claim = factory.claim(tags=["Open Weights", "open-weights", "open_weights", " AI "])
    assert sorted(claim.tags) == ["ai", "open-weights"]
    assert normalise_tag("  Export  -  Controls ") == "export-controls"
    assert normalise_tag("c++") == "c++"


def test_the_migration_rewrites_stored_tags_into_one_spelling(backend, tmp_path):
    with fresh_database(backend, tmp_path, migrated=False) as url:
        migrate.upgrade(url, revision="0006")
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO claims (id, statement, subject, details, claimant, window_end,"
                    " status, extensions, version, created_at, updated_at) VALUES"
                    " (1, 'A claim', '', '', '', '2026-12-12 00:00:00', 'pending', 0, 1,"
                    " '2026-11-20 09:00:00', '2026-11-20 09:00:00')"
                )
            )
            for tag in ("open weights", "open-weights", "ai", "supply chain"):
                conn.execute(
                    text("INSERT INTO claim_tags (claim_id, tag) VALUES (1, :t)"), {"t": tag}
                )
        migrate.upgrade(url)
        migrate.check(url)
        with engine.connect() as conn:
            tags = conn.execute(text("SELECT tag FROM claim_tags ORDER BY tag")).scalars().all()
        engine.dispose()
    assert tags == ["ai", "open-weights", "supply-chain"]


def test_digest_periods_read_as_dates():
    assert describe_period("D2026-12-07") == "7 Dec 2026"
    assert describe_period("W2026-12-07") == "week of 7 Dec 2026"
    assert describe_period("preview") == "preview"

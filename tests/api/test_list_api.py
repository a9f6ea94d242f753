"""`GET /claims`: filters, sorts, text search and keyset pagination."""

from __future__ import annotations

import os
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from app.claims import assign_claim
from tests.conftest import NOW


@pytest.fixture
def claims(factory):
    made = [
        factory.claim(
            statement=f"Vendor {i} will ship a product",
            window_end=NOW + timedelta(days=10 + i),
            tags=["chips"] if i % 2 else ["phones"],
            source="The Decoder" if i < 3 else "Reuters",
        )
        for i in range(7)
    ]
    factory.session.flush()
    return made


def ids(response) -> list[int]:
    return [item["id"] for item in response.json["items"]]


def test_default_sort_is_by_window_end(api, claims):
    response = api.get("/claims")
    assert response.status_code == 200
    assert ids(response) == [c.id for c in claims]
    assert response.json["next"] is None
    assert "Link" not in response.headers


def test_sort_descending_by_created_at(api, claims):
    assert ids(api.get("/claims?sort=-created_at")) == [c.id for c in reversed(claims)]


def test_pages_follow_the_cursor_without_gaps_or_repeats(api, claims):
    seen, url = [], "/claims?limit=3&sort=-window_end&tag=chips"
    pages = 0
    while url:
        response = api.get(url)
        assert response.status_code == 200
        seen += ids(response)
        pages += 1
        cursor = response.json["next"]
        if cursor is None:
            assert "Link" not in response.headers
            break
        link = response.headers["Link"]
        assert link.endswith('>; rel="next"')
        target = link[1 : link.index(">")]
        assert parse_qs(urlsplit(target).query)["cursor"] == [cursor]
        url = target
    chips = [c.id for c in reversed(claims) if "chips" in c.tags]
    assert seen == chips
    assert pages == 1 + (len(chips) - 1) // 3


def test_filters_by_status_source_and_window(api, claims, factory, session):
    source_id = claims[0].source_id
    assert ids(api.get(f"/claims?source={source_id}")) == [c.id for c in claims[:3]]
    before = (NOW + timedelta(days=11)).date().isoformat()
    assert ids(api.get(f"/claims?window_end_before={before}")) == [c.id for c in claims[:2]]
    assert ids(api.get(f"/claims?window_end_after={before}")) == [c.id for c in claims[2:]]
    assert ids(api.get("/claims?status=overdue")) == []
    assert len(ids(api.get("/claims?status=overdue&status=pending"))) == 7


def test_filters_by_assignee(api, claims, factory, session, reviewer):
    assign_claim(session, reviewer, NOW, claims[4].id, reviewer.id)
    session.flush()
    assert ids(api.get(f"/claims?assignee={reviewer.id}")) == [claims[4].id]


def test_text_search_matches_words_in_statement_subject_and_details(api, factory):
    deepseek = factory.claim(statement="DeepSeek V4 trained on Ascend chips", subject="DeepSeek")
    other = factory.claim(statement="Apple ships a foldable", details="Sources say Ascend is late")
    factory.claim(statement="Nothing related")
    factory.session.flush()
    assert ids(api.get("/claims?q=deepseek")) == [deepseek.id]
    assert set(ids(api.get("/claims?q=Ascend"))) == {deepseek.id, other.id}
    assert ids(api.get("/claims?q=ascend+foldable")) == [other.id]
    # Stemmed: "train" finds "trained"; and query syntax is read as words.
    assert ids(api.get("/claims?q=train")) == [deepseek.id]
    assert api.get('/claims?q="OR NEAR(*)').status_code == 200


def test_text_search_sees_edits(api, factory, session, reviewer):
    from app.claims import edit_claim

    claim = factory.claim(statement="Old words here")
    edit_claim(session, reviewer, NOW, claim.id, claim.version, {"statement": "Fresh wording"})
    session.flush()
    assert ids(api.get("/claims?q=fresh")) == [claim.id]
    assert ids(api.get("/claims?q=old")) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=201", "limit"),
        ("limit=0", "limit"),
        ("status=open", "status"),
        ("sort=statement", "sort"),
        ("cursor=garbage", "cursor"),
        ("window_end_before=soon", "window_end_before"),
        ("source=abc", "source"),
    ],
)
def test_bad_list_parameters_are_422(api, query, field):
    response = api.get(f"/claims?{query}")
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_a_cursor_only_works_with_its_own_sort(api, claims):
    cursor = api.get("/claims?limit=2").json["next"]
    response = api.get(f"/claims?limit=2&sort=-created_at&cursor={cursor}")
    assert response.status_code == 422


@pytest.mark.postgres_only
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs TEST_DATABASE_URL")
def test_text_search_on_postgresql_can_use_the_gin_index(tmp_path):
    from sqlalchemy import text
    from werkzeug.datastructures import MultiDict

    from app.api.query import parse_list_query
    from app.claims.reads import ClaimRow
    from app.claims.reads.lists import sorted_statement
    from app.db import make_engine
    from tests.databases import fresh_database

    with fresh_database("postgresql", tmp_path) as url:
        engine = make_engine(url)
        query = parse_list_query(MultiDict([("q", "deepseek")]))
        stmt, values = sorted_statement(query, ClaimRow)
        stmt = stmt.params(values)
        sql = stmt.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(row[0] for row in conn.execute(text(f"EXPLAIN {sql}")))
        engine.dispose()
    assert "claims_fts_idx" in plan


@pytest.mark.parametrize("query", ["limit=²", "limit=\u0661", "assignee=²"])
def test_a_number_in_other_digits_than_ascii_is_a_422_not_a_500(api, query):
    # Found by scripts/fuzz: isdigit() accepts "²" (int() does not) and the Arabic-Indic
    # digit one (int() does).
    response = api.get(f"/claims?{query}")
    assert response.status_code == 422
    assert response.json["errors"]


def test_a_tag_filter_with_a_nul_byte_is_a_422_not_a_500(api, claims):
    # Found by scripts/fuzz: PostgreSQL refuses a NUL in a query parameter.
    response = api.get("/claims?tag=chips%00")
    assert response.status_code == 422
    assert "tag" in response.json["errors"]

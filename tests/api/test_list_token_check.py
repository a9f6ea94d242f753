"""The list and its token: a refused token sees no claim and is answered before a bad query,
and pages keep their order in every sort."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.tokens import create_token, revoke_token
from tests.api.conftest import token_for
from tests.conftest import NOW


@pytest.fixture
def claims(factory):
    return [
        factory.claim(statement=f"Claim {n}", window_end=NOW + timedelta(days=n % 3, hours=n))
        for n in range(7)
    ]


def test_a_revoked_token_sees_no_claim(api, session, reviewer, claims):
    token, secret = create_token(session, reviewer, NOW, "old script", "read")
    assert api.get("/claims", token=secret).status_code == 200
    revoke_token(token, NOW)
    session.flush()
    response = api.get("/claims", token=secret)
    assert response.status_code == 401
    assert "items" not in response.json


@pytest.mark.parametrize("sort", ["window_end", "-window_end", "created_at", "-created_at"])
def test_pages_keep_their_order(api, claims, sort):
    seen: list[dict] = []
    url = f"/claims?limit=3&sort={sort}"
    while url:
        page = api.get(url)
        assert page.status_code == 200, page.json
        seen += page.json["items"]
        cursor = page.json["next"]
        url = f"/claims?limit=3&sort={sort}&cursor={cursor}" if cursor else ""
    key = sort.lstrip("-")
    expected = sorted(seen, key=lambda item: (item[key], item["id"]), reverse=sort[0] == "-")
    assert [item["id"] for item in seen] == [item["id"] for item in expected]
    assert sorted(item["id"] for item in seen) == sorted(claim.id for claim in claims)


def test_an_empty_page_is_a_page(api):
    response = api.get("/claims?status=void")
    assert response.status_code == 200
    assert response.json == {"items": [], "next": None}


@pytest.mark.parametrize(
    "bad",
    ["limit=0", "cursor=garbage", "q=x&cursor=garbage", "sort=-window_end&cursor=" + "W10"],
)
def test_a_refused_token_is_answered_before_a_bad_query(api, session, reviewer, claims, bad):
    good = token_for(session, reviewer, "read")
    assert api.get(f"/claims?{bad}", token=good).status_code == 422
    assert api.get(f"/claims?{bad}", token="cw_unknown").status_code == 401
    nobody = api.get(f"/claims?{bad}", token=None, headers={"Authorization": ""})
    assert nobody.status_code == 401


def test_a_cursor_made_for_another_sort_is_refused_after_the_token(api, claims):
    cursor = api.get("/claims?limit=2&sort=created_at").json["next"]
    assert api.get(f"/claims?sort=window_end&cursor={cursor}").status_code == 422
    assert api.get(f"/claims?sort=window_end&cursor={cursor}", token="cw_x").status_code == 401


def test_text_search_checks_its_token_too(api, claims):
    assert api.get("/claims?q=Claim").status_code == 200
    assert api.get("/claims?q=Claim", token="cw_unknown").status_code == 401

"""Evidence through the API: only web links, never deleted."""

from __future__ import annotations

import pytest

from tests.api.test_claims_api import DEEPSEEK


@pytest.fixture
def claim_id(api) -> int:
    return api.post("/claims", DEEPSEEK).json["id"]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.com/file",
        "https://",
        "not a url",
    ],
)
def test_evidence_urls_other_than_http_links_are_422(api, claim_id, url):
    response = api.post(f"/claims/{claim_id}/evidence", {"url": url})
    assert response.status_code == 422
    assert "url" in response.json["errors"]
    assert api.get(f"/claims/{claim_id}/evidence").json["items"] == []


def test_evidence_is_added_listed_and_withdrawn_but_stays_visible(api, claim_id, reviewer):
    added = api.post(
        f"/claims/{claim_id}/evidence",
        {
            "url": "https://www.reuters.com/deepseek-v4",
            "title": "DeepSeek V4 launched",
            "published_on": "2026-11-25",
            "stance": "supports",
        },
    )
    assert added.status_code == 201, added.json
    evidence_id = added.json["id"]
    assert added.json["added_by"]["id"] == reviewer.id
    assert added.json["published_on"] == "2026-11-25"

    withdrawn = api.post(
        f"/claims/{claim_id}/evidence/{evidence_id}/withdraw", {"reason": "Article pulled"}
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json["withdrawn"] is True
    items = api.get(f"/claims/{claim_id}/evidence").json["items"]
    assert [(e["id"], e["withdrawn_reason"]) for e in items] == [(evidence_id, "Article pulled")]
    again = api.post(f"/claims/{claim_id}/evidence/{evidence_id}/withdraw", {"reason": "x"})
    assert again.status_code == 409


def test_withdrawing_unknown_evidence_is_404(api, claim_id):
    response = api.post(f"/claims/{claim_id}/evidence/999999/withdraw", {"reason": "x"})
    assert response.status_code == 404


def test_claim_page_includes_its_evidence(api, claim_id):
    api.post(f"/claims/{claim_id}/evidence", {"url": "https://a.example/1"})
    body = api.get(f"/claims/{claim_id}").json
    assert [e["url"] for e in body["evidence"]] == ["https://a.example/1"]

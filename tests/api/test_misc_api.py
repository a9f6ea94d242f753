"""Errors, the OpenAPI document and docs, sources, stats, ClaimReview and the Atom feed."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from pyld import jsonld

from app.accounts.users import regenerate_feed_key
from app.claims import resolve_claim
from app.sweep import flag_overdue_claims
from tests.api.test_claims_api import DEEPSEEK
from tests.conftest import NOW


def test_405_is_a_problem_with_allow(api):
    response = api.request("DELETE", "/claims")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert "GET" in response.headers["Allow"]


def test_unknown_path_under_the_api_is_a_problem(api):
    response = api.get("/nothing/here")
    assert response.status_code == 404
    assert response.json["status"] == 404


def test_oversized_body_is_a_413_problem(api):
    body = {**DEEPSEEK, "details": "x" * (1024 * 1024 + 10)}
    response = api.post("/claims", body)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_body_that_is_not_json_is_422(api):
    response = api.request(
        "POST", "/claims", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert "body" in response.json["errors"]


def test_unexpected_error_is_a_500_problem(app, api, monkeypatch):
    import app.api.claims as views

    def explode(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "claim_page", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = api.get("/claims")
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    assert "boom" not in response.get_data(as_text=True)


def test_openapi_document_is_3_1_and_needs_no_token(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json
    assert doc["openapi"] == "3.1.0"
    create = doc["paths"]["/api/v1/claims"]["post"]
    assert {"201", "401", "403", "413", "422"} <= set(create["responses"])
    patch = doc["paths"]["/api/v1/claims/{claim_id}"]["patch"]
    assert {"200", "404", "412", "428", "422"} <= set(patch["responses"])


def test_docs_page_is_swagger_ui_served_by_the_app_under_a_strict_policy(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe" not in policy
    assert "https://" not in html and "http://" not in html  # nothing from another site
    assert re.search(r"<script>|<style|style=", html) is None  # nothing inline
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts == ["/api/docs/swagger-ui-bundle.js", "/api/docs/swagger-init.js"]
    for path in [*scripts, "/api/docs/swagger-ui.css", "/api/docs/docs.css"]:
        asset = client.get(path)
        assert asset.status_code == 200, path
        assert asset.mimetype in {"text/javascript", "text/css"}, path
    assert b"SwaggerUIBundle" in client.get("/api/docs/swagger-ui-bundle.js").data
    # The rest of the app keeps its own policy.
    assert client.get("/sign-in").headers["Content-Security-Policy"] != policy


def test_stats_count_claims_by_status(api, factory):
    factory.claim()
    factory.session.flush()
    body = api.get("/stats").json
    assert body["counts"]["pending"] >= 1
    assert set(body["overdue_by_age"]) == {"0-7d", "8-30d", "31-90d", "90d+"}


def test_sources_carry_their_track_record(api):
    claim = api.post("/claims", DEEPSEEK).json
    source_id = claim["source"]["id"]
    listed = api.get("/sources").json["items"]
    assert [s["name"] for s in listed] == ["The Information"]
    one = api.get(f"/sources/{source_id}").json
    assert one["track_record"]["counts"]["pending"] == 1
    assert set(one["track_record"]) == {
        "counts",
        "confirmation_share",
        "confirmation_interval",
        "overdue_now",
        "median_days_to_known",
        "median_extensions",
    }
    assert api.get("/sources/999999").status_code == 404


def schema_org_loader(url, options=None):
    """schema.org's context is `@vocab` over https://schema.org/; the suite stays offline."""
    assert url.rstrip("/") in ("https://schema.org", "http://schema.org")
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": {"@vocab": "https://schema.org/"}},
    }


@pytest.fixture
def resolved_claim(api, factory, session, reviewer):
    claim_id = api.post("/claims", DEEPSEEK).json["id"]
    api.post(f"/claims/{claim_id}/evidence", {"url": "https://reuters.example/v4"})
    resolve_claim(session, reviewer, NOW, claim_id, "confirmed", "Announced", NOW)
    session.flush()
    return claim_id


def test_claimreview_of_a_resolved_claim_parses_as_json_ld(api, resolved_claim):
    response = api.get(f"/claims/{resolved_claim}/claimreview")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    doc = response.json
    for field in ("claimReviewed", "url", "author", "datePublished", "itemReviewed"):
        assert doc[field]
    assert doc["reviewRating"]["alternateName"] == "Confirmed"
    assert doc["itemReviewed"]["author"]["name"] == DEEPSEEK["claimant"]
    assert doc["itemReviewed"]["firstAppearance"]["url"] == DEEPSEEK["first_seen_url"]

    expanded = jsonld.expand(doc, {"documentLoader": schema_org_loader})
    (review,) = expanded
    s = "https://schema.org/"
    assert review["@type"] == [s + "ClaimReview"]
    assert review[s + "claimReviewed"][0]["@value"] == DEEPSEEK["statement"]
    rating = review[s + "reviewRating"][0]
    assert rating[s + "alternateName"][0]["@value"] == "Confirmed"
    item = review[s + "itemReviewed"][0]
    assert item["@type"] == [s + "Claim"]
    assert s + "author" in item
    assert s + "firstAppearance" in item
    for key in ("url", "author", "datePublished"):
        assert s + key in review


def test_claimreview_is_safe_to_paste_into_a_script_element(api, reviewer, session):
    # Publishers paste the document into <script type="application/ld+json">: a claim's text
    # must not be able to close that element, open a comment, or end a line in old JavaScript.
    statement = "V4 ships </script><script>alert(1)</script> <!-- & soon\u2028or\u2029later"
    claim_id = api.post("/claims", {**DEEPSEEK, "statement": statement}).json["id"]
    api.post(f"/claims/{claim_id}/evidence", {"url": "https://reuters.example/v4"})
    resolve_claim(session, reviewer, NOW, claim_id, "confirmed", "Announced", NOW)
    session.flush()
    response = api.get(f"/claims/{claim_id}/claimreview")
    body = response.get_data(as_text=True)
    for character in ("<", ">", "&", "\u2028", "\u2029"):
        assert character not in body, repr(character)
    assert "\\u003c/script\\u003e" in body
    assert json.loads(body)["claimReviewed"] == statement  # the same JSON-LD as before


def test_claimreview_of_an_open_claim_is_409(api):
    claim_id = api.post("/claims", DEEPSEEK).json["id"]
    assert api.get(f"/claims/{claim_id}/claimreview").status_code == 409


def test_overdue_feed_lists_newly_overdue_claims_for_the_key(api, factory, session, reviewer):
    late = factory.claim(statement="Late claim", window_end=NOW - timedelta(days=2))
    factory.claim(statement="Still open")
    flag_overdue_claims(session, NOW)
    key = regenerate_feed_key(reviewer)
    session.commit()
    response = api.client.get(f"/feeds/overdue.atom?key={key}")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring(response.data)
    titles = [e.findtext("a:title", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert titles == ["Late claim"]
    link = feed.find("a:entry/a:link", ns).get("href")
    assert link == f"http://claimwatch.example/claims/{late.id}"


def test_overdue_feed_refuses_a_wrong_or_regenerated_key(api, session, reviewer):
    old = regenerate_feed_key(reviewer)
    regenerate_feed_key(reviewer)
    session.commit()
    assert api.client.get(f"/feeds/overdue.atom?key={old}").status_code == 404
    assert api.client.get("/feeds/overdue.atom").status_code == 404


def test_a_feed_key_with_a_nul_byte_opens_nothing_and_is_not_a_500(client):
    # Found by scripts/fuzz: PostgreSQL refuses a NUL in a query parameter.
    response = client.get("/feeds/overdue.atom?key=abc%00def")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"

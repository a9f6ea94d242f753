"""Leads through the API: listed and filtered a page at a time, accepted as evidence with a
stance, dismissed with a reason; and the claims that look like a claim."""

from __future__ import annotations

import pytest

from tests.api.test_claims_api import DEEPSEEK


@pytest.fixture
def claim(factory, session):
    made = factory.claim(statement=DEEPSEEK["statement"], subject="DeepSeek V4")
    session.commit()
    return made


def test_leads_are_listed_newest_first_a_page_at_a_time(api, factory, session, claim):
    leads = [factory.lead(claim, f"DeepSeek V4 story {n}") for n in range(3)]
    session.commit()

    first = api.get("/leads?limit=2")
    assert first.status_code == 200
    assert [item["id"] for item in first.json["items"]] == [leads[2].id, leads[1].id]
    assert first.json["next"]
    assert 'rel="next"' in first.headers["Link"]
    second = api.get(f"/leads?limit=2&cursor={first.json['next']}")
    assert [item["id"] for item in second.json["items"]] == [leads[0].id]
    assert second.json["next"] is None
    item = first.json["items"][0]
    assert item["claim"] == {"id": claim.id, "statement": claim.statement, "status": "pending"}
    assert (item["status"], item["matched_term"]) == ("new", "DeepSeek V4")
    assert item["matched_words"] == ["deepseek", "v4"]


def test_leads_are_filtered_by_status_claim_and_watch(api, factory, session, claim):
    other = factory.claim(subject="Ascend 950")
    kept = factory.lead(claim, "DeepSeek V4 story")
    elsewhere = factory.lead(other, "Ascend 950 story", watch=factory.watch(name="Chips"))
    dismissed = factory.lead(claim, "DeepSeek V4 rumour")
    session.commit()
    api.post(f"/claims/{claim.id}/leads/{dismissed.id}/dismiss", {"reason": "A rumour"})

    def ids(query: str) -> list[int]:
        return [item["id"] for item in api.get(f"/leads?{query}").json["items"]]

    assert ids("status=new") == [elsewhere.id, kept.id]
    assert ids("status=dismissed") == [dismissed.id]
    assert ids(f"claim={other.id}") == [elsewhere.id]
    assert ids(f"watch={elsewhere.watch_id}") == [elsewhere.id]
    assert ids(f"status=new&claim={claim.id}") == [kept.id]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=maybe", "status"),
        ("claim=x", "claim"),
        ("limit=500", "limit"),
        ("cursor=%%", "cursor"),
    ],
)
def test_bad_lead_queries_are_422(api, query, field):
    response = api.get(f"/leads?{query}")
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_a_claims_leads_new_first(api, factory, session, claim):
    older = factory.lead(claim, "DeepSeek V4 story")
    decided = factory.lead(claim, "DeepSeek V4 rumour")
    session.commit()
    api.post(f"/claims/{claim.id}/leads/{decided.id}/dismiss", {"reason": "Rumour"})

    items = api.get(f"/claims/{claim.id}/leads").json["items"]
    assert [(item["id"], item["status"]) for item in items] == [
        (older.id, "new"),
        (decided.id, "dismissed"),
    ]
    assert api.get("/claims/999999/leads").status_code == 404


def test_accepting_a_lead_adds_it_as_evidence_with_the_stance_chosen(
    api, factory, session, claim, reviewer
):
    lead = factory.lead(claim, "DeepSeek V4 launch post names Ascend", summary="Trained on Ascend")
    session.commit()

    accepted = api.post(
        f"/claims/{claim.id}/leads/{lead.id}/accept", {"stance": "supports", "note": "Official"}
    )

    assert accepted.status_code == 200, accepted.json
    assert accepted.json["status"] == "accepted"
    assert accepted.json["decided_by"]["id"] == reviewer.id
    [item] = api.get(f"/claims/{claim.id}/evidence").json["items"]
    assert item["id"] == accepted.json["evidence_id"]
    assert (item["url"], item["stance"], item["note"]) == (lead.url, "supports", "Official")
    assert item["title"] == "DeepSeek V4 launch post names Ascend"
    assert item["publisher"] == "Newsroom"
    events = api.get(f"/claims/{claim.id}/events").json["items"]
    assert [event["kind"] for event in events] == ["created", "lead_found", "evidence_added"]
    assert events[-1]["data"]["lead_id"] == lead.id
    assert events[-1]["data"]["evidence_id"] == item["id"]
    again = api.post(f"/claims/{claim.id}/leads/{lead.id}/accept", {"stance": "supports"})
    assert again.status_code == 409


def test_dismissing_a_lead_needs_a_reason_and_keeps_it(api, factory, session, claim):
    lead = factory.lead(claim, "DeepSeek V4 rumour")
    session.commit()

    assert (
        api.post(f"/claims/{claim.id}/leads/{lead.id}/dismiss", {"reason": " "}).status_code == 422
    )
    dismissed = api.post(f"/claims/{claim.id}/leads/{lead.id}/dismiss", {"reason": "About V3"})

    assert dismissed.status_code == 200
    assert (dismissed.json["status"], dismissed.json["dismiss_reason"]) == ("dismissed", "About V3")
    events = api.get(f"/claims/{claim.id}/events").json["items"]
    assert events[-1]["kind"] == "lead_dismissed"
    assert events[-1]["data"]["reason"] == "About V3"
    assert api.get(f"/claims/{claim.id}/evidence").json["items"] == []
    assert (
        api.post(f"/claims/{claim.id}/leads/{lead.id}/accept", {"stance": "refutes"}).status_code
        == 409
    )


def test_a_lead_is_only_reached_through_its_own_claim(api, factory, session, claim):
    lead = factory.lead(claim, "DeepSeek V4 story")
    other = factory.claim(subject="Other")
    session.commit()
    path = f"/claims/{other.id}/leads/{lead.id}/accept"
    assert api.post(path, {"stance": "supports"}).status_code == 404
    assert (
        api.post(f"/claims/{claim.id}/leads/{lead.id}/accept", {"stance": "maybe"}).status_code
        == 422
    )


def test_watch_terms_are_set_on_create_changed_with_patch_and_shown(api):
    created = api.post(
        "/claims", {**DEEPSEEK, "watch_terms": ["Ascend 950", " ascend  950 ", "V4"]}
    )
    assert created.status_code == 201, created.json
    assert created.json["watch_terms"] == ["Ascend 950", "V4"]

    claim_id = created.json["id"]
    changed = api.patch(
        f"/claims/{claim_id}",
        {"watch_terms": ["Huawei Ascend"]},
        headers={"If-Match": created.headers["ETag"]},
    )
    assert changed.status_code == 200
    assert changed.json["watch_terms"] == ["Huawei Ascend"]
    assert api.get(f"/claims/{claim_id}").json["watch_terms"] == ["Huawei Ascend"]
    events = api.get(f"/claims/{claim_id}/events").json["items"]
    assert events[-1]["data"]["changes"]["watch_terms"] == [["Ascend 950", "V4"], ["Huawei Ascend"]]


@pytest.mark.parametrize(
    "terms", [["x" * 101], ["!!!"], [f"term {n}" for n in range(21)], "DeepSeek", [3]]
)
def test_bad_watch_terms_are_422(api, terms):
    response = api.post("/claims", {**DEEPSEEK, "watch_terms": terms})
    assert response.status_code == 422
    assert "watch_terms" in response.json["errors"]


def test_similar_claims_best_first(api, factory, session, claim):
    close = factory.claim(
        statement="DeepSeek V4 will run on Huawei Ascend chips only", subject="DeepSeek V4"
    )
    far = factory.claim(statement="Huawei will sell more phones", subject="Huawei")
    unrelated = factory.claim(statement="Contoso opens a Lisbon region", subject="Contoso")
    session.commit()

    response = api.get(f"/claims/{claim.id}/similar")

    assert response.status_code == 200
    ids = [item["id"] for item in response.json["items"]]
    assert ids == [close.id, far.id]
    assert unrelated.id not in ids and claim.id not in ids
    best = response.json["items"][0]
    assert best["matched_terms"] == ["DeepSeek V4"]
    assert 0 < best["score"] <= 1
    assert api.get("/claims/999999/similar").status_code == 404

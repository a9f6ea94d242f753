"""Contract tests of the claim endpoints: what a script using the API can rely on."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from app.models import Claim, ClaimEvent

DEEPSEEK = {
    "statement": "DeepSeek V4 will be trained and served entirely on Huawei Ascend chips",
    "subject": "DeepSeek V4",
    "claimant": "DeepSeek, per unnamed insiders",
    "source": "The Information",
    "first_seen_url": "https://www.theinformation.com/articles/deepseek-v4",
    "claimed_on": "2026-11-20",
    "expected_within": "P3W",
    "tags": ["AI", "chips"],
}


def claim_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Claim))


def test_deepseek_claim_expected_within_three_weeks_ends_on_december_12(api):
    response = api.post("/claims", DEEPSEEK)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["window_end"] == "2026-12-12T00:00:00Z"
    assert body["status"] == "pending"
    assert body["tags"] == ["ai", "chips"]
    assert body["source"]["name"] == "The Information"
    assert response.headers["Location"] == f"/api/v1/claims/{body['id']}"
    assert response.headers["ETag"] == f'"{body["id"]}-v1"'


def test_created_claim_reads_back_with_its_etag(api):
    created = api.post("/claims", DEEPSEEK).json
    response = api.get(f"/claims/{created['id']}")
    assert response.status_code == 200
    assert response.json["statement"] == DEEPSEEK["statement"]
    assert response.json["evidence"] == []
    assert response.headers["ETag"] == f'"{created["id"]}-v1"'


def test_created_claim_is_answered_exactly_as_it_reads_back(api, factory):
    """POST builds its answer from what the insert returned, not from a second read: it must
    be the document GET gives, whatever the new claim holds."""
    factory.claim(statement="Names the outlet first", source="Outlet  \u00c9cho")
    bodies = [
        DEEPSEEK,
        {"statement": "Bare minimum", "window_end": "2026-12-01T10:30:15.250000Z"},
        {
            "statement": "Every field \u00e9 \U0001f50e",
            "subject": "Subject",
            "details": "Line one\nline two",
            "claimant": "A claimant",
            "source": "outlet \u00e9CHO",  # the existing source, spelled differently
            "source_url": "https://echo.example/",  # fills in the URL it did not have
            "first_seen_url": "https://echo.example/a?b=1",
            "claimed_on": "2026-11-19",
            "window_start": "2026-11-21",
            "window_end": "2026-12-24T18:00:00+01:00",
            "tags": ["zeta", "Alpha", "beta.2", "a-b"],
        },
        {"statement": "A new outlet", "source": "Brand New Outlet", "expected_within": "P1D"},
    ]
    for body in bodies:
        created = api.post("/claims", body)
        assert created.status_code == 201, created.json
        read = api.get(f"/claims/{created.json['id']}")
        assert created.json == read.json
        assert created.headers["ETag"] == read.headers["ETag"]
    assert created.json["source"]["name"] == "Brand New Outlet"


def test_timestamps_are_utc_with_z(api):
    body = api.post("/claims", DEEPSEEK).json
    for field in ("window_end", "created_at", "updated_at"):
        assert body[field].endswith("Z")
        assert datetime.fromisoformat(body[field]).tzinfo == UTC


def test_same_idempotency_key_twice_creates_one_claim(api, session):
    before = claim_count(session)
    headers = {"Idempotency-Key": "import-42"}
    first = api.post("/claims", DEEPSEEK, headers=headers)
    second = api.post("/claims", DEEPSEEK, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json == first.json
    assert second.headers["Location"] == first.headers["Location"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert claim_count(session) == before + 1


def test_same_idempotency_key_with_another_body_is_refused(api, session):
    headers = {"Idempotency-Key": "import-43"}
    assert api.post("/claims", DEEPSEEK, headers=headers).status_code == 201
    other = api.post("/claims", {**DEEPSEEK, "subject": "Other"}, headers=headers)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json["errors"]


def test_idempotency_keys_belong_to_their_user(api, client, factory, session):
    from tests.api.conftest import Api, token_for

    other = Api(client, token_for(session, factory.user(role="reviewer"), "write"))
    headers = {"Idempotency-Key": "same-key"}
    first = api.post("/claims", DEEPSEEK, headers=headers).json
    second = other.post("/claims", DEEPSEEK, headers=headers).json
    assert first["id"] != second["id"]


def test_unknown_fields_are_refused(api):
    response = api.post("/claims", {**DEEPSEEK, "colour": "blue"})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "colour" in response.json["errors"]


def test_invalid_claim_reports_every_field(api):
    response = api.post("/claims", {"statement": "", "expected_within": "P3X"})
    assert response.status_code == 422
    assert {"statement", "expected_within"} <= set(response.json["errors"])
    assert response.json["status"] == 422
    assert response.json["title"]


def test_patch_without_if_match_is_428(api):
    created = api.post("/claims", DEEPSEEK).json
    response = api.patch(f"/claims/{created['id']}", {"subject": "V4"})
    assert response.status_code == 428
    assert response.mimetype == "application/problem+json"


def test_patch_with_current_etag_changes_the_claim(api):
    created = api.post("/claims", DEEPSEEK)
    claim_id = created.json["id"]
    response = api.patch(
        f"/claims/{claim_id}",
        {"subject": "DeepSeek V4 training"},
        headers={"If-Match": created.headers["ETag"]},
    )
    assert response.status_code == 200, response.json
    assert response.json["subject"] == "DeepSeek V4 training"
    assert response.headers["ETag"] == f'"{claim_id}-v2"'


def test_stale_if_match_gets_412_and_changes_nothing(api, session):
    created = api.post("/claims", DEEPSEEK)
    claim_id, stale = created.json["id"], created.headers["ETag"]
    assert (
        api.patch(f"/claims/{claim_id}", {"subject": "A"}, headers={"If-Match": stale}).status_code
        == 200
    )
    response = api.patch(f"/claims/{claim_id}", {"subject": "B"}, headers={"If-Match": stale})
    assert response.status_code == 412
    after = api.get(f"/claims/{claim_id}").json
    assert after["subject"] == "A"
    assert after["version"] == 2
    kinds = session.scalars(select(ClaimEvent.kind).where(ClaimEvent.claim_id == claim_id)).all()
    assert kinds == ["created", "edited"]


def test_patch_refuses_status_and_window_end(api):
    created = api.post("/claims", DEEPSEEK)
    response = api.patch(
        f"/claims/{created.json['id']}",
        {"status": "confirmed", "window_end": "2027-01-01"},
        headers={"If-Match": created.headers["ETag"]},
    )
    assert response.status_code == 422
    assert {"status", "window_end"} <= set(response.json["errors"])


def test_unknown_claim_is_a_404_problem(api):
    response = api.get("/claims/999999")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 404


def test_resolve_extend_reopen_assign_comment(api, factory, reviewer, clock):
    claim_id = api.post("/claims", DEEPSEEK).json["id"]
    assert api.post(f"/claims/{claim_id}/extend", {"expected_within": "P1M"}).status_code == 422
    extended = api.post(f"/claims/{claim_id}/extend", {"expected_within": "P1M", "reason": "Late"})
    assert extended.status_code == 200
    assert extended.json["extensions"] == 1
    assert extended.json["window_end"] == "2026-12-21T00:00:00Z"

    confirm = api.post(f"/claims/{claim_id}/resolve", {"outcome": "confirmed", "note": "Yes"})
    assert confirm.status_code == 409  # no evidence yet
    evidence = api.post(
        f"/claims/{claim_id}/evidence", {"url": "https://reuters.example/v4", "stance": "supports"}
    )
    assert evidence.status_code == 201
    resolved = api.post(
        f"/claims/{claim_id}/resolve",
        {"outcome": "confirmed", "note": "Announced", "known_at": "2026-11-20T08:00:00Z"},
    )
    assert resolved.status_code == 200, resolved.json
    assert resolved.json["resolution"]["outcome"] == "confirmed"
    assert resolved.json["resolution"]["known_at"] == "2026-11-20T08:00:00Z"
    assert resolved.json["resolution"]["resolved_by"]["id"] == reviewer.id
    again = api.post(f"/claims/{claim_id}/resolve", {"outcome": "refuted", "note": "No"})
    assert again.status_code == 409

    reopened = api.post(f"/claims/{claim_id}/reopen", {"reason": "Denied later"})
    assert reopened.status_code == 200
    assert reopened.json["status"] == "pending"
    assert api.post(f"/claims/{claim_id}/reopen", {"reason": "x"}).status_code == 409

    assigned = api.post(f"/claims/{claim_id}/assign", {"assignee": reviewer.email})
    assert assigned.json["assignee"] == {"id": reviewer.id, "name": reviewer.name}
    comment = api.post(f"/claims/{claim_id}/comments", {"body": "Asked DeepSeek"})
    assert comment.status_code == 201
    assert comment.json["kind"] == "commented"

    events = api.get(f"/claims/{claim_id}/events").json["items"]
    assert [e["kind"] for e in events] == [
        "created",
        "window_extended",
        "evidence_added",
        "resolved",
        "reopened",
        "assigned",
        "commented",
    ]
    assert events[0]["actor"] == {"id": reviewer.id, "name": reviewer.name}


def test_future_known_at_is_422(api):
    claim_id = api.post("/claims", DEEPSEEK).json["id"]
    response = api.post(
        f"/claims/{claim_id}/resolve",
        {"outcome": "void", "note": "", "known_at": "2030-01-01T00:00:00Z"},
    )
    assert response.status_code == 422
    assert "known_at" in response.json["errors"]


def test_system_events_name_the_system_as_actor(api, session, factory):
    from datetime import timedelta

    from app.sweep import flag_overdue_claims
    from tests.conftest import NOW

    claim = factory.claim(window_end=NOW - timedelta(days=1))
    flag_overdue_claims(session, NOW)
    events = api.get(f"/claims/{claim.id}/events").json["items"]
    assert events[-1]["kind"] == "flagged_overdue"
    assert events[-1]["actor"] == "system"


def test_assigning_to_an_email_with_a_nul_byte_is_a_422_problem_not_a_500(api, factory):
    # Found by scripts/fuzz against PostgreSQL (which refuses NUL in text).
    claim = factory.claim()
    response = api.post(f"/claims/{claim.id}/assign", {"assignee": "a\x00@newsroom.example"})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


def test_an_if_match_with_a_superscript_digit_is_a_412_not_a_500(api, factory):
    # Found by scripts/fuzz: isdigit() accepts "²", which int() refuses.
    claim = factory.claim()
    response = api.patch(
        f"/claims/{claim.id}", {"subject": "x"}, headers={"If-Match": f'"{claim.id}-v²"'}
    )
    assert response.status_code == 412


def test_an_assignee_that_cannot_be_given_claims_is_refused_without_a_word_about_them(
    api, factory, session
):
    claim = factory.claim()
    viewer = factory.user(role="viewer", email="quiet.viewer@newsroom.example")
    departed = factory.user(role="reviewer", email="departed@newsroom.example")
    departed.active = False
    session.flush()
    refs = [viewer.id, departed.id, 2_000_000, viewer.email, departed.email, "no@newsroom.example"]
    answers = []
    for ref in refs:
        response = api.post(f"/claims/{claim.id}/assign", {"assignee": ref})
        body = response.get_data(as_text=True)
        assert viewer.email not in body and departed.email not in body, ref
        answers.append((response.status_code, response.json["detail"], response.json["errors"]))
    # Unknown, inactive and viewer accounts: one answer, so nothing can be told apart.
    assert len({repr(answer) for answer in answers}) == 1
    assert answers[0][0] == 422
    assert answers[0][2] == {"assignee": ["must be an active reviewer or admin"]}


def test_the_assigned_event_names_the_assignee_by_id_and_copies_no_email(api, factory):
    claim = factory.claim()
    colleague = factory.user(role="reviewer", name="Colleague")
    assert api.post(f"/claims/{claim.id}/assign", {"assignee": colleague.id}).status_code == 200
    (event,) = [
        e for e in api.get(f"/claims/{claim.id}/events").json["items"] if e["kind"] == "assigned"
    ]
    assert event["data"] == {"previous": None, "assignee": colleague.id}

"""Editing a claim's tags and its source: through the API (PATCH) and the web form, with the
event recording old and new, the list's tag filter following the change, and a source found
by its name however it is spelled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.claims import edit_claim
from app.models import Claim, ClaimEvent, Source
from tests.api.conftest import Api, token_for
from tests.conftest import NOW
from tests.web.conftest import PASSWORD, Browser, quick_hashing  # noqa: F401  (autouse)


def edited(session, claim_id: int) -> dict:
    event = session.scalars(
        select(ClaimEvent)
        .where(ClaimEvent.claim_id == claim_id, ClaimEvent.kind == "edited")
        .order_by(ClaimEvent.id.desc())
    ).first()
    return event.data["changes"]


@pytest.fixture
def api(client, session, factory) -> Api:
    return Api(client, token_for(session, factory.reviewer, "write"))


def test_patching_tags_replaces_them_and_the_tag_filter_follows(api, factory, session):
    claim = factory.claim(tags=["chips", "ai"])
    session.commit()
    response = api.patch(
        f"/claims/{claim.id}",
        {"tags": ["Export Controls", "chips"]},
        headers={"If-Match": f'"{claim.id}-v1"'},
    )
    assert response.status_code == 200, response.json
    assert response.json["tags"] == ["chips", "export-controls"]
    assert response.json["version"] == 2
    assert edited(session, claim.id) == {"tags": [["ai", "chips"], ["chips", "export-controls"]]}
    listed = [item["id"] for item in api.get("/claims?tag=export%20controls").json["items"]]
    assert listed == [claim.id]
    assert api.get("/claims?tag=ai").json["items"] == []


def test_patching_the_same_tags_in_another_order_changes_nothing(api, factory, session):
    claim = factory.claim(tags=["chips", "ai"])
    session.commit()
    response = api.patch(
        f"/claims/{claim.id}", {"tags": ["AI", " chips "]}, headers={"If-Match": f'"{claim.id}-v1"'}
    )
    assert response.status_code == 200
    assert response.json["version"] == 1
    assert session.scalar(select(func.count()).where(ClaimEvent.kind == "edited")) == 0


def test_patching_the_source_moves_the_claim_to_an_existing_source_by_its_name(
    api, factory, session
):
    factory.claim(source="The Decoder", source_url="https://the-decoder.com/")
    claim = factory.claim(source="Wire")
    session.commit()
    response = api.patch(
        f"/claims/{claim.id}", {"source": "the  decoder"}, headers={"If-Match": f'"{claim.id}-v1"'}
    )
    assert response.status_code == 200, response.json
    assert response.json["source"]["name"] == "The Decoder"
    assert response.json["source"]["url"] == "https://the-decoder.com/"
    assert session.scalar(select(func.count()).select_from(Source)) == 2
    assert edited(session, claim.id)["source"] == ["Wire", "the  decoder"]


def test_patching_a_new_source_with_its_url_creates_it(api, factory, session):
    claim = factory.claim()
    session.commit()
    body = {"source": "Example Tech Wire", "source_url": "https://tech.example/"}
    response = api.patch(f"/claims/{claim.id}", body, headers={"If-Match": f'"{claim.id}-v1"'})
    assert response.status_code == 200, response.json
    assert response.json["source"]["name"] == "Example Tech Wire"
    assert response.json["source"]["url"] == "https://tech.example/"
    source_id = response.json["source"]["id"]
    record = api.get(f"/sources/{source_id}").json["track_record"]
    assert record["counts"]["pending"] == 1


def test_a_source_url_without_a_source_is_refused_and_changes_nothing(api, factory, session):
    claim = factory.claim()
    session.commit()
    response = api.patch(
        f"/claims/{claim.id}",
        {"source_url": "https://x.example/"},
        headers={"If-Match": f'"{claim.id}-v1"'},
    )
    assert response.status_code == 422
    assert "source" in response.json["errors"]
    session.expire_all()
    assert session.get(Claim, claim.id).version == 1


def test_removing_the_source_leaves_the_claim_without_one(factory, session):
    claim = factory.claim(source="Wire")
    edit_claim(session, factory.reviewer, NOW, claim.id, 1, {"source": ""})
    assert claim.source is None
    assert edited(session, claim.id) == {"source": ["Wire", ""]}


def test_the_edit_form_changes_tags_and_source(app, factory, session):
    reviewer = factory.user(role="reviewer", password=PASSWORD, name="Rita Reviewer")
    claim = factory.claim(tags=["chips"], source="Wire", window_end=NOW + timedelta(days=9))
    session.commit()
    browser = Browser(app.test_client())
    browser.sign_in(reviewer.email)
    form = browser.get(f"/claims/{claim.id}/edit").get_data(as_text=True)
    assert 'value="chips"' in form and 'value="Wire"' in form
    response = browser.post(
        f"/claims/{claim.id}/edit",
        {
            "statement": claim.statement,
            "tags": "chips, Supply Chain",
            "source": "The Decoder",
            "source_url": "https://the-decoder.com/",
            "version": "1",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    changed = session.get(Claim, claim.id)
    assert sorted(changed.tags) == ["chips", "supply-chain"]
    assert changed.source.name == "The Decoder"
    assert changed.source.url == "https://the-decoder.com/"
    page = browser.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "supply-chain" in page and "The Decoder" in page

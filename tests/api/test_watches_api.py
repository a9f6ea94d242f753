"""Watches through the API: reviewers add and remove feeds; everyone with a token reads them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Watch

FEED = "https://newsroom.example/deepseek.atom"


def test_a_reviewer_adds_a_feed_and_everyone_sees_it_waiting_for_its_first_check(api, read_token):
    created = api.post("/watches", {"url": FEED, "name": "DeepSeek newsroom"})
    assert created.status_code == 201, created.json
    assert created.json["name"] == "DeepSeek newsroom"
    assert created.json["health"]["state"] == "waiting"
    assert "Not checked yet" in created.json["health"]["summary"]
    assert created.json["leads"] == 0

    listed = api.get("/watches", token=read_token)
    assert listed.status_code == 200
    assert listed.json["items"] == [created.json]


def test_a_feed_without_a_name_is_named_after_its_host(api):
    assert api.post("/watches", {"url": FEED}).json["name"] == "newsroom.example"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://newsroom.example/feed"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": FEED, "name": "x" * 201}, "name"),
        ({"url": FEED, "interval": 5}, "interval"),
    ],
)
def test_bad_watches_are_422_naming_the_field(api, body, field):
    response = api.post("/watches", body)
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_a_feed_already_watched_is_refused(api):
    api.post("/watches", {"url": FEED, "name": "First"})
    again = api.post("/watches", {"url": FEED, "name": "Second"})
    assert again.status_code == 422
    assert "already watched as 'First'" in again.json["errors"]["url"][0]


def test_read_tokens_cannot_add_or_remove_watches(api, read_token):
    assert api.post("/watches", {"url": FEED}, token=read_token).status_code == 403
    watch_id = api.post("/watches", {"url": FEED}).json["id"]
    assert api.request("DELETE", f"/watches/{watch_id}", token=read_token).status_code == 403


def test_removing_a_watch_stops_it_and_keeps_its_leads(api, factory, session):
    claim = factory.claim(subject="DeepSeek V4")
    factory.lead(claim, "DeepSeek V4 is out")
    session.commit()
    [watch] = api.get("/watches").json["items"]

    assert api.request("DELETE", f"/watches/{watch['id']}").status_code == 204

    assert api.get("/watches").json["items"] == []
    session.expire_all()
    assert session.scalars(select(Watch)).one().removed_at is not None
    [lead] = api.get("/leads").json["items"]
    assert lead["watch"] == {"id": watch["id"], "name": watch["name"]}
    # Gone from the API's view: deleting it again is a 404, like any id that names no watch.
    assert api.request("DELETE", f"/watches/{watch['id']}").status_code == 404
    assert api.request("DELETE", "/watches/999999").status_code == 404

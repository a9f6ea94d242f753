"""Refused API tokens are counted per client address; past the limit they get 429, not 401."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import limiter
from tests.api.conftest import Api

BAD = "cw_not-a-real-token"
ELSEWHERE = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.fixture
def three_per_minute(app):
    app.config["API_AUTH_FAILURE_LIMIT"] = "3 per minute"


def refused(api: Api, times: int, **kw) -> list[int]:
    return [api.get("/claims", token=BAD, **kw).status_code for _ in range(times)]


def test_past_the_limit_a_refused_token_gets_429_with_retry_after(api, three_per_minute):
    assert refused(api, 3) == [401, 401, 401]
    response = api.get("/claims", token=BAD)
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == "60"  # the clock is frozen: the whole window
    assert "try again in 60 seconds" in response.json["detail"]
    assert api.post("/claims", {}, token=BAD).status_code == 429


def test_a_valid_token_from_the_same_address_still_works(api, read_token, three_per_minute):
    refused(api, 4)
    assert api.get("/claims", token=read_token).status_code == 200
    assert api.post("/claims", {"statement": "x", "window_end": "2027-01-01"}).status_code == 201
    assert api.get("/claims", token=BAD).status_code == 429


def test_counters_are_kept_per_address(api, three_per_minute):
    refused(api, 4)
    assert refused(api, 3, environ_base=ELSEWHERE) == [401, 401, 401]
    assert refused(api, 1, environ_base=ELSEWHERE) == [429]


def test_the_count_starts_again_after_the_window(api, three_per_minute, clock):
    assert refused(api, 4)[-1] == 429
    clock.shift(timedelta(seconds=61))
    assert refused(api, 4) == [401, 401, 401, 429]


def test_a_missing_or_malformed_header_is_not_counted(client, api, three_per_minute):
    for header in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"}):
        for _ in range(3):
            assert client.get("/api/v1/claims", headers=header).status_code == 401
    assert refused(api, 3) == [401, 401, 401]


def test_the_default_limit_is_twenty_a_minute(api):
    assert set(refused(api, 20)) == {401}
    assert refused(api, 1) == [429]


def test_a_valid_token_never_touches_the_counters_and_a_dead_store_means_401(
    api, read_token, monkeypatch
):
    def unreachable(_self):
        raise ConnectionError("the rate-limit storage is down")

    monkeypatch.setattr(type(limiter), "limiter", property(unreachable))
    assert api.get("/claims", token=read_token).status_code == 200
    assert api.post("/claims", {"statement": "x", "window_end": "2027-01-01"}).status_code == 201
    assert refused(api, 25) == [401] * 25

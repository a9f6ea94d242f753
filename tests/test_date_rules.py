"""Dates that cannot be true are refused, naming the field, through every way a claim's dates
come in: the API, the web form and a CSV import. A window already past at creation stays
allowed (a backlog entered after the fact)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app.claims import add_evidence, resolve_claim
from app.claims.errors import ValidationError
from app.models import Claim
from tests.api.conftest import Api, token_for
from tests.conftest import NOW
from tests.web.conftest import PASSWORD, Browser, quick_hashing  # noqa: F401  (autouse)

TODAY = NOW.date()  # 2026-11-20


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def api(client, session, factory) -> Api:
    return Api(client, token_for(session, factory.reviewer, "write"))


def claims_in(session) -> int:
    return session.scalar(select(func.count()).select_from(Claim))


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (
            {"claimed_on": "2026-11-10", "window_end": "2026-11-01"},
            "window_end",
            "before the claim",
        ),
        ({"claimed_on": "2027-01-05", "window_end": "2027-02-01"}, "claimed_on", "in the future"),
        ({"claimed_on": "2026-11-22", "expected_within": "P2W"}, "claimed_on", "in the future"),
    ],
)
def test_the_api_refuses_dates_that_cannot_be_true(api, session, body, field, words):
    response = api.post("/claims", {"statement": "Impossible dates", **body})
    assert response.status_code == 422, response.json
    assert list(response.json["errors"]) == [field]
    assert words in response.json["errors"][field][0]
    assert claims_in(session) == 0


def test_the_api_allows_a_claim_made_tomorrow_somewhere_and_a_backlog(api, session):
    tomorrow = api.post(
        "/claims",
        {"statement": "Reported in Tokyo", "claimed_on": "2026-11-21", "window_end": "2026-12-01"},
    )
    assert tomorrow.status_code == 201, tomorrow.json
    backlog = api.post(
        "/claims", {"statement": "Old one", "claimed_on": "2026-10-01", "window_end": "2026-10-15"}
    )
    assert backlog.status_code == 201, backlog.json
    assert backlog.json["status"] == "pending"  # the next sweep flags it


def test_a_window_ending_on_the_day_of_the_claim_is_allowed(api):
    same_day = api.post(
        "/claims", {"statement": "Same day", "claimed_on": "2026-11-10", "window_end": "2026-11-10"}
    )
    assert same_day.status_code == 201, same_day.json


def test_known_at_before_the_claim_was_made_is_refused(api, factory, session):
    claim = factory.claim(claimed_on=date(2026, 11, 10), window_end=NOW + timedelta(days=9))
    add_evidence(session, factory.reviewer, NOW, claim.id, {"url": "https://news.example/a"})
    session.commit()
    body = {"outcome": "confirmed", "note": "Announced", "known_at": "2026-11-09T23:00:00Z"}
    response = api.post(f"/claims/{claim.id}/resolve", body)
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["known_at"]
    ok = api.post(f"/claims/{claim.id}/resolve", {**body, "known_at": "2026-11-10T08:00:00Z"})
    assert ok.status_code == 200, ok.json


def test_an_edit_cannot_move_the_claim_after_its_window_or_its_outcome(api, factory, session):
    claim = factory.claim(claimed_on=date(2026, 11, 1), window_end="2026-11-15")
    session.commit()
    etag = {"If-Match": f'"{claim.id}-v1"'}
    late = api.patch(f"/claims/{claim.id}", {"claimed_on": "2026-11-18"}, headers=etag)
    assert late.status_code == 422
    assert "after the end of the claim's window" in late.json["errors"]["claimed_on"][0]
    future = api.patch(f"/claims/{claim.id}", {"claimed_on": "2026-12-24"}, headers=etag)
    assert "in the future" in future.json["errors"]["claimed_on"][0]

    resolved = factory.claim(claimed_on=date(2026, 11, 1), window_end=NOW + timedelta(days=3))
    add_evidence(session, factory.reviewer, NOW, resolved.id, {"url": "https://news.example/b"})
    resolve_claim(session, factory.reviewer, NOW, resolved.id, "confirmed", "", "2026-11-05")
    session.commit()
    etag = {"If-Match": f'"{resolved.id}-v{resolved.version}"'}
    moved = api.patch(f"/claims/{resolved.id}", {"claimed_on": "2026-11-07"}, headers=etag)
    assert moved.status_code == 422
    assert "before the claim was made" in moved.json["errors"]["claimed_on"][0]


def test_the_web_form_explains_the_date_beside_its_field(app, factory, session):
    reviewer = factory.user(role="reviewer", password=PASSWORD, name="Rita Reviewer")
    session.commit()
    browser = Browser(app.test_client())
    browser.sign_in(reviewer.email)
    response = browser.post(
        "/claims/new",
        {"statement": "Impossible", "claimed_on": "2026-11-10", "window_end": "2026-11-01"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="window_end-error"' in html
    assert "closes before the claim was made" in html
    assert 'value="2026-11-10"' in html  # what was typed stays
    assert claims_in(session) == 0


def test_a_csv_import_names_the_row_and_the_field(runner, factory, session, tmp_path):
    factory.user(role="reviewer", email="desk@newsroom.example")
    session.commit()
    path = tmp_path / "claims.csv"
    path.write_text(
        "statement,claimed_on,window_end,status,known_at,evidence_url,evidence_stance\n"
        "Fine,2026-11-01,2026-12-01,pending,,,\n"
        "Closes before it was made,2026-11-10,2026-11-01,pending,,,\n"
        "Made next year,2027-03-01,2027-04-01,pending,,,\n"
        "Known before it was made,2026-11-10,2026-11-12,confirmed,2026-11-09T00:00:00Z,"
        "https://news.example/c,supports\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["claims", "import", str(path), "--as", "desk@newsroom.example"])
    assert result.exit_code == 1
    assert "row 3: window_end: closes before the claim was made" in result.output
    assert "row 4: claimed_on: is in the future" in result.output
    assert "row 5: known_at: is before the claim was made" in result.output
    assert "nothing was imported" in result.output
    assert claims_in(session) == 0


def test_the_domain_refuses_before_it_changes_anything(factory, session):
    from app.claims import create_claim

    with pytest.raises(ValidationError) as refused:
        create_claim(
            session,
            factory.reviewer,
            NOW,
            {"statement": "X", "claimed_on": "2026-11-30", "window_end": "2026-11-25"},
        )
    assert set(refused.value.errors) == {"claimed_on", "window_end"}  # every problem at once
    assert claims_in(session) == 0

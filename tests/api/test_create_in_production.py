"""`POST /claims` as it runs in production, on an engine of its own (not the tests' shared
connection), in the request's unit of work: the claim is whole, bad input changes nothing, and
two requests naming the same new source at once make one source."""

from __future__ import annotations

import threading

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func, select

from app.accounts.tokens import create_token
from app.accounts.users import create_user
from app.models import ApiToken, Claim, ClaimEvent, ClaimTag, Source
from app.unit_of_work import get_db, get_session
from tests.conftest import NOW


@pytest.fixture
def writer(served: tuple[Flask, str]) -> tuple[Flask, dict[str, str]]:
    app, secret = served
    return app, {"Authorization": f"Bearer {secret}"}


def count(app: Flask, what: object) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(what))  # type: ignore[arg-type]


def test_a_new_claim_is_written_whole(writer: tuple[Flask, dict[str, str]]) -> None:
    app, auth = writer
    client = app.test_client()
    body = {
        "statement": "DeepSeek V4 will be trained on Huawei Ascend chips",
        "source": "The  Information",
        "source_url": "https://www.theinformation.com/",
        "expected_within": "P3W",
        "tags": ["chips", "AI"],
    }
    with time_machine.travel(NOW, tick=False):
        created = client.post("/api/v1/claims", headers=auth, json=body)
        again = client.post(
            "/api/v1/claims", headers=auth, json={**body, "source": "the information"}
        )
    assert created.status_code == again.status_code == 201, created.json
    assert created.json["source"] == again.json["source"]
    assert created.json["source"]["name"] == "The Information"
    assert get_db(app).engine.pool.checkedout() == 0
    with app.app_context():
        session = get_session()
        claim = session.get(Claim, created.json["id"])
        assert claim is not None and claim.source is not None
        assert claim.source.url == "https://www.theinformation.com/"
        assert sorted(claim.tags) == ["ai", "chips"]
        events = session.scalars(select(ClaimEvent).where(ClaimEvent.claim_id == claim.id)).all()
        assert [event.kind for event in events] == ["created"]
        assert events[0].data["source"] == "The  Information"
        assert session.scalar(select(ApiToken.last_used_at)) == NOW
    assert count(app, Source) == 1
    assert count(app, ClaimTag) == 4


def test_bad_input_changes_nothing(writer: tuple[Flask, dict[str, str]]) -> None:
    app, auth = writer
    client = app.test_client()
    bad = {"statement": "", "source": "Never Created", "expected_within": "P3W"}
    with time_machine.travel(NOW, tick=False):
        refused = client.post("/api/v1/claims", headers=auth, json=bad)
    assert refused.status_code == 422
    assert "statement" in refused.json["errors"]
    assert count(app, Claim) == count(app, Source) == count(app, ClaimEvent) == 0


def test_an_idempotency_key_still_makes_one_claim(writer: tuple[Flask, dict[str, str]]) -> None:
    app, auth = writer
    client = app.test_client()
    headers = {**auth, "Idempotency-Key": "import-7"}
    body = {"statement": "Once only", "source": "Outlet", "expected_within": "P1W"}
    with time_machine.travel(NOW, tick=False):
        first = client.post("/api/v1/claims", headers=headers, json=body)
        second = client.post("/api/v1/claims", headers=headers, json=body)
    assert first.status_code == second.status_code == 201
    assert first.json == second.json
    assert count(app, Claim) == 1


def test_two_requests_naming_one_new_source_make_one_source(
    writer: tuple[Flask, dict[str, str]],
) -> None:
    app, auth = writer
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def send(n: int) -> None:
        client = app.test_client()
        body = {"statement": f"Race {n}", "source": "Brand New Outlet", "expected_within": "P1W"}
        barrier.wait()
        statuses.append(client.post("/api/v1/claims", headers=auth, json=body).status_code)

    with time_machine.travel(NOW, tick=False):
        threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert statuses == [201] * 4
    assert count(app, Source) == 1
    with app.app_context():
        source_ids = get_session().scalars(select(Claim.source_id)).all()
    assert len(source_ids) == 4 and len(set(source_ids)) == 1 and None not in source_ids


def test_a_new_source_is_not_kept_when_its_claim_fails(
    writer: tuple[Flask, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The source and its claim are one unit of work: a failure after the source was written
    keeps neither."""
    import app.claims.lifecycle as lifecycle

    real = lifecycle.find_or_create_source

    def created_then_failed(*args: object, **kwargs: object) -> object:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("the database went away")

    monkeypatch.setattr(lifecycle, "find_or_create_source", created_then_failed)
    app, auth = writer
    app.config["PROPAGATE_EXCEPTIONS"] = False
    body = {"statement": "Lost", "source": "Brand New Outlet", "expected_within": "P1W"}
    with time_machine.travel(NOW, tick=False):
        failed = app.test_client().post("/api/v1/claims", headers=auth, json=body)
    assert failed.status_code == 500
    assert count(app, Source) == count(app, Claim) == 0
    monkeypatch.undo()
    with time_machine.travel(NOW, tick=False):
        retried = app.test_client().post("/api/v1/claims", headers=auth, json=body)
    assert retried.status_code == 201
    assert count(app, Source) == count(app, Claim) == 1


def test_a_refused_write_does_not_record_the_token_as_used(
    served: tuple[Flask, str],
) -> None:
    app, _ = served
    with app.app_context():
        session = get_session()
        viewer = create_user(session, NOW, "viewer@newsroom.example", "viewer")
        _, secret = create_token(session, viewer, NOW, "viewer's", "write")
        session.commit()
    body = {"statement": "Not allowed", "expected_within": "P1W"}
    with time_machine.travel(NOW, tick=False):
        refused = app.test_client().post(
            "/api/v1/claims", headers={"Authorization": f"Bearer {secret}"}, json=body
        )
    assert refused.status_code == 403
    with app.app_context():
        used = get_session().scalars(
            select(ApiToken.last_used_at).where(ApiToken.name == "viewer's")
        )
        assert used.one() is None

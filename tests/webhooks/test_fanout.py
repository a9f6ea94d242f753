"""Fan-out: one delivery per (endpoint, event), an event that commits late is not skipped."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app import create_app
from app.claims import comment_on_claim, create_claim
from app.claims.events import event_values
from app.db import make_engine
from app.models import ClaimEvent, EventKind, User, WebhookDelivery
from app.unit_of_work import get_db
from app.webhooks.fanout import fan_out, settled_upto
from tests.conftest import NOW, app_config
from tests.databases import fresh_database
from tests.webhooks.conftest import send_pass
from tests.webhooks.processes import seed


def test_fanning_out_twice_makes_no_second_delivery(hooks_app, session, factory, add_endpoint):
    add_endpoint("https://hooks.example/a")
    add_endpoint("https://hooks.example/b", events=["created"])
    factory.claim()
    factory.claim()
    session.commit()
    assert fan_out(session, NOW) == 4
    assert fan_out(session, NOW) == 0
    count = session.scalar(select(func.count()).select_from(WebhookDelivery))
    assert count == 4


def comments(receiver) -> list[str]:
    return [
        r.payload["data"]["event"]["data"]["body"]
        for r in receiver.received
        if r.payload["data"]["event"]["kind"] == "commented"
    ]


@pytest.mark.postgres_only
def test_an_event_whose_transaction_commits_after_a_later_one_is_still_delivered(
    tmp_path, receiver
):
    """Event ids are drawn at insert: id N may commit after N+1 has been fanned out (without
    the snapshot check in app.webhooks.fanout this test loses "Drawn first")."""
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    with fresh_database("postgresql", tmp_path) as url:
        [secret] = seed(url, tmp_path, [receiver.url("/hook")], claims=0)
        receiver.expect("/hook", secret)
        app = create_app(app_config(url, INSTANCE_PATH=str(tmp_path), ALLOW_PRIVATE_URLS="1"))
        engine = make_engine(url)
        with Session(engine) as setup:
            admin = setup.scalars(select(User)).one()
            admin_id = admin.id
            first, second = (
                create_claim(
                    setup, admin, NOW, {"statement": text, "window_end": "2026-12-24"}
                ).claim.id
                for text in ("First claim", "Second claim")
            )
            setup.commit()
        send_pass(app, NOW)  # the two `created` events
        with Session(engine) as slow, Session(engine) as quick:
            # Written without touching the claim row: today every writer of a claim also
            # takes the status counters' row lock, which happens to serialize them on
            # PostgreSQL; the fan-out must not depend on that.
            early = slow.execute(
                insert(ClaimEvent)
                .values(
                    claim_id=first,
                    **event_values(EventKind.COMMENTED, None, NOW, {"body": "Drawn first"}),
                )
                .returning(ClaimEvent.id)
            ).scalar_one()
            late = comment_on_claim(quick, quick.get(User, admin_id), NOW, second, "Drawn second")
            quick.commit()
            assert early < late.id

            send_pass(app, NOW + timedelta(minutes=1))
            assert comments(receiver) == ["Drawn second"]
            slow.commit()
        for minutes in (2, 3, 4):
            send_pass(app, NOW + timedelta(minutes=minutes))
        said = comments(receiver)
        with Session(engine) as check:
            deliveries = check.scalar(select(func.count()).select_from(WebhookDelivery))
        engine.dispose()
        get_db(app).engine.dispose()

    assert said == ["Drawn second", "Drawn first"]
    assert deliveries == 4


def test_the_cursor_moves_only_past_events_no_running_transaction_can_still_add():
    # SQLite: one writer at a time, ids in commit order; what a pass saw is final.
    assert settled_upto(False, upto=9, done=3, seen_upto=5, seen_xmax=None, xmin=None) == 9
    # PostgreSQL: the last pass saw up to 5 when transaction 100 was the next to start...
    assert settled_upto(True, upto=9, done=3, seen_upto=5, seen_xmax=100, xmin=99) == 3
    # ...and once the oldest running transaction is 100 or later, 5 is final.
    assert settled_upto(True, upto=9, done=3, seen_upto=5, seen_xmax=100, xmin=100) == 5
    assert settled_upto(True, upto=9, done=3, seen_upto=5, seen_xmax=None, xmin=100) == 3
    assert settled_upto(True, upto=9, done=7, seen_upto=5, seen_xmax=100, xmin=120) == 7

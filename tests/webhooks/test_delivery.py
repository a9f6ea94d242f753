"""Deliveries to a real receiver that verifies every signature with `standardwebhooks`."""

from __future__ import annotations

from datetime import timedelta

from app.claims import comment_on_claim, resolve_claim
from tests.conftest import NOW
from tests.webhooks.conftest import deliveries, send_pass


def test_each_event_is_delivered_once_to_each_endpoint_that_wants_it(
    hooks_app, session, factory, receiver, add_endpoint
):
    _, everything = add_endpoint(receiver.url("/all"))
    _, resolutions = add_endpoint(receiver.url("/resolved"), events=["resolved"])
    receiver.expect("/all", everything)
    receiver.expect("/resolved", resolutions)
    claim = factory.claim()
    factory.evidence(claim)
    comment_on_claim(session, factory.reviewer, NOW, claim.id, "Checking with the press office.")
    resolve_claim(session, factory.reviewer, NOW, claim.id, "confirmed", "Announced.", None)
    session.commit()

    first = send_pass(hooks_app, NOW + timedelta(minutes=1))
    again = send_pass(hooks_app, NOW + timedelta(minutes=2))

    assert receiver.refused == []
    kinds = [r.payload["data"]["event"]["kind"] for r in receiver.at("/all")]
    assert kinds == ["created", "evidence_added", "commented", "resolved"]
    assert [r.payload["type"] for r in receiver.at("/resolved")] == ["claim.resolved"]
    assert (first.queued, first.delivered, again.queued, again.delivered) == (5, 5, 0, 0)
    ids = [r.webhook_id for r in receiver.received]
    assert len(set(ids)) == 5 and all(i.startswith("msg_") for i in ids)
    assert {d.status for d in deliveries(session)} == {"delivered"}

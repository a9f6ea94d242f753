"""What the receiver gets: the standard body (the claim as the API shows it), Slack, tests."""

from __future__ import annotations

from datetime import timedelta

from app.accounts.tokens import create_token
from app.claims import assign_claim, resolve_claim
from app.webhooks.actions import deliver_again, send_test
from tests.conftest import NOW
from tests.webhooks.conftest import deliveries, send_pass

START = NOW + timedelta(minutes=1)


def test_the_body_holds_the_claim_and_the_event_exactly_as_the_api_shows_them(
    hooks_app, session, factory, receiver, add_endpoint
):
    _, secret = add_endpoint(receiver.url("/hook"), events=["resolved"])
    receiver.expect("/hook", secret)
    claim = factory.claim(
        source="The Decoder", tags=["ai", "chips"], claimant="DeepSeek, per insiders"
    )
    factory.evidence(claim, title="Huawei confirms", publisher="Reuters")
    assign_claim(session, factory.reviewer, NOW, claim.id, factory.reviewer.id)
    resolve_claim(session, factory.reviewer, NOW, claim.id, "confirmed", "Announced.", None)
    _, token = create_token(session, factory.reviewer, NOW, "reader", "read")
    session.commit()

    send_pass(hooks_app, START)

    [received] = receiver.at("/hook")
    auth = {"Authorization": f"Bearer {token}"}
    client = hooks_app.test_client()
    api_claim = client.get(f"/api/v1/claims/{claim.id}", headers=auth).get_json()
    api_events = client.get(f"/api/v1/claims/{claim.id}/events", headers=auth).get_json()
    body = received.payload
    assert body["type"] == "claim.resolved"
    assert body["data"]["claim"] == api_claim
    assert body["data"]["event"] == api_events["items"][-1]
    assert body["timestamp"] == api_events["items"][-1]["at"]
    assert received.headers["content-type"] == "application/json"
    assert received.headers["webhook-timestamp"] == str(int(START.timestamp()))


def test_a_slack_endpoint_gets_a_message_an_incoming_webhook_accepts(
    hooks_app, session, factory, receiver, add_endpoint
):
    _, secret = add_endpoint(receiver.url("/slack"), format="slack")
    receiver.expect("/slack", secret)
    claim = factory.claim(statement="Acme <b>&</b> will ship the X1 by March")
    factory.evidence(claim, title="Acme ships X1")
    resolve_claim(
        session, factory.reviewer, NOW, claim.id, "partly_confirmed", "Only in the US.", None
    )
    session.commit()

    send_pass(hooks_app, START)

    created, evidence, resolved = receiver.at("/slack")
    assert all(r.headers["content-type"] == "application/json" for r in receiver.at("/slack"))
    assert all(set(r.json) == {"text"} for r in receiver.at("/slack"))
    link = f"<http://claimwatch.example/claims/{claim.id}|Acme &lt;b&gt;&amp;&lt;/b&gt; will ship"
    assert created.json["text"].startswith(f"*New claim* by {factory.reviewer.name}: {link}")
    assert "supports: Acme ships X1" in evidence.json["text"]
    assert resolved.json["text"].startswith("*Claim resolved*")
    assert resolved.json["text"].endswith("Outcome: partly confirmed — Only in the US.")
    assert receiver.refused == []


def test_a_test_message_goes_through_the_outbox_and_deliver_again_keeps_its_webhook_id(
    hooks_app, session, factory, admin, receiver, add_endpoint
):
    endpoint, secret = add_endpoint(receiver.url("/hook"))
    receiver.expect("/hook", secret, statuses=[200, 202], body=b"thanks")
    delivery = send_test(session, admin, START, endpoint.id)
    session.commit()

    send_pass(hooks_app, START)
    [first] = receiver.at("/hook")
    assert first.payload["type"] == "claimwatch.test"
    assert first.payload["data"]["requested_by"] == {"id": admin.id, "name": "Ada Admin"}

    deliver_again(session, admin, START + timedelta(minutes=5), endpoint.id, delivery.id)
    session.commit()
    send_pass(hooks_app, START + timedelta(minutes=5))
    first, again = receiver.at("/hook")
    assert again.webhook_id == first.webhook_id == delivery.webhook_id
    assert again.body == first.body
    [row] = deliveries(session)
    assert row.status == "delivered" and row.last_status == 202 and row.last_answer == "thanks"
    assert [e["outcome"] for e in row.attempt_log] == ["delivered", "requeued", "delivered"]
    assert row.attempt_log[1]["by"] == "Ada Admin"

"""`/webhooks` (admins only): endpoints, their delivery logs, a test, a delivery sent again."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Response, current_app, request, url_for

from app.api import bp
from app.api.auth import authenticate_admin
from app.api.idempotency import keep_sealed
from app.api.openapi import Reply, operation
from app.api.params import parse_body
from app.api.query import PAGE_PARAMETERS, parse_limit
from app.api.schemas.webhooks import (
    Delivery,
    DeliveryPage,
    Webhook,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookPatch,
)
from app.api.shapes import json_response
from app.claims.checks import check_id
from app.claims.errors import FieldErrors
from app.clock import utcnow
from app.models.webhooks import DELIVERY_STATES
from app.unit_of_work import get_session
from app.webhooks import actions, endpoints, log
from app.webhooks.settings import outbound_policy, secret_box

WEBHOOK_ID = "/webhooks/<id:webhook_id>"
DELIVERY_QUERY = [
    {"name": "status", "in": "query", "schema": {"enum": list(DELIVERY_STATES)}},
    *PAGE_PARAMETERS,
]


def webhook_body(view: log.EndpointView) -> dict[str, Any]:
    body = asdict(view)
    body["deliveries"] = body.pop("counts")
    return body


def delivery_body(view: log.DeliveryView) -> dict[str, Any]:
    return asdict(view)


@operation(
    bp,
    "GET",
    "/webhooks",
    "listWebhooks",
    "Every webhook endpoint",
    "webhooks",
    {200: Reply("The endpoints, oldest first", WebhookList)},
    admin=True,
)
def list_webhooks_view() -> Response:
    authenticate_admin(utcnow())
    return json_response({"items": [webhook_body(v) for v in log.list_endpoints(get_session())]})


@operation(
    bp,
    "POST",
    "/webhooks",
    "createWebhook",
    "Add an endpoint; the answer holds its secret, shown this once",
    "webhooks",
    {
        201: Reply(
            "The new endpoint and its secret",
            WebhookCreated,
            headers={"Location": {"required": True, "schema": {"type": "string"}}},
            links={
                "GetWebhook": {
                    "operationId": "getWebhook",
                    "parameters": {"webhook_id": "$response.body#/id"},
                },
                "TestWebhook": {
                    "operationId": "testWebhook",
                    "parameters": {"webhook_id": "$response.body#/id"},
                },
            },
        )
    },
    body=WebhookCreate,
    scope="write",
    admin=True,
)
def create_webhook_view() -> Response:
    now = utcnow()
    actor = authenticate_admin(now, write=True)
    _, values = parse_body(WebhookCreate)
    session = get_session()
    config = current_app.config
    endpoint, secret = endpoints.create_endpoint(
        session, actor, now, values, secret_box(config), outbound_policy(config)
    )
    keep_sealed()
    body = {**webhook_body(log.endpoint_view(session, endpoint.id)), "secret": secret}
    response = json_response(body, 201)
    response.headers["Location"] = url_for("api.getWebhook", webhook_id=endpoint.id)
    return response


@operation(
    bp,
    "GET",
    WEBHOOK_ID,
    "getWebhook",
    "One endpoint",
    "webhooks",
    {200: Reply("The endpoint", Webhook)},
    admin=True,
)
def get_webhook_view(webhook_id: int) -> Response:
    authenticate_admin(utcnow())
    return json_response(webhook_body(log.endpoint_view(get_session(), webhook_id)))


@operation(
    bp,
    "PATCH",
    WEBHOOK_ID,
    "editWebhook",
    "Change an endpoint's URL, event kinds, format or active flag",
    "webhooks",
    {200: Reply("The changed endpoint", Webhook)},
    body=WebhookPatch,
    scope="write",
    admin=True,
)
def edit_webhook_view(webhook_id: int) -> Response:
    now = utcnow()
    actor = authenticate_admin(now, write=True)
    _, changes = parse_body(WebhookPatch)
    session = get_session()
    policy = outbound_policy(current_app.config)
    endpoints.update_endpoint(session, actor, now, webhook_id, changes, policy)
    return json_response(webhook_body(log.endpoint_view(session, webhook_id)))


@operation(
    bp,
    "DELETE",
    WEBHOOK_ID,
    "deleteWebhook",
    "Remove an endpoint with its deliveries",
    "webhooks",
    {204: Reply("Removed")},
    scope="write",
    admin=True,
)
def delete_webhook_view(webhook_id: int) -> Response:
    now = utcnow()
    endpoints.delete_endpoint(get_session(), authenticate_admin(now, write=True), webhook_id)
    return Response(status=204)


@operation(
    bp,
    "GET",
    WEBHOOK_ID + "/deliveries",
    "listWebhookDeliveries",
    "The endpoint's deliveries, newest first, each with its attempts",
    "webhooks",
    {200: Reply("A page of deliveries", DeliveryPage)},
    query=DELIVERY_QUERY,
    admin=True,
    errors=[422],
)
def list_deliveries_view(webhook_id: int) -> Response:
    authenticate_admin(utcnow())
    errors = FieldErrors()
    status = request.args.get("status") or None
    if status is not None and status not in DELIVERY_STATES:
        errors.add("status", f"must be one of {', '.join(DELIVERY_STATES)}")
    limit = parse_limit(errors, request.args.get("limit"))
    before = check_id(errors, "cursor", request.args.get("cursor"))
    errors.raise_if_any()
    views, more = log.deliveries_of(
        get_session(), webhook_id, limit=limit, before=before, status=status
    )
    items = [delivery_body(v) for v in views]
    return json_response({"items": items, "next": str(more) if more else None})


@operation(
    bp,
    "POST",
    WEBHOOK_ID + "/test",
    "testWebhook",
    "Queue a `claimwatch.test` delivery to the endpoint (sent within a minute)",
    "webhooks",
    {202: Reply("The queued delivery", Delivery)},
    scope="write",
    admin=True,
    errors=[409, 422],
)
def test_webhook_view(webhook_id: int) -> Response:
    now = utcnow()
    actor = authenticate_admin(now, write=True)
    session = get_session()
    delivery = actions.send_test(session, actor, now, webhook_id)
    return json_response(delivery_body(log.delivery_view(session, delivery.id)), 202)


@operation(
    bp,
    "POST",
    WEBHOOK_ID + "/deliveries/<id:delivery_id>/redeliver",
    "redeliverWebhookDelivery",
    "Queue a delivered or failed delivery again, with the same webhook-id",
    "webhooks",
    {202: Reply("The queued delivery", Delivery)},
    scope="write",
    admin=True,
    errors=[409, 422],
)
def redeliver_view(webhook_id: int, delivery_id: int) -> Response:
    now = utcnow()
    actor = authenticate_admin(now, write=True)
    session = get_session()
    actions.deliver_again(session, actor, now, webhook_id, delivery_id)
    return json_response(delivery_body(log.delivery_view(session, delivery_id)), 202)

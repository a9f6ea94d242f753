"""The lifecycle actions on a claim, its comments and its history."""

from __future__ import annotations

from flask import Response

from app.api import bp
from app.api.auth import authenticate, authenticate_writer
from app.api.claims import CLAIM_ID, changed_claim_response
from app.api.openapi import Reply, operation
from app.api.params import parse_body
from app.api.replies import claim_reply
from app.api.schemas.claims import (
    AssignRequest,
    CommentRequest,
    ExtendRequest,
    ReopenRequest,
    ResolveRequest,
)
from app.api.schemas.events import Event, EventList
from app.api.shapes import event, json_response
from app.claims import (
    assign_claim,
    comment_on_claim,
    extend_window,
    reopen_claim,
    resolve_claim,
)
from app.claims.reads import read_claim, read_event, read_events
from app.clock import utcnow
from app.unit_of_work import get_session, read_connection


@operation(
    bp,
    "POST",
    CLAIM_ID + "/resolve",
    "resolveClaim",
    "Record how the claim turned out",
    "actions",
    {200: claim_reply("The resolved claim")},
    body=ResolveRequest,
    scope="write",
    errors=[409],
)
def resolve_view(claim_id: int) -> Response:
    now = utcnow()
    actor = authenticate_writer(now)
    body, _ = parse_body(ResolveRequest)
    resolve_claim(get_session(), actor, now, claim_id, body.outcome, body.note or "", body.known_at)
    return changed_claim_response(claim_id)


@operation(
    bp,
    "POST",
    CLAIM_ID + "/extend",
    "extendClaim",
    "Move an open claim's window end later",
    "actions",
    {200: claim_reply("The claim, pending again")},
    body=ExtendRequest,
    scope="write",
    errors=[409],
)
def extend_view(claim_id: int) -> Response:
    now = utcnow()
    actor = authenticate_writer(now)
    body, _ = parse_body(ExtendRequest)
    extend_window(
        get_session(),
        actor,
        now,
        claim_id,
        body.reason,
        window_end=body.window_end,
        expected_within=body.expected_within,
    )
    return changed_claim_response(claim_id)


@operation(
    bp,
    "POST",
    CLAIM_ID + "/reopen",
    "reopenClaim",
    "Undo a resolution",
    "actions",
    {200: claim_reply("The reopened claim")},
    body=ReopenRequest,
    scope="write",
    errors=[409],
)
def reopen_view(claim_id: int) -> Response:
    now = utcnow()
    actor = authenticate_writer(now)
    body, _ = parse_body(ReopenRequest)
    reopen_claim(get_session(), actor, now, claim_id, body.reason)
    return changed_claim_response(claim_id)


@operation(
    bp,
    "POST",
    CLAIM_ID + "/assign",
    "assignClaim",
    "Give the claim to a reviewer, or to nobody",
    "actions",
    {200: claim_reply("The claim")},
    body=AssignRequest,
    scope="write",
    errors=[409],
)
def assign_view(claim_id: int) -> Response:
    now = utcnow()
    actor = authenticate_writer(now)
    body, _ = parse_body(AssignRequest)
    assign_claim(get_session(), actor, now, claim_id, body.assignee)
    return changed_claim_response(claim_id)


@operation(
    bp,
    "POST",
    CLAIM_ID + "/comments",
    "commentOnClaim",
    "Add a comment to the claim's history",
    "actions",
    {201: Reply("The comment, as an event of the history", Event)},
    body=CommentRequest,
    scope="write",
)
def comment_view(claim_id: int) -> Response:
    now = utcnow()
    actor = authenticate_writer(now)
    body, _ = parse_body(CommentRequest)
    session = get_session()
    written = comment_on_claim(session, actor, now, claim_id, body.body)
    return json_response(event(read_event(session.connection(), written.id)), 201)


@operation(
    bp,
    "GET",
    CLAIM_ID + "/events",
    "listEvents",
    "The claim's history, oldest first",
    "claims",
    {200: Reply("The history", EventList)},
)
def events_view(claim_id: int) -> Response:
    authenticate(utcnow())
    connection = read_connection()
    read_claim(connection, claim_id)  # 404 when there is no such claim
    return json_response({"items": [event(row) for row in read_events(connection, claim_id)]})

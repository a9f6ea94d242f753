"""`/watches`: the feeds the desk follows (list, add, stop following)."""

from __future__ import annotations

from flask import Response, url_for

from app.api import bp
from app.api.auth import authenticate, authenticate_writer
from app.api.openapi import Reply, operation
from app.api.params import parse_body
from app.api.schemas.watches import Watch, WatchCreate, WatchList
from app.api.shapes import json_response, watch
from app.clock import utcnow
from app.unit_of_work import get_session, read_connection
from app.watches import add_watch, remove_watch
from app.watches.reads import list_watches, read_watch


@operation(
    bp,
    "GET",
    "/watches",
    "listWatches",
    "The feeds being followed, with their health",
    "watches",
    {200: Reply("Every watch, by name", WatchList)},
)
def list_watches_view() -> Response:
    now = utcnow()
    authenticate(now)
    return json_response({"items": [watch(row) for row in list_watches(read_connection(), now)]})


@operation(
    bp,
    "POST",
    "/watches",
    "createWatch",
    "Follow a feed (RSS, Atom or JSON Feed); it is polled at the next pass",
    "watches",
    {
        201: Reply(
            "The new watch",
            Watch,
            headers={"Location": {"required": True, "schema": {"type": "string"}}},
        )
    },
    body=WatchCreate,
    scope="write",
)
def create_watch_view() -> Response:
    now = utcnow()
    actor = authenticate_writer(now)
    body, _ = parse_body(WatchCreate)
    session = get_session()
    created = add_watch(session, actor, now, body.url, body.name or "")
    response = json_response(watch(read_watch(session.connection(), created.id, now)), 201)
    response.headers["Location"] = url_for("api.listWatches")
    return response


@operation(
    bp,
    "DELETE",
    "/watches/<id:watch_id>",
    "deleteWatch",
    "Stop following a feed; the leads it brought stay",
    "watches",
    {204: Reply("Stopped")},
    scope="write",
)
def delete_watch_view(watch_id: int) -> Response:
    now = utcnow()
    actor = authenticate_writer(now)
    remove_watch(get_session(), actor, now, watch_id)
    return Response(status=204)

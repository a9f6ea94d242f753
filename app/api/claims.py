"""`/claims`: list, read, create and edit claims."""

from __future__ import annotations

from datetime import datetime

from flask import Response, request, url_for

from app.api import bp
from app.api.auth import authenticate, authenticate_writer, read_with_token_check
from app.api.documents import ClaimDoc
from app.api.idempotency import body_hash, check_key, claim_key, remember
from app.api.listing import page_of, page_order, page_statement, parse_query
from app.api.openapi import Reply, operation
from app.api.pagination import MAX_LIMIT, next_link
from app.api.params import expected_version, json_body, parse_body
from app.api.reading import read_claim
from app.api.replies import CLAIM_LINKS, ETAG, claim_reply
from app.api.schemas.claims import ClaimCreate, ClaimDetail, ClaimPage, ClaimPatch
from app.api.serialize import dumps, etag, json_response
from app.claims import NotFound, edit_claim
from app.claims.creation import NewClaim, insert_claim
from app.claims.errors import ValidationError
from app.clock import utcnow
from app.db import autocommit_connection, commit_request, get_session
from app.models import Claim, ClaimStatus

CLAIM_ID = "/claims/<id:claim_id>"
LIST_QUERY = [
    {
        "name": "status",
        "in": "query",
        "description": "Repeat to match any of several statuses",
        "schema": {"type": "array", "items": {"enum": [s.value for s in ClaimStatus]}},
        "style": "form",
        "explode": True,
    },
    {"name": "tag", "in": "query", "schema": {"type": "string"}},
    {"name": "source", "in": "query", "description": "A source id", "schema": {"type": "integer"}},
    {"name": "assignee", "in": "query", "description": "A user id", "schema": {"type": "integer"}},
    {
        "name": "q",
        "in": "query",
        "description": "Words that must all occur in the statement, subject or details",
        "schema": {"type": "string"},
    },
    {
        "name": "window_end_before",
        "in": "query",
        "description": "Due by this time (a bare date: by the end of that day, UTC)",
        "schema": {"type": "string"},
    },
    {
        "name": "window_end_after",
        "in": "query",
        "description": "Due after this time (a bare date: after the end of that day, UTC)",
        "schema": {"type": "string"},
    },
    {
        "name": "sort",
        "in": "query",
        "schema": {
            "enum": ["window_end", "-window_end", "created_at", "-created_at"],
            "default": "window_end",
        },
    },
    {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 50},
    },
    {
        "name": "cursor",
        "in": "query",
        "description": "`next` of the previous page",
        "schema": {"type": "string"},
    },
]
LINK = {"Link": {"description": 'rel="next": the next page', "schema": {"type": "string"}}}


def load_claim(claim_id: int) -> Claim:
    """The claim as an ORM object (with its source), or 404."""
    item = get_session().get(Claim, claim_id)
    if item is None:
        raise NotFound(f"there is no claim {claim_id}")
    return item


def claim_response(doc: ClaimDoc, status: int = 200) -> Response:
    """A claim's JSON with its ETag."""
    response = json_response(dumps(doc.body), status)
    response.headers["ETag"] = etag(doc.id, doc.version)
    return response


def changed_claim_response(claim_id: int) -> Response:
    """After a change: commit, then answer with the claim as it now is."""
    session = get_session()
    session.commit()
    return claim_response(read_claim(session.connection(), claim_id))


@operation(
    bp,
    "GET",
    "/claims",
    "listClaims",
    "List claims, filtered and sorted, one page at a time",
    "claims",
    {200: Reply("A page of claims", ClaimPage, headers=LINK)},
    query=LIST_QUERY,
    errors=[422],
)
def list_claims_view() -> Response:
    connection = autocommit_connection()
    now = utcnow()
    try:
        query = parse_query(request.args)
        stmt, params = page_statement(query, connection.dialect.name)  # reads the cursor
    except ValidationError:
        authenticate(now)  # a refused token is answered before a bad query
        raise
    if query.q:  # a text search's statement is built per request: checked apart
        authenticate(now)
        rows = connection.execute(stmt, params).all()
    else:
        rows = read_with_token_check(connection, stmt, params, now, page_order(query))
    items, cursor = page_of(rows, query)
    response = json_response(dumps({"items": items, "next": cursor}))
    if cursor:
        response.headers["Link"] = next_link(cursor)
    return response


@operation(
    bp,
    "POST",
    "/claims",
    "createClaim",
    "Create a claim (retry safely with Idempotency-Key)",
    "claims",
    {
        201: Reply(
            "The new claim",
            ClaimDetail,
            headers={**ETAG, "Location": {"required": True, "schema": {"type": "string"}}},
            links=CLAIM_LINKS,
        )
    },
    body=ClaimCreate,
    headers=[
        {
            "name": "Idempotency-Key",
            "in": "header",
            "description": "The same key and body again replays the first response; "
            "the same key with another body is a 422. Keys are kept for 24 hours.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 200},
        }
    ],
    scope="write",
)
def create_claim_view() -> Response:
    now = utcnow()
    if "Idempotency-Key" in request.headers:
        return _create_with_key(now)
    # One statement writes the claim whole (app.claims.creation): on PostgreSQL no transaction
    # and no ORM session are needed around it.
    connection = autocommit_connection()
    actor = authenticate_writer(now, connection)
    _, values = parse_body(ClaimCreate)
    response = _created(insert_claim(connection, actor, now, values))
    commit_request()
    return response


def _create_with_key(now: datetime) -> Response:
    """`POST /claims` with an Idempotency-Key: the key and the claim in one transaction."""
    session = get_session()
    actor = authenticate_writer(now)
    key = check_key(request.headers["Idempotency-Key"])
    claimed = claim_key(session, actor, now, key, body_hash(json_body()))
    if isinstance(claimed, Response):
        session.commit()
        return claimed
    _, values = parse_body(ClaimCreate)
    response = _created(insert_claim(session.connection(), actor, now, values))
    remember(claimed, response)
    session.commit()
    return response


def _created(new: NewClaim) -> Response:
    response = claim_response(ClaimDoc.of_new_claim(new), 201)
    response.headers["Location"] = url_for("api.getClaim", claim_id=new.id)
    return response


@operation(
    bp,
    "GET",
    CLAIM_ID,
    "getClaim",
    "A claim with its evidence",
    "claims",
    {200: claim_reply("The claim")},
)
def get_claim_view(claim_id: int) -> Response:
    connection = autocommit_connection()
    authenticate(utcnow())
    return claim_response(read_claim(connection, claim_id))


@operation(
    bp,
    "PATCH",
    CLAIM_ID,
    "editClaim",
    "Change a claim's fields (needs If-Match)",
    "claims",
    {200: claim_reply("The changed claim")},
    body=ClaimPatch,
    headers=[
        {
            "name": "If-Match",
            "in": "header",
            "required": True,
            "description": "The ETag of the claim as you last read it",
            "schema": {"type": "string"},
        }
    ],
    scope="write",
    errors=[412, 428],
)
def edit_claim_view(claim_id: int) -> Response:
    now = utcnow()
    actor = authenticate_writer(now)
    version = expected_version(claim_id)
    _, changes = parse_body(ClaimPatch)
    session = get_session()
    edit_claim(session, actor, now, claim_id, version, changes)
    return changed_claim_response(claim_id)

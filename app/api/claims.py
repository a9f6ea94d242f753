"""`/claims`: list, read, create and edit claims."""

from __future__ import annotations

from flask import Response, request, url_for

from app.api import bp
from app.api.auth import authenticate, authenticate_writer
from app.api.openapi import Reply, operation
from app.api.params import expected_version, parse_body
from app.api.query import LINK, PAGE_PARAMETERS, next_link, parse_list_query
from app.api.replies import CLAIM_LINKS, ETAG, claim_reply
from app.api.schemas.claims import ClaimCreate, ClaimDetail, ClaimPage, ClaimPatch
from app.api.shapes import claim, claim_response, json_response
from app.claims import create_claim, edit_claim
from app.claims.reads import ClaimRow, claim_page, read_claim, row_of
from app.clock import utcnow
from app.models import ClaimStatus
from app.unit_of_work import get_session, read_connection

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
    {"name": "tag", "in": "query", "schema": {"type": "string", "maxLength": 200}},
    {"name": "source", "in": "query", "description": "A source id", "schema": {"type": "integer"}},
    {"name": "assignee", "in": "query", "description": "A user id", "schema": {"type": "integer"}},
    {
        "name": "q",
        "in": "query",
        "description": "Words that must all occur in the statement, subject or details "
        "(whole words, stemmed)",
        "schema": {"type": "string", "maxLength": 200},
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
    *PAGE_PARAMETERS,
]


def changed_claim_response(claim_id: int, status: int = 200) -> Response:
    """After a change: the claim as it now is, read in the request's unit of work."""
    row, evidence = read_claim(get_session().connection(), claim_id)
    return claim_response(row, evidence, status)


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
    authenticate(utcnow())  # a refused token is answered before a bad query
    query = parse_list_query(request.args)
    page = claim_page(read_connection(), query, ClaimRow)
    cursor = page.next.encode() if page.next else None
    response = json_response({"items": [claim(row) for row in page.rows], "next": cursor})
    if cursor:
        response.headers["Link"] = next_link(cursor)
    return response


@operation(
    bp,
    "POST",
    "/claims",
    "createClaim",
    "Create a claim",
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
    scope="write",
)
def create_claim_view() -> Response:
    now = utcnow()
    actor = authenticate_writer(now)
    _, values = parse_body(ClaimCreate)
    claim = create_claim(get_session(), actor, now, values).claim
    response = claim_response(row_of(claim), [], 201)  # a new claim has no evidence yet
    response.headers["Location"] = url_for("api.getClaim", claim_id=claim.id)
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
    authenticate(utcnow())
    return claim_response(*read_claim(read_connection(), claim_id))


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
            "schema": {"type": "string", "pattern": "^[!-~]{1,100}$"},
        }
    ],
    scope="write",
    errors=[412, 428],
)
def edit_claim_view(claim_id: int) -> Response:
    now = utcnow()
    actor = authenticate_writer(now)
    _, changes = parse_body(ClaimPatch)
    version = expected_version(claim_id)
    edit_claim(get_session(), actor, now, claim_id, version, changes)
    return changed_claim_response(claim_id)

"""Leads: every lead (filtered, a page at a time), a claim's leads, accepting and dismissing
one; and the claims that look like a claim."""

from __future__ import annotations

from flask import Response, request

from app.api import bp
from app.api.auth import authenticate, authenticate_writer
from app.api.claims import CLAIM_ID
from app.api.openapi import Reply, operation
from app.api.params import parse_body
from app.api.query import LINK, PAGE_PARAMETERS, next_link, parse_limit
from app.api.schemas.watches import AcceptLead, DismissLead, Lead, LeadList, LeadPage, SimilarList
from app.api.shapes import json_response, lead, similar
from app.claims.checks import check_id
from app.claims.cursor import decode_cursor
from app.claims.errors import FieldErrors, NotFound
from app.claims.similar import similar_claims
from app.clock import utcnow
from app.models import Claim, LeadStatus
from app.unit_of_work import get_session, read_connection
from app.watches import accept_lead, dismiss_lead
from app.watches.reads import LEAD_SORT, LeadQuery, claim_leads, lead_page, read_lead

LEAD_ID = CLAIM_ID + "/leads/<id:lead_id>"
STATUSES = [s.value for s in LeadStatus]
LEAD_QUERY = [
    {"name": "status", "in": "query", "schema": {"enum": STATUSES}},
    {"name": "claim", "in": "query", "description": "A claim id", "schema": {"type": "integer"}},
    {"name": "watch", "in": "query", "description": "A watch id", "schema": {"type": "integer"}},
    *PAGE_PARAMETERS,
]


def parse_lead_query() -> LeadQuery:
    """The list's query string, checked; 422 naming every bad parameter."""
    args = request.args
    errors = FieldErrors()
    status = args.get("status") or None
    if status is not None and status not in STATUSES:
        errors.add("status", f"must be one of {', '.join(STATUSES)}")
    query = LeadQuery(
        status=status,
        claim=check_id(errors, "claim", args.get("claim")),
        watch=check_id(errors, "watch", args.get("watch")),
        limit=parse_limit(errors, args.get("limit")),
    )
    errors.raise_if_any()
    if args.get("cursor"):
        cursor = decode_cursor(args["cursor"], LEAD_SORT, 1)
        query = LeadQuery(query.status, query.claim, query.watch, query.limit, cursor)
    return query


@operation(
    bp,
    "GET",
    "/leads",
    "listLeads",
    "Leads across claims, newest first, one page at a time",
    "leads",
    {200: Reply("A page of leads", LeadPage, headers=LINK)},
    query=LEAD_QUERY,
    errors=[422],
)
def list_leads_view() -> Response:
    authenticate(utcnow())
    rows, cursor = lead_page(read_connection(), parse_lead_query())
    token = cursor.encode() if cursor else None
    response = json_response({"items": [lead(row) for row in rows], "next": token})
    if token:
        response.headers["Link"] = next_link(token)
    return response


def _claim_exists(claim_id: int) -> None:
    if get_session().get(Claim, claim_id) is None:
        raise NotFound(f"there is no claim {claim_id}")


@operation(
    bp,
    "GET",
    CLAIM_ID + "/leads",
    "listClaimLeads",
    "The claim's leads: new ones first, each group newest first",
    "leads",
    {200: Reply("The claim's leads", LeadList)},
)
def list_claim_leads_view(claim_id: int) -> Response:
    authenticate(utcnow())
    _claim_exists(claim_id)
    rows = claim_leads(read_connection(), claim_id)
    return json_response({"items": [lead(row) for row in rows]})


@operation(
    bp,
    "POST",
    LEAD_ID + "/accept",
    "acceptLead",
    "Accept a lead: it becomes an evidence item with the stance given",
    "leads",
    {200: Reply("The accepted lead (evidence_id names the new evidence item)", Lead)},
    body=AcceptLead,
    scope="write",
    errors=[409],
)
def accept_lead_view(claim_id: int, lead_id: int) -> Response:
    now = utcnow()
    actor = authenticate_writer(now)
    body, _ = parse_body(AcceptLead)
    session = get_session()
    accept_lead(session, actor, now, claim_id, lead_id, body.stance, body.note or "")
    return json_response(lead(read_lead(session.connection(), claim_id, lead_id)))


@operation(
    bp,
    "POST",
    LEAD_ID + "/dismiss",
    "dismissLead",
    "Dismiss a lead with a reason; it stays, marked dismissed",
    "leads",
    {200: Reply("The dismissed lead", Lead)},
    body=DismissLead,
    scope="write",
    errors=[409],
)
def dismiss_lead_view(claim_id: int, lead_id: int) -> Response:
    now = utcnow()
    actor = authenticate_writer(now)
    body, _ = parse_body(DismissLead)
    session = get_session()
    dismiss_lead(session, actor, now, claim_id, lead_id, body.reason)
    return json_response(lead(read_lead(session.connection(), claim_id, lead_id)))


@operation(
    bp,
    "GET",
    CLAIM_ID + "/similar",
    "listSimilarClaims",
    "Existing claims that look like this one (their watch terms occur in it), best first",
    "claims",
    {200: Reply("Similar claims, best first", SimilarList)},
)
def similar_claims_view(claim_id: int) -> Response:
    authenticate(utcnow())
    claim = get_session().get(Claim, claim_id)
    if claim is None:
        raise NotFound(f"there is no claim {claim_id}")
    rows = similar_claims(
        read_connection(), claim.statement, claim.subject, claim.watch_terms, exclude=claim_id
    )
    return json_response({"items": [similar(row) for row in rows]})

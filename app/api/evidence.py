"""Evidence on a claim: list, add, withdraw."""

from __future__ import annotations

from flask import Response, url_for

from app.api import bp
from app.api.auth import authenticate, authenticate_writer
from app.api.claims import CLAIM_ID
from app.api.openapi import Reply, operation
from app.api.params import parse_body
from app.api.schemas.evidence import Evidence, EvidenceCreate, EvidenceList, WithdrawRequest
from app.api.shapes import evidence_item, json_response
from app.claims import add_evidence, withdraw_evidence
from app.claims.reads import read_claim, read_evidence, read_evidence_item
from app.clock import utcnow
from app.unit_of_work import get_session, read_connection

EVIDENCE_ID = CLAIM_ID + "/evidence/<id:evidence_id>"


@operation(
    bp,
    "GET",
    CLAIM_ID + "/evidence",
    "listEvidence",
    "The claim's evidence, withdrawn items included",
    "evidence",
    {200: Reply("The evidence, oldest first", EvidenceList)},
)
def list_evidence_view(claim_id: int) -> Response:
    authenticate(utcnow())
    connection = read_connection()
    read_claim(connection, claim_id)  # 404 when there is no such claim
    items = [evidence_item(row) for row in read_evidence(connection, claim_id)]
    return json_response({"items": items})


@operation(
    bp,
    "POST",
    CLAIM_ID + "/evidence",
    "addEvidence",
    "Attach a link (http or https) to the claim",
    "evidence",
    {
        201: Reply(
            "The new evidence item",
            Evidence,
            headers={"Location": {"required": True, "schema": {"type": "string"}}},
            links={
                "WithdrawEvidence": {
                    "operationId": "withdrawEvidence",
                    "parameters": {
                        "claim_id": "$request.path.claim_id",
                        "evidence_id": "$response.body#/id",
                    },
                }
            },
        )
    },
    body=EvidenceCreate,
    scope="write",
)
def add_evidence_view(claim_id: int) -> Response:
    now = utcnow()
    actor = authenticate_writer(now)
    _, values = parse_body(EvidenceCreate)
    session = get_session()
    event = add_evidence(session, actor, now, claim_id, values)
    item = read_evidence_item(session.connection(), event.data["evidence_id"])
    response = json_response(evidence_item(item), 201)
    response.headers["Location"] = url_for("api.listEvidence", claim_id=claim_id)
    return response


@operation(
    bp,
    "POST",
    EVIDENCE_ID + "/withdraw",
    "withdrawEvidence",
    "Withdraw an evidence item with a reason; it stays visible",
    "evidence",
    {200: Reply("The withdrawn item", Evidence)},
    body=WithdrawRequest,
    scope="write",
    errors=[409],
)
def withdraw_evidence_view(claim_id: int, evidence_id: int) -> Response:
    now = utcnow()
    actor = authenticate_writer(now)
    body, _ = parse_body(WithdrawRequest)
    session = get_session()
    withdraw_evidence(session, actor, now, claim_id, evidence_id, body.reason)
    return json_response(evidence_item(read_evidence_item(session.connection(), evidence_id)))

"""Evidence on a claim: list, add, withdraw."""

from __future__ import annotations

from flask import Response, jsonify, url_for

from app.api import bp
from app.api.auth import authenticate, authenticate_writer
from app.api.claims import CLAIM_ID, load_claim
from app.api.openapi import Reply, operation
from app.api.params import parse_body
from app.api.reading import read_evidence
from app.api.schemas.evidence import Evidence, EvidenceCreate, EvidenceList, WithdrawRequest
from app.api.serialize import evidence as evidence_json
from app.claims import add_evidence, withdraw_evidence
from app.clock import utcnow
from app.db import autocommit_session, get_session

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
    session = autocommit_session()
    authenticate(utcnow())
    load_claim(claim_id)
    return jsonify(items=read_evidence(session.connection(), claim_id))


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
def add_evidence_view(claim_id: int) -> tuple[Response, int]:
    now = utcnow()
    actor = authenticate_writer(now)
    _, values = parse_body(EvidenceCreate)
    session = get_session()
    item = add_evidence(session, actor, now, claim_id, values)
    data = evidence_json(item)
    session.commit()
    response = jsonify(data)
    response.headers["Location"] = url_for("api.listEvidence", claim_id=claim_id)
    return response, 201


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
    item = withdraw_evidence(session, actor, now, claim_id, evidence_id, body.reason)
    data = evidence_json(item)
    session.commit()
    return jsonify(data)

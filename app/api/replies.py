"""Response descriptions reused by many operations."""

from __future__ import annotations

from app.api.openapi import Reply
from app.api.schemas.claims import Claim, ClaimDetail

ETAG = {
    "ETag": {
        "description": "The claim's current version; send it back as If-Match to change it",
        "required": True,
        "schema": {"type": "string"},
    }
}
CLAIM_LINKS = {
    "GetClaim": {"operationId": "getClaim", "parameters": {"claim_id": "$response.body#/id"}},
    "EditClaim": {
        "operationId": "editClaim",
        "parameters": {"claim_id": "$response.body#/id", "If-Match": "$response.header.ETag"},
    },
    "AddEvidence": {
        "operationId": "addEvidence",
        "parameters": {"claim_id": "$response.body#/id"},
    },
    "ResolveClaim": {
        "operationId": "resolveClaim",
        "parameters": {"claim_id": "$response.body#/id"},
    },
    "ReopenClaim": {
        "operationId": "reopenClaim",
        "parameters": {"claim_id": "$response.body#/id"},
    },
    "ListEvents": {"operationId": "listEvents", "parameters": {"claim_id": "$response.body#/id"}},
}


def claim_reply(description: str, detail: bool = True) -> Reply:
    """A claim with its ETag, linked to what can be done with it next."""
    return Reply(description, ClaimDetail if detail else Claim, headers=ETAG, links=CLAIM_LINKS)

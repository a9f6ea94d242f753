"""`GET /claims/{id}/claimreview`: a resolved claim as schema.org ClaimReview JSON-LD.

The fields are those Google's fact-check markup asks for: claimReviewed, reviewRating with
alternateName, url, author, datePublished, and itemReviewed as a Claim with its author,
datePublished and firstAppearance.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from app.api import bp
from app.api.auth import authenticate
from app.api.claims import CLAIM_ID
from app.api.openapi import Reply, operation
from app.claims import StateConflict
from app.claims.reads import ClaimRow, read_claim, utc
from app.clock import utcnow
from app.models import RESOLUTIONS
from app.unit_of_work import read_connection
from app.wire import dumps_script_safe, rfc3339

LD_JSON = "application/ld+json"
# The verdict in words, and on schema.org's 1 (false) to 5 (true) scale where there is one.
RATINGS: dict[str, tuple[str, int | None]] = {
    "confirmed": ("Confirmed", 5),
    "partly_confirmed": ("Partly confirmed", 3),
    "refuted": ("Refuted", 1),
    "retracted": ("Retracted by its source", None),
    "void": ("Void: can no longer be settled", None),
}
THING = {"type": "object", "required": ["@type"], "properties": {"@type": {"type": "string"}}}
CLAIMREVIEW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "@context",
        "@type",
        "url",
        "claimReviewed",
        "datePublished",
        "author",
        "reviewRating",
        "itemReviewed",
    ],
    "properties": {
        "@context": {"const": "https://schema.org"},
        "@type": {"const": "ClaimReview"},
        "url": {"type": "string"},
        "claimReviewed": {"type": "string"},
        "datePublished": {"type": "string", "format": "date"},
        "author": THING,
        "reviewRating": {
            "type": "object",
            "required": ["@type", "alternateName"],
            "properties": {
                "@type": {"const": "Rating"},
                "alternateName": {"type": "string"},
                "ratingValue": {"type": "integer"},
            },
        },
        "itemReviewed": {
            "type": "object",
            "required": ["@type", "author"],
            "properties": {
                "@type": {"const": "Claim"},
                "author": THING,
                "datePublished": {"type": "string", "format": "date"},
                "firstAppearance": THING,
            },
        },
    },
}


def claim_review(claim: ClaimRow, public_url: str) -> dict[str, Any]:
    """The ClaimReview of a resolved claim."""
    words, value = RATINGS[claim.status]
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": words}
    if value is not None:
        rating.update(ratingValue=value, bestRating=5, worstRating=1)
    claimant = claim.claimant or claim.source_name or "Unknown"
    item: dict[str, Any] = {
        "@type": "Claim",
        "author": {"@type": "Organization", "name": claimant},
    }
    if claim.claimed_on:
        item["datePublished"] = claim.claimed_on.isoformat()
    if claim.first_seen_url:
        item["firstAppearance"] = {"@type": "CreativeWork", "url": claim.first_seen_url}
        if claim.source_name:
            item["firstAppearance"]["publisher"] = {
                "@type": "Organization",
                "name": claim.source_name,
            }
    resolved_at = utc(claim.resolved_at)
    assert resolved_at is not None
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"{public_url}/claims/{claim.id}",
        "claimReviewed": claim.statement,
        "datePublished": resolved_at.date().isoformat(),
        "dateModified": rfc3339(claim.updated_at),
        "author": {"@type": "Organization", "name": "Claimwatch", "url": public_url},
        "reviewRating": rating,
        "itemReviewed": item,
    }


@operation(
    bp,
    "GET",
    CLAIM_ID + "/claimreview",
    "getClaimReview",
    "A resolved claim as schema.org ClaimReview (JSON-LD)",
    "claims",
    {200: Reply("The ClaimReview", media_type=LD_JSON, schema=CLAIMREVIEW_SCHEMA)},
    errors=[409],
)
def claimreview_view(claim_id: int) -> Response:
    authenticate(utcnow())
    claim, _ = read_claim(read_connection(), claim_id)
    if claim.status not in RESOLUTIONS:
        raise StateConflict(
            f"claim {claim_id} is {claim.status}; only a resolved claim is reviewed"
        )
    body = claim_review(claim, current_app.config["PUBLIC_URL"])
    # Publishers paste this into a <script type="application/ld+json"> element.
    return Response(dumps_script_safe(body), mimetype=LD_JSON)

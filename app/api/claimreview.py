"""`GET /claims/{id}/claimreview`: a resolved claim as schema.org ClaimReview JSON-LD.

The fields are those Google's fact-check markup asks for: claimReviewed, reviewRating with
alternateName, url, author, datePublished, and itemReviewed as a Claim with its author,
datePublished and firstAppearance.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app

from app.api import bp
from app.api.auth import authenticate
from app.api.claims import CLAIM_ID, load_claim
from app.api.openapi import Reply, operation
from app.api.serialize import day, instant
from app.claims import StateConflict
from app.clock import utcnow
from app.db import autocommit_session
from app.models import Claim

LD_JSON = "application/ld+json"
# Publishers paste this document into `<script type="application/ld+json">`, where `</script>`
# or `<!--` in a claim's text would end the element early and let the rest run as HTML; U+2028
# and U+2029 end lines in older JavaScript. Inside JSON strings (the only place they can occur)
# each may be written as a \u escape instead, so the document means the same.
SCRIPT_SAFE = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)
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


def script_safe_json(document: dict[str, Any]) -> str:
    """`document` as JSON that is safe to paste into a `<script>` element as it is."""
    return json.dumps(document, ensure_ascii=False).translate(SCRIPT_SAFE)


def claim_review(claim: Claim, public_url: str) -> dict[str, Any]:
    """The ClaimReview of a resolved claim."""
    words, value = RATINGS[claim.status]
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": words}
    if value is not None:
        rating.update(ratingValue=value, bestRating=5, worstRating=1)
    claimant = claim.claimant or (claim.source.name if claim.source else "Unknown")
    item: dict[str, Any] = {
        "@type": "Claim",
        "author": {"@type": "Organization", "name": claimant},
    }
    if claim.claimed_on:
        item["datePublished"] = day(claim.claimed_on)
    if claim.first_seen_url:
        item["firstAppearance"] = {"@type": "CreativeWork", "url": claim.first_seen_url}
        if claim.source:
            item["firstAppearance"]["publisher"] = {
                "@type": "Organization",
                "name": claim.source.name,
            }
    assert claim.resolved_at is not None
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"{public_url}/claims/{claim.id}",
        "claimReviewed": claim.statement,
        "datePublished": day(claim.resolved_at.date()),
        "dateModified": instant(claim.updated_at),
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
    autocommit_session()
    authenticate(utcnow())
    claim = load_claim(claim_id)
    if not claim.is_resolved:
        raise StateConflict(
            f"claim {claim_id} is {claim.status}; only a resolved claim is reviewed"
        )
    body = claim_review(claim, current_app.config["PUBLIC_URL"])
    return Response(script_safe_json(body), mimetype=LD_JSON)

"""`/api/v1/openapi.json` and the human docs at `/api/docs`, rendered on the server.

The docs page is plain HTML built from the same document, so it works offline and without
JavaScript (no CDN, no Swagger UI bundle to keep up to date).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import Blueprint, Response, render_template

from app.api import bp
from app.api.openapi import Reply, build_document, operation
from app.api.shapes import json_response

docs_bp = Blueprint("api_docs", __name__, template_folder="templates")
API_VERSION = "1.0.0"


@cache
def document() -> dict[str, Any]:
    """The OpenAPI document; every route is registered at import, so it never changes."""
    return build_document("Claimwatch API", API_VERSION, [])


@operation(
    bp,
    "GET",
    "/openapi.json",
    "getOpenApi",
    "This document",
    "meta",
    {200: Reply("The OpenAPI 3.1 document", schema={"type": "object"})},
    scope=None,
)
def openapi_view() -> Response:
    return json_response(document())


@docs_bp.get("/api/docs")
def docs_view() -> str:
    """Every operation with its parameters, body and responses, and every schema."""
    return render_template("api_docs.html", doc=document())

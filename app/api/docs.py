"""`/api/v1/openapi.json`, and the human docs at `/api/docs`: Swagger UI, served by the app.

Swagger UI's files come from the `flask-swagger-ui` package (pinned in requirements.txt; only
its `dist` folder is used, not its blueprint, whose page starts Swagger UI with an inline
script). The page loads them and `swagger-init.js` from this app, and sends its own Content
Security Policy, as strict as the app's: scripts and styles from this origin only, no inline
script; requests ("Try it out", with a bearer token from "Authorize") to this origin only.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, render_template, send_from_directory

from app.api import bp
from app.api.openapi import Reply, build_document, operation
from app.api.shapes import json_response

docs_bp = Blueprint("api_docs", __name__, template_folder="templates")
API_VERSION = "1.0.0"
SWAGGER_UI = Path(str(files("flask_swagger_ui") / "dist"))
OWN_FILES = Path(__file__).parent / "static"
# What the docs page needs, and nothing more (the app's own policy, app.security, is the same
# for scripts and styles; this one also allows no frames, objects or other origins at all).
DOCS_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
ASSET_AGE = 3600


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
def docs_view() -> Response:
    """Every operation, its parameters, bodies, responses and schemas, with "Try it out"."""
    page = Response(render_template("swagger.html", version=API_VERSION))
    page.headers["Content-Security-Policy"] = DOCS_POLICY
    return page


def _asset(directory: Path, name: str) -> Response:
    response = send_from_directory(directory, name, max_age=ASSET_AGE)
    response.headers["Cache-Control"] = f"public, max-age={ASSET_AGE}"
    return response


@docs_bp.get("/api/docs/swagger-ui.css")
def swagger_css() -> Response:
    return _asset(SWAGGER_UI, "swagger-ui.css")


@docs_bp.get("/api/docs/swagger-ui-bundle.js")
def swagger_js() -> Response:
    return _asset(SWAGGER_UI, "swagger-ui-bundle.js")


@docs_bp.get("/api/docs/swagger-init.js")
def swagger_init() -> Response:
    return _asset(OWN_FILES, "swagger-init.js")


@docs_bp.get("/api/docs/docs.css")
def docs_css() -> Response:
    return _asset(OWN_FILES, "docs.css")

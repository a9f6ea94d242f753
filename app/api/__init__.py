"""The JSON API v1 (`/api/v1`), its OpenAPI document and docs, and the overdue Atom feed."""

from __future__ import annotations

from flask import Blueprint, Flask

from app.api.errors import attach_problem_handlers

bp = Blueprint("api", __name__, url_prefix="/api/v1")
attach_problem_handlers(bp)
MAX_BODY = 1024 * 1024


def init_api(app: Flask) -> None:
    """Register the API's blueprints, error handling and body size limit on `app`."""
    from app.api import (  # noqa: F401  (routes)
        actions,
        claimreview,
        claims,
        evidence,
        leads,
        sources,
        watches,
        webhooks,
    )
    from app.api.docs import docs_bp
    from app.api.errors import register_error_handlers
    from app.api.feeds import feeds_bp

    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.register_blueprint(bp)
    app.register_blueprint(docs_bp)
    app.register_blueprint(feeds_bp)
    register_error_handlers(app)

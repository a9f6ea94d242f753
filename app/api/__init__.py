"""The JSON API v1 (`/api/v1`), its OpenAPI document and docs, and the overdue Atom feed."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, g
from werkzeug.routing import BaseConverter

from app.api.errors import attach_problem_handlers
from app.db import get_session

MAX_ID = 2_147_483_647

bp = Blueprint("api", __name__, url_prefix="/api/v1")
attach_problem_handlers(bp)
MAX_BODY = 1024 * 1024


@bp.after_request
def _commit_token_use(response: Response) -> Response:
    # A read changes nothing but the token's `last_used_at`; keep that, unless we failed.
    # (A read in autocommit has no session: its update is already committed.)
    if g.pop("api_token_touched", False) and response.status_code < 400 and "db_session" in g:
        get_session().commit()
    return response


class IdConverter(BaseConverter):
    """A database id in a path. Out-of-range numbers read as 0, which names nothing (404),
    instead of failing the route match (which werkzeug reports as 405) or the query."""

    regex = r"\d{1,30}"

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if 1 <= number <= MAX_ID else 0

    def to_url(self, value: int) -> str:
        return str(int(value))


def init_api(app: Flask) -> None:
    """Register the API's blueprints, error handling and body size limit on `app`."""
    app.url_map.converters["id"] = IdConverter
    from app.api import actions, claimreview, claims, evidence, sources  # noqa: F401  (routes)
    from app.api.docs import docs_bp
    from app.api.errors import register_error_handlers
    from app.api.feeds import feeds_bp

    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.register_blueprint(bp)
    app.register_blueprint(docs_bp)
    app.register_blueprint(feeds_bp)
    register_error_handlers(app)

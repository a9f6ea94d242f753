"""Every API error as `application/problem+json` (RFC 9457), from one place.

Domain refusals map to 422/409/412/403/404; HTTP errors raised by Flask or werkzeug (404 for an
unknown path, 405, 413) and unexpected exceptions (500) are rendered the same way for the API's
paths, while the rest of the app keeps its own error pages.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Blueprint, Flask, Response, request
from pydantic import ValidationError as PydanticError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.claims.errors import (
    DomainError,
    NotFound,
    PermissionDenied,
    StateConflict,
    ValidationError,
    VersionConflict,
)
from app.claims.fields import LIFECYCLE_FIELDS
from app.db import database_unavailable
from app.wire import dumps

log = logging.getLogger(__name__)
PROBLEM_TYPE = "application/problem+json"
# The paths whose errors are problem documents; everything else is the web app's business.
API_PREFIXES = ("/api/", "/feeds/")

STATUS_OF: dict[type[DomainError], int] = {
    ValidationError: 422,
    StateConflict: 409,
    VersionConflict: 412,
    PermissionDenied: 403,
    NotFound: 404,
}


class ApiError(Exception):
    """An HTTP-level refusal of the API itself (401, 428, ...), rendered as a problem."""

    def __init__(self, status: int, title: str, detail: str, **headers: str) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.headers = status, title, detail, headers


def problem(
    status: int,
    title: str,
    detail: str,
    errors: Mapping[str, Sequence[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A problem+json response; `type` is about:blank, so `title` is the status phrase's peer."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail
    if errors is not None:
        body["errors"] = {field: list(messages) for field, messages in errors.items()}
    response = Response(dumps(body), status=status, mimetype=PROBLEM_TYPE)
    response.headers.update(headers or {})
    return response


def field_errors(exc: PydanticError) -> dict[str, list[str]]:
    """Pydantic's errors as field → messages, with the domain's words for unknown fields."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        loc = [str(part) for part in error["loc"]]
        field = loc[0] if loc else "body"
        if error["type"] == "extra_forbidden":
            message = LIFECYCLE_FIELDS.get(field, "is not a field of this request")
        elif error["type"] == "model_type":
            field, message = "body", "must be a JSON object"
        elif error["type"] == "json_invalid":
            field, message = "body", "is not valid JSON"
        else:
            message = error["msg"]
            if len(loc) > 1:
                message = f"{'.'.join(loc[1:])}: {message}"
        errors.setdefault(field, []).append(message)
    return errors


def handle_domain_error(exc: DomainError) -> Response:
    status = next(code for cls, code in STATUS_OF.items() if isinstance(exc, cls))
    errors = exc.errors if isinstance(exc, ValidationError) else None
    return problem(status, exc.title, exc.detail, errors)


def handle_pydantic_error(exc: PydanticError) -> Response:
    errors = field_errors(exc)
    detail = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
    return problem(422, ValidationError.title, detail, errors)


def handle_api_error(exc: ApiError) -> Response:
    return problem(exc.status, exc.title, exc.detail, headers=exc.headers)


def handle_stale_data(_exc: StaleDataError) -> Response:
    """A concurrent change won the race between our read and our write."""
    status = 412 if request.method == "PATCH" else 409
    return problem(
        status,
        VersionConflict.title,
        "someone changed the claim at the same moment; reload it and try again",
    )


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIXES)


# How long a client should wait before retrying while the database is unreachable.
RETRY_AFTER_SECONDS = 5


def unavailable_problem(exc: BaseException) -> Response:
    """503 while the database is down or restarting: the client should retry, nothing was
    done (the request's transaction never committed; the unit of work rolls it back)."""
    log.warning("database unavailable in %s %s: %s", request.method, request.path, _first_line(exc))
    return problem(
        503,
        "Service unavailable",
        "the database is not reachable right now; nothing was changed, try again shortly",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def _first_line(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {str(exc).strip().splitlines()[0] if str(exc) else ''}"


def handle_http_exception(exc: HTTPException) -> Response | HTTPException:
    if not is_api_request():
        return exc
    original = getattr(exc, "original_exception", None)
    if original is not None and database_unavailable(original):
        # Raised after the view (the unit of work's commit): still an outage.
        return unavailable_problem(original)
    headers = {"Allow": exc.response.headers["Allow"]} if exc.response else {}
    if exc.code == 405 and not headers:
        allowed = getattr(exc, "valid_methods", None) or []
        headers = {"Allow": ", ".join(allowed)} if allowed else {}
    status = exc.code or 500
    return problem(status, exc.name, exc.description or exc.name, headers=headers)


def handle_unexpected(exc: Exception) -> Response | Exception:
    if isinstance(exc, HTTPException):
        return handle_http_exception(exc)
    if not is_api_request():
        raise exc
    if database_unavailable(exc):
        return unavailable_problem(exc)
    log.exception("unexpected error in %s %s", request.method, request.path)
    return problem(500, "Internal Server Error", "an unexpected error; it has been logged")


def attach_problem_handlers(bp: Blueprint) -> None:
    """Refusals raised in the blueprint's views become problems (call once, at import)."""
    for cls in (DomainError, *STATUS_OF):
        bp.register_error_handler(cls, handle_domain_error)
    bp.register_error_handler(PydanticError, handle_pydantic_error)
    bp.register_error_handler(ApiError, handle_api_error)
    bp.register_error_handler(StaleDataError, handle_stale_data)


def register_error_handlers(app: Flask) -> None:
    """Problems for the API paths' routing errors (404, 405), 413 and unexpected 500s.

    Routing fails before any blueprint is chosen, so these are app-wide, told apart by path;
    the web app's pages are left alone.
    """
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)

"""Reading request bodies and headers the same way in every view."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel

from app.api.errors import ApiError
from app.claims.errors import NotFound, ValidationError
from app.wire import loads

M = TypeVar("M", bound=BaseModel)


def json_body() -> Any:
    """The request body as JSON; 422 when it is not JSON, holds text that is not UTF-8 (a lone
    surrogate), or nests deeper than 1,024 levels."""
    raw = request.get_data(cache=True)
    try:
        return loads(raw) if raw else None
    except ValueError as exc:
        raise ValidationError.single("body", f"is not valid JSON ({exc})") from None


def parse_body(model: type[M]) -> tuple[M, dict[str, Any]]:
    """The body checked against `model`, and the fields the client actually sent."""
    body = json_body()
    if not isinstance(body, dict):
        raise ValidationError.single("body", "must be a JSON object")
    parsed = model.model_validate(body)
    return parsed, parsed.model_dump(exclude_unset=True)


def expected_version(claim_id: int) -> int:
    """The claim version named by `If-Match`; 428 when it is missing, 412 when not ours."""
    if claim_id == 0:  # an id out of range (app.routing): no such claim, whatever If-Match says
        raise NotFound("there is no such claim")
    header = request.headers.get("If-Match")
    if not header:
        raise ApiError(
            428,
            "Precondition required",
            "send the claim's ETag as If-Match, so a change made since you read it is not lost",
        )
    prefix = f'"{claim_id}-v'
    value = header.strip()
    if value.startswith("W/") or not value.startswith(prefix) or not value.endswith('"'):
        raise ApiError(412, "Precondition failed", "If-Match does not match the claim's ETag")
    number = value[len(prefix) : -1]
    if not (number.isascii() and number.isdigit()) or len(number) > 9:
        raise ApiError(412, "Precondition failed", "If-Match does not match the claim's ETag")
    return int(number)

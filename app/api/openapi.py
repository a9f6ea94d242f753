"""The route table the OpenAPI 3.1 document is generated from.

Why not flask-openapi3 or spectree: both validate every response through pydantic and wrap each
view in several layers, which costs more per request than the list endpoint's whole budget
(see docs/benchmarks.md). Here each view declares its operation once with `operation(...)`;
request bodies are parsed by pydantic (`model_validate_json`, in Rust), responses are built as
plain dicts, and the document is assembled from pydantic's JSON Schemas. The schemathesis test
checks that every response conforms to the document, which keeps the two honest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from app.api.idempotency import PARAMETER as IDEMPOTENCY_KEY
from app.api.idempotency import idempotent
from app.db import MAX_ID

F = TypeVar("F", bound=Callable[..., Any])
PROBLEM = "application/problem+json"
_RULE_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


@dataclass(frozen=True)
class Reply:
    """One documented response: a body model (or a raw schema), headers, links."""

    description: str
    model: type[BaseModel] | None = None
    media_type: str = "application/json"
    schema: Mapping[str, Any] | None = None
    headers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    links: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    tag: str
    replies: Mapping[int, Reply]
    body: type[BaseModel] | None = None
    query: Sequence[Mapping[str, Any]] = ()
    headers: Sequence[Mapping[str, Any]] = ()
    scope: str | None = "read"
    path_params: Sequence[str] = ()
    admin: bool = False


OPERATIONS: list[Operation] = []

PROBLEM_TITLES = {
    400: "The request is not valid HTTP (a header with a NUL or a folded line, say): the web "
    "server refused it before the app read it",
    401: "No valid token",
    403: "The token's scope or its user's role does not allow this",
    404: "No such resource",
    405: "Method not allowed",
    409: "The claim's state does not allow this",
    412: "If-Match does not match the claim's current ETag",
    413: "The request body is too large",
    415: "Unsupported media type",
    422: "The request is invalid",
    428: "If-Match is required",
    431: "The request's header fields are too large",
    429: "Too many requests with a refused token from this address; retry after Retry-After",
    503: "The database is unreachable for the moment; nothing was changed, retry later",
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying",
        "schema": {"type": "string"},
        "required": True,
    }
}


def rule_to_path(rule: str) -> tuple[str, list[str]]:
    """`/claims/<int(min=1):claim_id>` → (`/claims/{claim_id}`, ["claim_id"])."""
    names = [m.group(2) for m in _RULE_PARAM.finditer(rule)]
    return _RULE_PARAM.sub(lambda m: "{" + m.group(2) + "}", rule), names


def operation(
    bp: Blueprint,
    method: str,
    rule: str,
    operation_id: str,
    summary: str,
    tag: str,
    replies: Mapping[int, Reply],
    *,
    body: type[BaseModel] | None = None,
    query: Sequence[Mapping[str, Any]] = (),
    headers: Sequence[Mapping[str, Any]] = (),
    scope: str | None = "read",
    errors: Sequence[int] = (),
    admin: bool = False,
) -> Callable[[F], F]:
    """Register the view for `method rule` on `bp` and document it as one operation; `admin`:
    only a token held by an admin may call it."""
    prefix = bp.url_prefix or ""
    path, params = rule_to_path(prefix + rule)
    all_replies = dict(replies)
    # 503: a database outage. 400, 431: gunicorn refuses a request it cannot parse, before
    # the app sees it (answered as a problem document too: app.serving.write_problem).
    codes = set(errors) | {400, 431, 503}
    if scope is not None:
        codes |= {401, 429}  # 429: refused tokens past API_AUTH_FAILURE_LIMIT (auth_limits)
    if scope == "write" or admin:
        codes |= {403}
    if params:
        codes |= {404}
    if body is not None:
        codes |= {413, 422}
    for code in sorted(codes):
        reply_headers = RETRY_AFTER if code in (429, 503) else {}
        all_replies.setdefault(
            code, Reply(PROBLEM_TITLES[code], media_type=PROBLEM, headers=reply_headers)
        )

    if method == "POST" and scope == "write":
        headers = [*headers, IDEMPOTENCY_KEY]

    def register(view: F) -> F:
        served = idempotent(view) if method == "POST" and scope == "write" else view
        bp.add_url_rule(rule, operation_id, served, methods=[method])
        OPERATIONS.append(
            Operation(
                method.lower(),
                path,
                operation_id,
                summary,
                tag,
                all_replies,
                body,
                query,
                headers,
                scope,
                params,
                admin,
            )
        )
        return view

    return register


def _schema_of(reply: Reply, refs: Mapping[Any, Any]) -> Mapping[str, Any]:
    if reply.schema is not None:
        return reply.schema
    if reply.media_type == PROBLEM:
        return {"$ref": "#/components/schemas/Problem"}
    assert reply.model is not None
    return refs[(reply.model, "serialization")]


def build_document(title: str, version: str, extra_models: Sequence[type[BaseModel]]) -> dict:
    """The OpenAPI 3.1 document of every registered operation."""
    from app.api.schemas.common import Problem

    models = {Problem, *extra_models}
    for op in OPERATIONS:
        if op.body is not None:
            models.add(op.body)
        models.update(r.model for r in op.replies.values() if r.model is not None)
    keys = [(m, "validation") for m in models if _is_request(m, OPERATIONS)]
    keys += [(m, "serialization") for m in models]
    refs, defs = models_json_schema(keys, ref_template="#/components/schemas/{model}")

    paths: dict[str, dict[str, Any]] = {}
    for op in sorted(OPERATIONS, key=lambda o: (o.path, o.method)):
        item: dict[str, Any] = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "tags": [op.tag],
            "parameters": [
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                    "description": "An id; one that names nothing is a 404",
                }
                for name in op.path_params
            ]
            + list(op.query)
            + list(op.headers),
            "responses": {},
            "security": [{"bearer": []}] if op.scope else [],
        }
        if op.scope:
            holder = (
                " held by an admin."
                if op.admin
                else " held by a reviewer or admin."
                if op.scope == "write"
                else "."
            )
            item["description"] = f"Needs a token with the `{op.scope}` scope{holder}"
        if op.body is not None:
            item["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
            }
        for code, reply in sorted(op.replies.items()):
            response: dict[str, Any] = {"description": reply.description}
            if reply.model is not None or reply.schema is not None or reply.media_type == PROBLEM:
                response["content"] = {reply.media_type: {"schema": _schema_of(reply, refs)}}
            if reply.headers:
                response["headers"] = dict(reply.headers)
            if reply.links:
                response["links"] = dict(reply.links)
            item["responses"][str(code)] = response
        paths.setdefault(op.path, {})[op.method] = item
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _is_request(model: type[BaseModel], ops: Sequence[Operation]) -> bool:
    return any(op.body is model for op in ops)

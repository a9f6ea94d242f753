"""`Idempotency-Key` on every POST of the API: a retried request gets the first response again.

One mechanism for every operation (`operation()` wraps each POST in `idempotent`). The key row
is inserted before the view runs, in the request's unit of work: a second request with the
same key waits on the unique index (PostgreSQL) or the write lock (SQLite) until the first
commits, then finds the stored response. The same key with another body (or for another
operation) is a 422. Keys are per user and live for a day. A refused request (4xx) keeps no
key, since its unit of work is rolled back: retrying it runs it again. A response that holds a
secret shown once (a new webhook's) is stored encrypted (`keep_sealed`), so the key table
does not reveal it.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Response, current_app, g, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.api.auth import authenticate_writer
from app.claims.access import Actor
from app.claims.errors import ValidationError
from app.clock import utcnow
from app.models import IdempotencyKey
from app.unit_of_work import get_session
from app.webhooks.secrets import STORED_RESPONSES
from app.webhooks.settings import secret_box
from app.wire import canonical, loads

HEADER = "Idempotency-Key"
KEY_LIFETIME = timedelta(hours=24)
MAX_KEY = 200
# What the server accepts: visible ASCII, spaces only inside. The OpenAPI document states the
# stricter `PATTERN` (no spaces), which every HTTP server on the way also accepts.
_KEY = re.compile(r"^[!-~](?:[ !-~]*[!-~])?$")
PATTERN = "^[!-~]{1,200}$"
REPLAYED_HEADERS = ("Location", "ETag", "Content-Type")
SEALED = "sealed:"
PARAMETER = {
    "name": HEADER,
    "in": "header",
    "description": "Retry safely: the same key and body again replays the first response; "
    "the same key with another body is a 422. Keys are kept for 24 hours.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY, "pattern": PATTERN},
}


def check_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY or not _KEY.match(key):
        raise ValidationError.single(HEADER, f"must be 1 to {MAX_KEY} visible ASCII characters")
    return key


def request_hash() -> str:
    """The operation and its body (the same JSON however spaced or ordered): one key is for
    one request."""
    raw = request.get_data(cache=True)
    try:
        body = canonical(loads(raw)) if raw else b""
    except ValueError:
        body = raw
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """`view`, answering a request that repeats an earlier one's key with its response."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if HEADER not in request.headers:
            return view(*args, **kwargs)
        now = utcnow()
        actor = authenticate_writer(now)
        key = check_key(request.headers[HEADER])
        session = get_session()
        claimed = _claim(session, actor, now, key, request_hash())
        if isinstance(claimed, Response):
            return claimed
        response = current_app.make_response(view(*args, **kwargs))
        claimed.status_code = response.status_code
        claimed.response_headers = {
            name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers
        }
        body = response.get_data(as_text=True)
        claimed.response_body = _seal(body) if g.get("response_holds_secret") else body
        return response

    return wrapper


def keep_sealed() -> None:
    """This request's response holds a secret: store it encrypted for a replay."""
    g.response_holds_secret = True


def _seal(body: str) -> str:
    key_id, sealed = secret_box(current_app.config, STORED_RESPONSES).seal(body)
    return f"{SEALED}{key_id}:{sealed}"


def _unseal(body: str) -> str:
    if not body.startswith(SEALED):
        return body
    key_id, _, sealed = body.removeprefix(SEALED).partition(":")
    return secret_box(current_app.config, STORED_RESPONSES).open(key_id, sealed)


def _claim(
    session: Session, user: Actor, now: Any, key: str, digest: str
) -> IdempotencyKey | Response:
    """A new key row to fill in once the view has answered, or the replay of an earlier one."""
    session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.user_id == user.id, IdempotencyKey.created_at < now - KEY_LIFETIME
        )
    )
    existing = _find(session, user, key)
    if existing is not None:
        return _replay(existing, digest)
    row = IdempotencyKey(user_id=user.id, key=key, request_hash=digest, created_at=now)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # Another request with this key committed first: answer as it was answered.
        existing = _find(session, user, key)
        assert existing is not None
        return _replay(existing, digest)
    return row


def _find(session: Session, user: Actor, key: str) -> IdempotencyKey | None:
    return session.scalars(
        select(IdempotencyKey)
        .where(IdempotencyKey.user_id == user.id, IdempotencyKey.key == key)
        .execution_options(populate_existing=True)
    ).one_or_none()


def _replay(row: IdempotencyKey, digest: str) -> Response:
    if row.request_hash != digest:
        raise ValidationError.single(HEADER, "was already used with a different request")
    response = Response(_unseal(row.response_body), status=row.status_code)
    response.headers.update(row.response_headers)
    response.headers["Idempotent-Replayed"] = "true"
    return response

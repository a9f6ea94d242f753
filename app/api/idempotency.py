"""`Idempotency-Key` on `POST /claims`: a retried request gets the first response again.

The key row is inserted before the claim is created, in the same transaction: a second request
with the same key waits on the unique index (PostgreSQL) or the write lock (SQLite) until the
first commits, then finds the stored response. Keys are per user and live for a day.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from flask import Response
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.claims.access import Actor
from app.claims.errors import ValidationError
from app.models import IdempotencyKey

KEY_LIFETIME = timedelta(hours=24)
MAX_KEY = 200
REPLAYED_HEADERS = ("Location", "ETag", "Content-Type")


def body_hash(body: Any) -> str:
    """The same JSON, however it was spaced or ordered, hashes the same."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise ValidationError.single(
            "Idempotency-Key", f"must be 1 to {MAX_KEY} printable characters"
        )
    return key


def _replay(row: IdempotencyKey, digest: str) -> Response:
    if row.request_hash != digest:
        raise ValidationError.single(
            "Idempotency-Key", "was already used with a different request body"
        )
    response = Response(row.response_body, status=row.status_code)
    response.headers.update(row.response_headers)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def claim_key(
    session: Session, user: Actor, now: datetime, key: str, digest: str
) -> IdempotencyKey | Response:
    """A new key row to fill in once the request succeeds, or the replay of an earlier one."""
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


def remember(row: IdempotencyKey, response: Response) -> None:
    """Store the response so that a retry gets exactly it."""
    row.status_code = response.status_code
    row.response_headers = {
        name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers
    }
    row.response_body = response.get_data(as_text=True)

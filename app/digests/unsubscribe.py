"""Signed, expiring unsubscribe links (RFC 8058 one-click) and the pages behind them."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, abort, current_app, render_template
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import update

from app.db import get_session
from app.models import DigestFrequency, User
from app.web.errors import register_unavailable

# Long enough for a digest read weeks later; short enough that old mail stops being a key.
LINK_LIFETIME = timedelta(days=60)
_SALT = "claimwatch.digest-unsubscribe"

bp = Blueprint("digests", __name__, template_folder="templates")
# During a database outage a mail client's one-click POST gets 503 + Retry-After, not a 500.
register_unavailable(bp)


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def make_token(secret_key: str, user_id: int) -> str:
    return _serializer(secret_key).dumps({"u": user_id})


def read_token(secret_key: str, token: str) -> int | None:
    """The user id in a valid, unexpired token; None otherwise."""
    try:
        data = _serializer(secret_key).loads(token, max_age=LINK_LIFETIME.total_seconds())
    except BadSignature:
        return None
    user_id = data.get("u") if isinstance(data, dict) else None
    return user_id if isinstance(user_id, int) else None


def unsubscribe_url(public_url: str, secret_key: str, user_id: int) -> str:
    return f"{public_url}/digests/unsubscribe/{make_token(secret_key, user_id)}"


def _user_id_or_400(token: str) -> int:
    user_id = read_token(current_app.config["SECRET_KEY"], token)
    if user_id is None:
        abort(400, description="This unsubscribe link is invalid or has expired.")
    return user_id


@bp.get("/digests/unsubscribe/<token>")
def confirm_unsubscribe(token: str) -> str:
    """The confirmation page a GET (a person, or a link scanner) sees; it changes nothing."""
    _user_id_or_400(token)
    return render_template("digests/unsubscribe_confirm.html", token=token)


@bp.post("/digests/unsubscribe/<token>")
def unsubscribe(token: str) -> str:
    """One-click unsubscribe: no session, no CSRF token; it only turns the digest off."""
    user_id = _user_id_or_400(token)
    session = get_session()
    session.execute(
        update(User).where(User.id == user_id).values(digest_frequency=DigestFrequency.OFF.value)
    )
    session.commit()
    return render_template("digests/unsubscribe_done.html")


def init_app(app: Flask) -> None:
    """Register the pages; exempt them from CSRF (the signed token is the proof, RFC 8058)."""
    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)

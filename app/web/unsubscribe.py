"""The pages behind a digest's unsubscribe link: a confirmation (GET) and the RFC 8058
one-click POST, which needs no session and no CSRF token and only turns the digest off."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from sqlalchemy import update

from app.accounts.unsubscribe import read_token
from app.models import DigestFrequency, User
from app.unit_of_work import get_session
from app.web.errors import register_unavailable

bp = Blueprint("digests", __name__)
# During a database outage a mail client's one-click POST gets 503 + Retry-After, not a 500.
register_unavailable(bp)


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
    """One-click unsubscribe: the signed token is the proof (RFC 8058)."""
    user_id = _user_id_or_400(token)
    get_session().execute(
        update(User).where(User.id == user_id).values(digest_frequency=DigestFrequency.OFF.value)
    )
    return render_template("digests/unsubscribe_done.html")

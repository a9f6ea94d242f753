"""The pages behind a digest's unsubscribe link: a confirmation (GET) and the RFC 8058
one-click POST, which needs no session and no CSRF token and only turns the digest off.

The token is in the query string (`?token=`), never in the logged path. A link works while
the reader's digest settings are what they were when it was sent; once the digest is off, the
same link answers that it is off (mail clients may send the one-click POST more than once).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from app.accounts.unsubscribe import PATH, UnsubscribeToken, mark_of, read_token
from app.models import DigestFrequency, User
from app.unit_of_work import get_session
from app.web.errors import register_unavailable

bp = Blueprint("digests", __name__)
# During a database outage a mail client's one-click POST gets 503 + Retry-After, not a 500.
register_unavailable(bp)
INVALID = "This unsubscribe link is invalid or has expired. Change your digest in Settings."


def _reader() -> tuple[UnsubscribeToken, User]:
    token = read_token(current_app.config["SECRET_KEY"], request.args.get("token", ""))
    user = get_session().get(User, token.user_id) if token is not None else None
    if token is None or user is None:
        abort(400, description=INVALID)
    return token, user


def _still_valid(token: UnsubscribeToken, user: User) -> bool:
    return user.digest_frequency == DigestFrequency.OFF or token.mark == mark_of(user)


@bp.get(PATH)
def confirm_unsubscribe() -> str:
    """The confirmation page a GET (a person, or a link scanner) sees; it changes nothing."""
    token, user = _reader()
    if not _still_valid(token, user):
        abort(400, description=INVALID)
    return render_template("digests/unsubscribe_confirm.html", token=request.args["token"])


@bp.post(PATH)
def unsubscribe() -> str:
    """One-click unsubscribe: the signed token is the proof (RFC 8058)."""
    token, user = _reader()
    if not _still_valid(token, user):
        abort(400, description=INVALID)
    user.digest_frequency = DigestFrequency.OFF.value
    return render_template("digests/unsubscribe_done.html")

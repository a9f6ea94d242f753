"""Settings: name, time zone and digest; password; API tokens; the feed key."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.accounts.preferences import update_preferences
from app.accounts.tokens import create_token, revoke_token, token_expiry
from app.accounts.users import confirm_password, regenerate_feed_key, set_password
from app.claims.errors import ValidationError
from app.clock import utcnow
from app.extensions import limiter
from app.mail.preview import preview_digest
from app.mail.render import MailSettings
from app.models import ApiToken, TokenRevocation
from app.unit_of_work import get_session
from app.web.auth import actor, sign_in
from app.web.blueprints import web_blueprint
from app.web.forms.claims import EmptyForm
from app.web.forms.settings import PasswordForm, PreferencesForm, TokenForm
from app.web.formtools import show_errors

bp = web_blueprint("settings", __name__, url_prefix="/settings")
# A new token or feed key waits here, in the signed session, for the one page that shows it:
# the form's POST redirects (a reload cannot mint another), and the page takes it out.
NEW_SECRET = "settings_new_secret"  # noqa: S105 (a session key, not a secret)
Result = str | Response | tuple[str, int]
REVOCATION_REASONS = {
    TokenRevocation.BY_OWNER: "by you",
    TokenRevocation.PASSWORD_CHANGED: "password changed",
    TokenRevocation.USER_DEACTIVATED: "account deactivated",
}


def signed_in_account_key() -> str:
    """The rate-limit key of a current-password check: the account (by address when signed
    out, though then the view only redirects)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def refused(response: Response) -> bool:
    """Only refused attempts count: a correct password never locks anyone out."""
    return response.status_code >= 400


# Whoever holds a signed-in session (a borrowed laptop, a stolen cookie) must not get to guess
# the password: it would let them change it, or mint tokens that outlive the session. Both
# forms draw on one budget per account, like sign-in's per-account limit.
current_password_limit = limiter.shared_limit(
    "5/minute;50/day",
    scope="current-password",
    key_func=signed_in_account_key,
    deduct_when=refused,
)


def render_settings(status: int = 200, **bound: Any) -> tuple[str, int]:
    """The settings page; `bound` forms (refused, values kept) replace fresh ones."""
    user = actor()
    prefs = bound.get("prefs") or PreferencesForm(formdata=None, obj=user)
    if "prefs" not in bound:
        prefs.digest_hour.data = str(user.digest_hour)
    tokens = get_session().scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    )
    shown = session.pop(NEW_SECRET, None) or {}
    new_token = None
    if shown.get("kind") == "token":
        row = get_session().get(ApiToken, shown.get("id"))
        if row is not None and row.user_id == user.id:
            new_token = {"row": row, "secret": shown.get("secret", "")}
    new_feed_key = shown.get("secret") if shown.get("kind") == "feed_key" else None
    forms: dict[str, FlaskForm] = {
        "prefs": prefs,
        "password": bound.get("password") or PasswordForm(formdata=None),
        "token": bound.get("token") or TokenForm(formdata=None),
        "button": EmptyForm(formdata=None),
    }
    return (
        render_template(
            "settings.html",
            forms=forms,
            tokens=list(tokens),
            new_token=new_token,
            new_feed_key=new_feed_key,
            has_feed_key=user.feed_key_hash is not None,
            revocation_reasons=REVOCATION_REASONS,
            preview=preview_digest(
                get_session(), user, utcnow(), MailSettings.from_config(current_app.config)
            ),
            now=utcnow(),
        ),
        status,
    )


@bp.get("")
@login_required
def index() -> tuple[str, int]:
    """Everything a user can set about their own account."""
    return render_settings()


@bp.post("/preferences")
@login_required
def preferences() -> Result:
    """Save name, time zone and digest settings."""
    form = PreferencesForm()
    try:
        update_preferences(
            actor(),
            form.name.data or "",
            form.timezone.data or "",
            form.digest_frequency.data or "",
            form.digest_hour.data or "",
        )
    except ValidationError as exc:
        show_errors(form, exc)
        return render_settings(422, prefs=form)
    flash("Settings saved.", "success")
    return redirect(url_for("settings.index"))


@bp.post("/password")
@current_password_limit
@login_required
def password() -> Result:
    """Change the password; every session of the user ends, and its API tokens and feed key
    are revoked; this browser is signed in again."""
    form = PasswordForm()
    user = actor()
    try:
        confirm_password(user, form.current_password.data or "")
        set_password(get_session(), user, form.new_password.data or "", utcnow())
    except ValidationError as exc:
        show_errors(form, exc, {"password": "new_password"})
        return render_settings(422, password=form)
    sign_in(user)  # every session ended, this one too: carry it over to a new one
    flash(
        "Password changed. Your other sessions have been signed out, and your API tokens and "
        "feed key revoked.",
        "success",
    )
    return redirect(url_for("settings.index"))


@bp.post("/tokens")
@current_password_limit
@login_required
def new_token() -> Result:
    """Create an API token and show it, once; the current password is asked for first."""
    form = TokenForm()
    now = utcnow()
    try:
        expires_at = token_expiry(now, form.expires_in.data)
        confirm_password(actor(), form.current_password.data or "")
        token, secret = create_token(
            get_session(), actor(), now, form.name.data or "", form.scope.data or "", expires_at
        )
    except ValidationError as exc:
        show_errors(form, exc)
        return render_settings(422, token=form)
    get_session().flush()
    session[NEW_SECRET] = {"kind": "token", "id": token.id, "secret": secret}
    flash(f"Token “{token.name}” created.", "success")
    return redirect(url_for("settings.index", _anchor="tokens"))


@bp.post("/tokens/<id:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Response:
    """Revoke one of the user's own tokens."""
    token = get_session().get(ApiToken, token_id)
    if token is None or token.user_id != actor().id:
        abort(404)
    revoke_token(token, utcnow())
    flash(f"Token “{token.name}” revoked.", "success")
    return redirect(url_for("settings.index", _anchor="tokens"))


@bp.post("/feed-key")
@login_required
def feed_key() -> Response:
    """A new feed key, shown once; feed readers with the old one stop receiving the feed."""
    session[NEW_SECRET] = {"kind": "feed_key", "secret": regenerate_feed_key(actor())}
    return redirect(url_for("settings.index", _anchor="feed"))

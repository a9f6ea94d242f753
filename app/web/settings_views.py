"""Settings: name, time zone and digest; password; API tokens; the feed key."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.accounts.passwords import verify_password
from app.accounts.preferences import update_preferences
from app.accounts.tokens import create_token, revoke_token
from app.accounts.users import regenerate_feed_key, set_password
from app.claims.errors import ValidationError
from app.clock import utcnow
from app.mail.preview import preview_digest
from app.mail.render import MailSettings
from app.models import ApiToken
from app.unit_of_work import get_session
from app.web.auth import actor, sign_in
from app.web.blueprints import web_blueprint
from app.web.forms.claims import EmptyForm
from app.web.forms.settings import PasswordForm, PreferencesForm, TokenForm
from app.web.formtools import show_errors

bp = web_blueprint("settings", __name__, url_prefix="/settings")
Result = str | Response | tuple[str, int]


def render_settings(status: int = 200, **bound: Any) -> tuple[str, int]:
    """The settings page; `bound` forms (refused, values kept) replace fresh ones."""
    user = actor()
    prefs = bound.get("prefs") or PreferencesForm(formdata=None, obj=user)
    if "prefs" not in bound:
        prefs.digest_hour.data = str(user.digest_hour)
    tokens = get_session().scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    )
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
            new_token=bound.get("new_token"),
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
@login_required
def password() -> Result:
    """Change the password; every other session of the user ends, this one continues."""
    form = PasswordForm()
    user = actor()
    if not verify_password(user.password_hash, form.current_password.data or ""):
        form.current_password.errors = ["is not your current password"]
        return render_settings(422, password=form)
    try:
        set_password(user, form.new_password.data or "")
    except ValidationError as exc:
        show_errors(form, exc, {"password": "new_password"})
        return render_settings(422, password=form)
    sign_in(user)  # the session token changed: carry this session over to the new one
    flash("Password changed. Your other sessions have been signed out.", "success")
    return redirect(url_for("settings.index"))


@bp.post("/tokens")
@login_required
def new_token() -> Result:
    """Create an API token and show it, once."""
    form = TokenForm()
    now = utcnow()
    days = form.expires_in.data or ""
    expires_at = now + timedelta(days=int(days)) if days.isascii() and days.isdigit() else None
    try:
        token, secret = create_token(
            get_session(), actor(), now, form.name.data or "", form.scope.data or "", expires_at
        )
    except ValidationError as exc:
        show_errors(form, exc)
        return render_settings(422, token=form)
    # Rendered, not redirected: the token text is never stored, so this is the only showing.
    return render_settings(201, new_token={"row": token, "secret": secret})


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
    """A new feed key; feed readers with the old one stop receiving the feed."""
    regenerate_feed_key(actor())
    flash("New feed key created; the old feed address no longer works.", "success")
    return redirect(url_for("settings.index", _anchor="feed"))

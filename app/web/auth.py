"""Signing in and out, who is signed in, and the role each view needs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.accounts.passwords import hash_password, needs_rehash, verify_password
from app.accounts.sessions import end_session, start_session
from app.clock import utcnow
from app.extensions import login_manager
from app.models import User
from app.models.users import AccountRules
from app.security import safe_next
from app.unit_of_work import get_session
from app.web.blueprints import web_blueprint
from app.web.forms.auth import SignInForm
from app.web.session_clock import session_clock_allows, session_limits, start_session_clock
from app.web.sign_in_limits import limit_sign_in, remember_device
from app.web.signed_in import SignedIn, current_account

bp = web_blueprint("auth", __name__)
P = ParamSpec("P")
R = TypeVar("R")


@login_manager.user_loader
def load_user(user_id: str) -> SignedIn | None:
    """The user of a session id "<id>:<session token>", if that session is still current:
    within its idle and absolute limits, and not signed out or ended since."""
    raw_id, _, token = user_id.partition(":")
    if not (raw_id.isascii() and raw_id.isdigit()) or not token or len(raw_id) > 9:
        return None
    if not session_clock_allows(utcnow()):
        return None
    account = current_account(int(raw_id), token)
    return SignedIn(account, token) if account is not None else None


def actor() -> User:
    """The signed-in user's row, for the domain functions."""
    return current_user.user


def sign_in(user: User) -> None:
    """Start a fresh session for `user` (nothing from the anonymous session is kept); the
    caller commits."""
    now = utcnow()
    token = start_session(get_session(), user, now, session_limits())
    session.clear()
    login_user(SignedIn(user, token))
    start_session_clock(now)
    # The new session's CSRF token is made now (the request's cached one belonged to the old
    # session), so the cookie set here already holds it: otherwise the first page would make
    # it, and a client that keeps the sign-in cookie would rewrite the session on every page.
    g.pop("csrf_token", None)
    generate_csrf()


def role_required(
    check: Callable[[AccountRules], bool],
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Signed in, and `check(user)` holds; otherwise 403."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        @login_required
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


reviewer_required = role_required(lambda user: user.can_write)
admin_required = role_required(lambda user: user.is_admin)


@bp.route("/sign-in", methods=["GET", "POST"])
@limit_sign_in
def sign_in_view() -> str | Response | tuple[str, int]:
    """The sign-in form; on success, back to `next` if it is one of our own pages."""
    target = safe_next(request.values.get("next"), url_for("claims.index"))
    if current_user.is_authenticated:
        return redirect(target)
    form = SignInForm()
    if form.validate_on_submit():
        db = get_session()
        email = form.email.data.strip().lower()
        user = db.scalars(select(User).where(User.email == email)).one_or_none()
        if (
            verify_password(user.password_hash if user else None, form.password.data)
            and user is not None
            and user.active
        ):
            if needs_rehash(user.password_hash or ""):
                user.password_hash = hash_password(form.password.data)
            sign_in(user)
            response = redirect(target)
            remember_device(response, email)
            return response
        form.password.errors.append("The email or password is not right.")
        return render_template("auth/sign_in.html", form=form, next=target), 401
    return render_template("auth/sign_in.html", form=form, next=target)


@bp.post("/sign-out")
@login_required
def sign_out() -> Response:
    """End the session. Its row is deleted, so a copied cookie dies with it."""
    end_session(get_session(), current_user.session_token)
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in_view"))

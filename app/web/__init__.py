"""The reviewers' web app: sign-in, claim pages, dashboard, sources, settings, users,
webhooks."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.config import Settings
from app.extensions import csrf, limiter, login_manager
from app.security import init_security


def init_web(app: Flask, settings: Settings) -> None:
    """Security headers and cookies, sign-in, CSRF, rate limits, pages."""
    init_security(app, settings)
    # CSRF is checked by the web blueprints (`blueprints.protect_forms`), not app-wide: the JSON
    # API authenticates with bearer tokens and the one-click unsubscribe must take a bare POST.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the token lives as long as the session
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.ratelimit_storage_uri)
    # The counts' storage (Redis) being down must not stop everyone signing in: the attempt
    # goes ahead unthrottled and the error is logged, as for refused API tokens.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    csrf.init_app(app)
    limiter.init_app(app)
    # Only sign-in is limited, by decorators, and Flask-Limiter checks a decorated view's limits
    # in the decorator itself. Its app-wide before_request check would look for default and
    # blueprint limits we do not have on every request, so it is taken out;
    # tests/web/test_sign_in.py proves the sign-in limits still hold.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in_view"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from app.web import (
        admin,
        auth,
        claim_actions,
        claims,
        dashboard,
        deliveries,
        leads,
        settings_views,
        similar,
        unsubscribe,
        watches,
        webhooks,
    )
    from app.web import sources as sources_views
    from app.web.templating import init_templating

    init_templating(app)
    pages = [
        auth.bp,
        claims.bp,
        claim_actions.bp,
        dashboard.bp,
        sources_views.bp,
        settings_views.bp,
        admin.bp,
        deliveries.bp,
        leads.bp,
        watches.bp,
        similar.bp,
        webhooks.bp,
    ]
    for bp in pages:
        app.register_blueprint(bp)
    app.register_blueprint(home)
    app.register_blueprint(unsubscribe.bp)
    csrf.exempt(unsubscribe.bp)  # the signed token is the proof (RFC 8058)


# Serves the stylesheet, the favicon and the small scripts from app/web/static at /assets (no
# CDN, no inline styles or scripts).
home = Blueprint("home", __name__, static_folder="static", static_url_path="/assets")


@home.get("/")
def index() -> Response | str:
    """What Claimwatch is and a way to sign in; the claim list once signed in."""
    if current_user.is_authenticated:
        return redirect(url_for("claims.index"))
    return render_template("landing.html")

"""Error pages of the web app: refusals explained in the layout, never a stack trace."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import Forbidden, NotFound

from app.claims.errors import NotFound as DomainNotFound
from app.claims.errors import PermissionDenied
from app.db import database_unavailable

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


def _page(status: int, title: str, detail: str) -> tuple[str, int]:
    return render_template("error.html", title=title, detail=detail, status=status), status


def database_down(exc: Exception) -> tuple[str, int, dict[str, str]]:
    """503 and a page that says so while the database is unreachable; a real bug re-raised."""
    if not database_unavailable(exc):
        raise exc  # Flask's 500 and its logged traceback
    log.warning("database unavailable in %s %s: %s", request.method, request.path, exc)
    # A page of its own, rendered without the context processors: they and the layout would
    # ask the database who is signed in. A form is not resubmitted by itself: only a page
    # that was read reloads.
    page = current_app.jinja_env.get_template("unavailable.html")
    return (
        page.render(retry=RETRY_AFTER_SECONDS, refresh=request.method == "GET"),
        503,
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def register_unavailable(bp: Blueprint) -> None:
    """Answer a database outage in `bp`'s views with `database_down` (503)."""
    bp.register_error_handler(DBAPIError, database_down)
    bp.register_error_handler(PoolTimeout, database_down)


def register(bp: Blueprint) -> None:
    @bp.errorhandler(Forbidden)
    @bp.errorhandler(PermissionDenied)
    def forbidden(exc: Exception) -> tuple[str, int]:
        return _page(403, "Not allowed", "Your role does not allow this. Ask an admin.")

    @bp.errorhandler(NotFound)
    @bp.errorhandler(DomainNotFound)
    def not_found(exc: Exception) -> tuple[str, int]:
        return _page(404, "Not found", "There is nothing here. It may have been a mistyped link.")

    register_unavailable(bp)

    @bp.errorhandler(CSRFError)
    def csrf_failed(exc: CSRFError) -> tuple[str, int]:
        return _page(
            400,
            "Form expired or forged",
            "The form was missing its security token. Reload the page and try again.",
        )

    @bp.errorhandler(RateLimitExceeded)
    def too_many(exc: RateLimitExceeded) -> tuple[str, int]:
        # Every limit of the web pages counts wrong passwords: at sign-in, or the current
        # password asked for in the settings.
        what = "sign-in attempts" if request.endpoint == "auth.sign_in_view" else "wrong passwords"
        return _page(
            429, "Too many attempts", f"Too many {what}. Wait a minute before trying again."
        )

"""Error pages of the web app: refusals explained in the layout, never a stack trace."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import Forbidden, NotFound

from app.claims.errors import NotFound as DomainNotFound
from app.claims.errors import PermissionDenied


def _page(status: int, title: str, detail: str) -> tuple[str, int]:
    return render_template("error.html", title=title, detail=detail, status=status), status


def register(bp: Blueprint) -> None:
    @bp.errorhandler(Forbidden)
    @bp.errorhandler(PermissionDenied)
    def forbidden(exc: Exception) -> tuple[str, int]:
        return _page(403, "Not allowed", "Your role does not allow this. Ask an admin.")

    @bp.errorhandler(NotFound)
    @bp.errorhandler(DomainNotFound)
    def not_found(exc: Exception) -> tuple[str, int]:
        return _page(404, "Not found", "There is nothing here. It may have been a mistyped link.")

    @bp.errorhandler(CSRFError)
    def csrf_failed(exc: CSRFError) -> tuple[str, int]:
        return _page(
            400,
            "Form expired or forged",
            "The form was missing its security token. Reload the page and try again.",
        )

    @bp.errorhandler(RateLimitExceeded)
    def too_many(exc: RateLimitExceeded) -> tuple[str, int]:
        return _page(
            429,
            "Too many attempts",
            "Too many sign-in attempts. Wait a minute before trying again.",
        )

"""Every web blueprint is made here, so each gets the CSRF check and the error pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from app.extensions import csrf
from app.web import errors


def protect_forms() -> None:
    """Refuse (400) any state-changing request of the web pages without a valid CSRF token."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


def web_blueprint(name: str, import_name: str, **options: Any) -> Blueprint:
    bp = Blueprint(name, import_name, **options)
    bp.before_request(protect_forms)
    errors.register(bp)
    return bp

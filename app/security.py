"""Security headers on every response, cookie settings per environment, and safe `next=`."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response

from app.config import Settings

# No inline script or style anywhere: every page works with these and without JavaScript.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def cookie_config(settings: Settings) -> dict[str, object]:
    """Session cookie flags: `Secure` and a `__Host-` name except in development and tests.

    `__Host-` makes the browser refuse the cookie unless it is Secure, has Path=/ and no
    Domain, so no subdomain or plain-http page can plant or overwrite it.
    """
    secure = settings.production
    return {
        "SESSION_COOKIE_NAME": "__Host-claimwatch" if secure else "claimwatch_session",
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_PATH": "/",
        "SESSION_COOKIE_DOMAIN": None,
        # Sessions are ended by the server (User.session_token), never remembered past it.
        "REMEMBER_COOKIE_DURATION": 0,
    }


def add_security_headers(response: Response) -> Response:
    """Set the headers unless a view chose its own (e.g. an API docs page with its own CSP)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_security(app: Flask, settings: Settings) -> None:
    app.config.update(cookie_config(settings))
    app.after_request(add_security_headers)


def safe_next(target: str | None, default: str = "/") -> str:
    """`target` if it is a path on this site, else `default` (no open redirects).

    Refuses absolute URLs, scheme-relative `//host`, backslash tricks browsers read as `//`,
    and control characters.
    """
    if not target or not isinstance(target, str):
        return default
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target

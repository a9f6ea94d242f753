"""Security headers on every response, cookie settings per environment, the proxies trusted
for the client's address, and safe `next=`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import Settings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

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
    # Pages show personal data and secrets (settings, a new token or feed key, the user list)
    # and every API answer is a user's data: no browser or proxy may keep a copy. A response
    # that can be cached says so itself (the stylesheet), and is left as it is.
    "Cache-Control": "no-store",
}
SECURITY_HEADER_ITEMS = tuple(SECURITY_HEADERS.items())
# Production only: development and tests speak plain http on localhost, which a browser that
# had seen this header would then refuse for a year.
STRICT_TRANSPORT_SECURITY = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


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
        # Sessions are ended by the server (app/accounts/sessions.py), never remembered past it.
        "REMEMBER_COOKIE_DURATION": 0,
    }


class SecurityHeaders:
    """WSGI middleware: the security headers on every response, unless the response set its
    own (e.g. the API docs page with its own CSP).

    Middleware rather than an `after_request` hook: it also covers responses Flask builds
    outside the hooks (an unhandled error's 500), and one pass over the header list is cheaper
    than werkzeug's `Headers.setdefault` per header.
    """

    def __init__(self, wsgi_app: WSGIApplication, production: bool = False) -> None:
        self.wsgi_app = wsgi_app
        extra = (STRICT_TRANSPORT_SECURITY,) if production else ()
        # Lower-cased once here, not per response.
        self.items = tuple((item[0].lower(), item) for item in SECURITY_HEADER_ITEMS + extra)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        items = self.items

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            present = {name.lower() for name, _ in headers}
            headers.extend(item for lower, item in items if lower not in present)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions; a request without the cookie (every API call) gets an
    empty session without building the signer first (a few percent of a cheap API read)."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def init_security(app: Flask, settings: Settings) -> None:
    app.config.update(cookie_config(settings))
    app.session_interface = CookieSessions()
    app.wsgi_app = SecurityHeaders(app.wsgi_app, settings.production)  # type: ignore[method-assign]
    if settings.trusted_proxy_hops:
        # Rate limits key on the client's address. Behind N proxies it is the Nth entry from
        # the right of X-Forwarded-For (the one our outermost proxy wrote); entries further
        # left come from the client and are ignored, so a client cannot choose its own key.
        hops = settings.trusted_proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


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

"""Sign-in limits that slow a password guesser down without letting one lock the owner out.

Device cookies, as OWASP describes them ("Slow Down Online Guessing Attacks with Device
Cookies"), made for the lockout abuse its Authentication Cheat Sheet warns of: a successful
sign-in leaves a signed cookie in the browser for the account (a hash of it, not the email),
and the browser becomes a *known device* for it. Only refused attempts count:

- from a known device, per device: five a minute lock out that browser, and nobody else can
  spend its allowance;
- from any other browser (an *unknown device*), per account: five a minute lock out unknown
  devices for that account, wherever they are, while the owner's known browser still gets in;
- from unknown devices, also per client address (`TRUSTED_PROXY_HOPS` says where that is read),
  whatever the account: twenty a minute.

Counts are kept in Flask-Limiter's storage (`RATELIMIT_STORAGE_URI`, shared in production).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from app.extensions import limiter

ACCOUNT_LIMIT = "5/minute"
ADDRESS_LIMIT = "20/minute"
DEVICE_COOKIE_AGE = timedelta(days=365)
V = TypeVar("V", bound=Callable[..., object])


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="claimwatch.device")


def _account_tag(email: str) -> str:
    """The account a device cookie is for, without writing the email into the cookie."""
    return hashlib.sha256(email.encode()).hexdigest()[:32]


def device_cookie_name() -> str:
    # Secure cookies get the __Host- prefix, like the session cookie (app/security.py).
    secure = current_app.config.get("SESSION_COOKIE_SECURE")
    return "__Host-claimwatch-device" if secure else "claimwatch_device"


def attempted_account() -> str:
    return (request.form.get("email") or "").strip().lower()


def known_device() -> str | None:
    """This browser's device id, when its cookie came from a sign-in to the attempted account."""
    if "sign_in_device" not in g:
        g.sign_in_device = None
        raw = request.cookies.get(device_cookie_name())
        if raw:
            try:
                tag, device = _signer().loads(raw, max_age=int(DEVICE_COOKIE_AGE.total_seconds()))
            except (BadSignature, ValueError, TypeError):
                pass
            else:
                if hmac.compare_digest(str(tag), _account_tag(attempted_account())):
                    g.sign_in_device = str(device)
    return g.sign_in_device


def remember_device(response: Response, email: str) -> None:
    """After a successful sign-in: this browser is a known device for `email` from now on."""
    value = _signer().dumps([_account_tag(email), secrets.token_urlsafe(16)])
    response.set_cookie(
        device_cookie_name(),
        value,
        max_age=DEVICE_COOKIE_AGE,
        path="/",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )


def _failed(response: Response) -> bool:
    """Only refused attempts count: signing in successfully never locks anyone out."""
    return response.status_code != 302


def _from_known_device() -> bool:
    return known_device() is not None


def _from_unknown_device() -> bool:
    return known_device() is None


def _unknown_devices_key() -> str:
    return f"account:{attempted_account()}"


def _device_key() -> str:
    return f"device:{known_device()}"


def limit_sign_in(view: V) -> V:
    """The three limits above, on the sign-in POST."""
    common = {"methods": ["POST"], "deduct_when": _failed}
    decorators = [
        limiter.limit(ADDRESS_LIMIT, exempt_when=_from_known_device, **common),
        limiter.limit(
            ACCOUNT_LIMIT,
            key_func=_unknown_devices_key,
            exempt_when=_from_known_device,
            **common,
        ),
        limiter.limit(
            ACCOUNT_LIMIT, key_func=_device_key, exempt_when=_from_unknown_device, **common
        ),
    ]
    for decorator in decorators:
        view = decorator(view)
    return view

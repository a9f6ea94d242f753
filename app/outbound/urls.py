"""The shape an outgoing URL must have: http or https, a host, no user name or password."""

from __future__ import annotations

import httpx

from app.outbound.errors import RefusedURL

SCHEMES = ("http", "https")


def checked_url(url: str | httpx.URL, *, redirects: int = 0) -> httpx.URL:
    """`url` parsed by the same parser that sends it, or RefusedURL saying what is wrong.

    The address behind the host is checked later, on the connection itself.
    """
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise RefusedURL(f"not a valid URL ({exc})", redirects=redirects) from None
    if parsed.scheme not in SCHEMES:
        what = f"{parsed.scheme}: URLs" if parsed.scheme else "relative URLs"
        raise RefusedURL(f"only http and https URLs are fetched, not {what}", redirects=redirects)
    if not parsed.host:
        raise RefusedURL("the URL has no host", redirects=redirects)
    if parsed.userinfo:
        # Credentials in a URL end up in logs and in the Referer of the next hop.
        raise RefusedURL("URLs with a user name or password are not fetched", redirects=redirects)
    return parsed

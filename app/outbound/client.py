"""Sending outgoing requests: one client per batch, redirects followed by hand, bodies capped."""

from __future__ import annotations

import contextlib
import ssl
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType

import httpx

from app.outbound.addresses import Resolver, system_resolve
from app.outbound.errors import FetchFailed, RefusedURL, TooLarge
from app.outbound.policy import OutboundPolicy
from app.outbound.transport import GuardedTransport
from app.outbound.urls import checked_url


@dataclass(frozen=True)
class FetchResult:
    """An answer: any status (a 304, a 404 and a 500 are answers too), headers, whole body.

    Header names are lower case; a header sent several times has its values joined by ", ".
    `final_url` is the URL that answered, after any redirects.
    """

    status: int
    headers: Mapping[str, str]
    body: bytes
    final_url: str


class OutboundClient:
    """Sends requests under `policy`, reusing connections across a batch; use it in `with`.

    `resolve` turns a host name into addresses (the system resolver unless a test gives
    another); `ssl_context` holds the certificates trusted (certifi's unless given).
    """

    def __init__(
        self,
        policy: OutboundPolicy,
        *,
        resolve: Resolver = system_resolve,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.policy = policy
        self._client = httpx.Client(
            transport=GuardedTransport(policy, resolve, ssl_context),
            trust_env=False,
            follow_redirects=False,
            timeout=httpx.Timeout(policy.timeout),
            # Each feed and endpoint is asked alone: nothing one sets is sent to another.
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            # Plain bodies keep the size limit honest: a compressed body is only measured
            # after it has been inflated, chunk by chunk, which a small bomb defeats.
            headers={"User-Agent": policy.user_agent, "Accept-Encoding": "identity"},
        )

    def __enter__(self) -> OutboundClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close every pooled connection."""
        self._client.close()

    def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> FetchResult:
        """GET `url` (send `If-None-Match` / `If-Modified-Since` in `headers` to get a 304)."""
        return self._exchange("GET", url, headers=headers, content=None)

    def post(
        self, url: str, *, content: bytes, headers: Mapping[str, str] | None = None
    ) -> FetchResult:
        """POST exactly `content` with `headers` to `url`."""
        return self._exchange("POST", url, headers=headers, content=content)

    def _exchange(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None,
        content: bytes | None,
    ) -> FetchResult:
        """Send, follow redirects (each target's URL checked here, its address on connect)."""
        deadline = time.monotonic() + self.policy.timeout
        request = self._client.build_request(
            method, checked_url(url), headers=headers, content=content
        )
        redirects = 0
        while True:
            response = self._send(request, deadline, redirects)
            try:
                if response.next_request is None:
                    body = self._read_body(response, deadline)
                    return FetchResult(
                        status=response.status_code,
                        headers=dict(response.headers.items()),
                        body=body,
                        final_url=str(response.url),
                    )
                # A redirect's own body is never read: it has no size limit of its own.
                request = response.next_request
            finally:
                response.close()
            redirects += 1
            if redirects > self.policy.max_redirects:
                raise FetchFailed(f"more than {self.policy.max_redirects} redirects")
            checked_url(request.url, redirects=redirects)

    def _send(self, request: httpx.Request, deadline: float, redirects: int) -> httpx.Response:
        """One hop, given what is left of the exchange's time; the body is not read yet."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchFailed(self._timed_out())
        request.extensions["timeout"] = httpx.Timeout(min(self.policy.timeout, remaining)).as_dict()
        try:
            with self._translated_errors(redirects):
                return self._client.send(request, stream=True)
        except RefusedURL as exc:
            # Raised by the transport, which cannot know how the request was reached.
            if redirects and not exc.redirects:
                raise RefusedURL(exc.reason, redirects=redirects) from None
            raise

    def _read_body(self, response: httpx.Response, deadline: float) -> bytes:
        """The whole body, or TooLarge as soon as it passes the limit."""
        limit = self.policy.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise TooLarge(limit, response.status_code)
        chunks: list[bytes] = []
        size = 0
        with self._translated_errors(0):
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise TooLarge(limit, response.status_code)
                if time.monotonic() > deadline:
                    raise FetchFailed(self._timed_out())
                chunks.append(chunk)
        return b"".join(chunks)

    def _timed_out(self) -> str:
        return f"timed out after {self.policy.timeout:g} s"

    @contextlib.contextmanager
    def _translated_errors(self, redirects: int) -> Iterator[None]:
        """httpx's exceptions as ours, so callers never see (or catch) an httpx type."""
        try:
            yield
        except httpx.TimeoutException as exc:
            raise FetchFailed(self._timed_out()) from exc
        except httpx.ConnectError as exc:
            raise FetchFailed(_connect_failure(exc)) from exc
        except httpx.InvalidURL as exc:
            # Only a redirect's Location gets here: the URL given was parsed before sending.
            raise RefusedURL(
                f"a redirect to something that is not an http or https URL ({exc})",
                redirects=redirects + 1,
            ) from exc
        except httpx.RemoteProtocolError as exc:
            raise FetchFailed(f"the answer was not valid HTTP ({exc})") from exc
        except (httpx.ReadError, httpx.WriteError) as exc:
            raise FetchFailed(f"the connection broke ({_root(exc)})") from exc
        except httpx.HTTPError as exc:
            raise FetchFailed(str(exc) or type(exc).__name__) from exc


def _root(exc: BaseException) -> BaseException:
    """The first exception of the chain: httpcore wraps the OS error without `from`."""
    while (inner := exc.__cause__ or exc.__context__) is not None:
        exc = inner
    return exc


def _connect_failure(exc: httpx.ConnectError) -> str:
    """A short reason for a failed connection, from the OS or TLS error underneath."""
    host = exc.request.url.host
    cause = _root(exc)
    if isinstance(cause, ssl.SSLCertVerificationError):
        return f"the TLS certificate of {host} was not accepted ({cause.verify_message})"
    if isinstance(cause, ssl.SSLError):
        return f"TLS with {host} failed ({cause.reason or cause})"
    if isinstance(cause, ConnectionRefusedError):
        return f"{host} refused the connection"
    if isinstance(cause, OSError) and cause.strerror:
        return f"could not connect to {host} ({cause.strerror.lower()})"
    return f"could not connect to {host}"


def fetch(
    url: str,
    *,
    policy: OutboundPolicy,
    headers: Mapping[str, str] | None = None,
    resolve: Resolver = system_resolve,
) -> FetchResult:
    """GET one URL under `policy`; for many, use one `OutboundClient`."""
    with OutboundClient(policy, resolve=resolve) as client:
        return client.get(url, headers=headers)


def post(
    url: str,
    *,
    policy: OutboundPolicy,
    content: bytes,
    headers: Mapping[str, str] | None = None,
    resolve: Resolver = system_resolve,
) -> FetchResult:
    """POST one body under `policy`; for many, use one `OutboundClient`."""
    with OutboundClient(policy, resolve=resolve) as client:
        return client.post(url, content=content, headers=headers)

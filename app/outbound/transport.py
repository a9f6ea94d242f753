"""The httpx transport whose every new connection goes only to an address the policy allows.

The check sits in the network backend's `connect_tcp`, the one place httpcore opens a TCP
connection: the host is resolved there once, every address is checked, and the socket is
opened to a checked address given as an IP literal, so no second lookup happens. TLS is
started afterwards by httpcore with the URL's host as `server_hostname`, so the certificate is
still verified against the name (and SNI carries the name), not against the IP connected to.

A keep-alive connection is checked when it is opened and reused for later requests to the same
scheme, host and port; a new connection resolves and checks again.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Iterable

import httpcore
import httpx

from app.outbound.addresses import Resolver, checked_addresses
from app.outbound.policy import OutboundPolicy

MAX_CONNECTIONS = 100
MAX_KEEPALIVE_CONNECTIONS = 20
KEEPALIVE_EXPIRY = 5.0


@functools.cache
def default_ssl_context() -> ssl.SSLContext:
    """certifi's CA bundle (SSL_CERT_FILE and the like ignored), loaded once per process."""
    # Loading the bundle costs more than a whole keep-alive request; one-shot fetch() and
    # post() would otherwise pay it every time.
    return httpx.create_ssl_context(verify=True, trust_env=False)


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's blocking backend, connecting only to addresses `policy` allows."""

    def __init__(self, policy: OutboundPolicy, resolve: Resolver) -> None:
        self._policy = policy
        self._resolve = resolve

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        """Resolve `host`, refuse it unless every address is allowed, connect to one of them."""
        failure: httpcore.ConnectError | None = None
        for address in checked_addresses(host, port, self._policy, self._resolve):
            try:
                return super().connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                # Like socket.create_connection: an address that refuses is not the last word.
                failure = exc
        assert failure is not None  # checked_addresses returns at least one address
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        """Never used: outgoing requests go over TCP only."""
        raise httpcore.UnsupportedProtocol("outgoing requests do not use unix sockets")


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport (connection pool, HTTP/1.1, TLS) on top of `GuardedBackend`."""

    def __init__(
        self,
        policy: OutboundPolicy,
        resolve: Resolver,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        context = ssl_context or default_ssl_context()
        super().__init__(verify=context, trust_env=False)
        # httpx 0.28 takes no network backend, so the pool it built is replaced by the same
        # pool with ours; handle_request and close only use self._pool.
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=MAX_CONNECTIONS,
            max_keepalive_connections=MAX_KEEPALIVE_CONNECTIONS,
            keepalive_expiry=KEEPALIVE_EXPIRY,
            network_backend=GuardedBackend(policy, resolve),
        )

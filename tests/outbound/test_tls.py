"""TLS over the guarded connection: the certificate is checked against the URL's name.

The guard connects to an IP address it checked, so these tests make sure TLS still gets the
host name (for SNI and for certificate verification), not the address. A local HTTPS server
holds a certificate from a test CA (trustme); the name is mapped to 127.0.0.1 by the resolver.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import pytest
import trustme

from app.outbound import FetchFailed, OutboundClient
from tests.outbound.conftest import OPEN, ScriptedResolver
from tests.outbound.servers import LocalServer, reply

NAME = "feeds.example"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def https_server(ca: trustme.CA, certified_name: str) -> tuple[LocalServer, list[str]]:
    """An HTTPS server on 127.0.0.1 whose certificate names `certified_name`; and SNI seen."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(certified_name).configure_cert(context)
    names: list[str] = []
    context.sni_callback = lambda _sock, name, _ctx: names.append(name)  # type: ignore[assignment]
    server = LocalServer("127.0.0.1", tls=context)
    server.routes["/feed"] = lambda h: reply(h, 200, b"<feed/>")
    return server, names


@pytest.fixture
def trusting(ca: trustme.CA) -> ssl.SSLContext:
    """A client context that trusts the test CA (and nothing else)."""
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@pytest.fixture
def resolver() -> ScriptedResolver:
    return ScriptedResolver({NAME: [["127.0.0.1"]]})


@pytest.fixture
def right_cert(ca: trustme.CA) -> Iterator[tuple[LocalServer, list[str]]]:
    server, names = https_server(ca, NAME)
    yield server, names
    server.stop()


def test_tls_verifies_the_certificate_against_the_urls_name(right_cert, trusting, resolver):
    server, names = right_cert
    with OutboundClient(OPEN, resolve=resolver, ssl_context=trusting) as client:
        result = client.get(f"https://{NAME}:{server.port}/feed")
    assert (result.status, result.body) == (200, b"<feed/>")
    assert names == [NAME]
    assert server.seen[0].headers["Host"] == f"{NAME}:{server.port}"


def test_a_certificate_for_another_name_is_refused(ca, trusting, resolver):
    server, _ = https_server(ca, "other.example")
    try:
        with (
            OutboundClient(OPEN, resolve=resolver, ssl_context=trusting) as client,
            pytest.raises(FetchFailed, match=f"TLS certificate of {NAME} was not accepted"),
        ):
            client.get(f"https://{NAME}:{server.port}/feed")
        assert server.seen == []
    finally:
        server.stop()


def test_certificates_are_verified_by_default(right_cert, resolver):
    """Without a context given, the public CA bundle is used: the test CA is not in it."""
    server, _ = right_cert
    with (
        OutboundClient(OPEN, resolve=resolver) as client,
        pytest.raises(FetchFailed, match=rf"TLS certificate of {NAME} was not accepted"),
    ):
        client.get(f"https://{NAME}:{server.port}/feed")
    assert server.seen == []

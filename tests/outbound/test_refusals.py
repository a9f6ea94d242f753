"""Without ALLOW_PRIVATE_URLS: private and odd URLs are refused before anything connects.

Each loopback URL below points at a live server's port, so a guard that let one through would
be seen: the request would be answered and the server would count a connection.
"""

from __future__ import annotations

import pytest

from app.outbound import OutboundClient, OutboundPolicy, RefusedURL, fetch, post
from tests.outbound.conftest import ScriptedResolver, stand_in_policy
from tests.outbound.servers import reply

CLOSED = OutboundPolicy(allow_private=False, timeout=5)

LOOPBACK_SPELLINGS = [
    "http://127.0.0.1:{port}/",
    "http://localhost:{port}/",
    "http://localhost.:{port}/",
    "http://LOCALHOST:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://[::ffff:7f00:1]:{port}/",
    "http://0x7f000001:{port}/",
    "http://2130706433:{port}/",
    "http://017700000001:{port}/",
    "http://127.1:{port}/",
    "http://0.0.0.0:{port}/",
    "http://0:{port}/",
]


@pytest.mark.parametrize("template", LOOPBACK_SPELLINGS)
def test_every_spelling_of_loopback_is_refused_before_connecting(server, template):
    server.routes["/"] = lambda h: reply(h, 200, b"secret")
    with pytest.raises(RefusedURL):
        fetch(template.format(port=server.port), policy=CLOSED)
    assert server.connections == 0


def test_ipv6_loopback_is_refused_before_connecting(server6):
    server6.routes["/"] = lambda h: reply(h, 200, b"secret")
    with pytest.raises(RefusedURL, match=r"::1 is a loopback address"):
        fetch(f"http://[::1]:{server6.port}/", policy=CLOSED)
    assert server6.connections == 0


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.1/", "10.0.0.1 is a private address"),
        ("http://192.168.1.1:8080/admin", "192.168.1.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[fe80::1]/", "fe80::1 is a link-local address"),
        ("http://[fd00::1]/", r"fd00::1 is a private \(unique local\) address"),
        ("http://100.100.100.200/", "100.100.100.200 is a shared address"),
        ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
    ],
)
def test_private_link_local_and_multicast_addresses_are_refused(url, reason):
    with pytest.raises(RefusedURL, match=reason):
        fetch(url, policy=CLOSED)


def test_a_name_that_resolves_to_loopback_is_refused_before_connecting(server):
    server.routes["/feed"] = lambda h: reply(h, 200, b"secret")
    resolver = ScriptedResolver({"feeds.example": [["127.0.0.1"]]})
    with pytest.raises(RefusedURL) as refused:
        fetch(f"http://feeds.example:{server.port}/feed", policy=CLOSED, resolve=resolver)
    assert str(refused.value) == "refused: feeds.example resolves to 127.0.0.1, a loopback address"
    assert server.connections == 0


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://files.example/feed.xml", "not ftp: URLs"),
        ("file:///etc/passwd", "not file: URLs"),
        ("http://user:pw@example.com/", "URLs with a user name or password are not fetched"),
    ],
)
def test_other_schemes_and_credentials_are_refused(url, reason):
    with pytest.raises(RefusedURL, match=reason):
        fetch(url, policy=CLOSED)


def test_credentials_are_refused_even_for_an_allowed_host(twin_servers):
    stand_in, _ = twin_servers
    stand_in.routes["/"] = lambda h: reply(h, 200, b"ok")
    with pytest.raises(RefusedURL, match="user name or password") as refused:
        post(
            f"http://user:pw@{stand_in.netloc}/",
            policy=stand_in_policy(stand_in),
            content=b"{}",
        )
    assert "pw" not in str(refused.value)
    assert stand_in.connections == 0


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.1:{port}/secret",
        "http://localhost:{port}/secret",
        "http://2130706433:{port}/secret",
        "http://[::ffff:127.0.0.1]:{port}/secret",
        "http://internal.example:{port}/secret",
    ],
)
def test_a_redirect_from_a_public_host_to_loopback_is_refused(twin_servers, location):
    """A public host that redirects to loopback: the first hop is followed, the second refused.

    There is no public server without the internet, so the test stands 127.0.0.2:PORT in for
    one: the resolver maps `public.example` to it and the policy's `treat_as_public` lets that
    exact address and port through. Every other address gets the production check, inside the
    transport's connect_tcp: the redirect's target, a server on 127.0.0.1 at the same port,
    is refused there and never sees a connection.
    """
    stand_in, loopback = twin_servers
    target = location.format(port=loopback.port)
    stand_in.routes["/feed"] = lambda h: reply(h, 302, headers={"Location": target})
    loopback.routes["/secret"] = lambda h: reply(h, 200, b"secret")
    resolver = ScriptedResolver(
        {"public.example": [["127.0.0.2"]], "internal.example": [["127.0.0.1"]]}
    )
    with pytest.raises(RefusedURL, match=r"\(after 1 redirect\)$") as refused:
        fetch(
            f"http://public.example:{stand_in.port}/feed",
            policy=stand_in_policy(stand_in),
            resolve=resolver,
        )
    assert "127.0.0.1" in str(refused.value) or "localhost" in str(refused.value)
    assert [seen.path for seen in stand_in.seen] == ["/feed"]
    assert loopback.connections == 0


def test_the_stand_in_public_host_is_really_reached(twin_servers):
    """The allowance the redirect test relies on works, so that test's refusal is the hop's."""
    stand_in, loopback = twin_servers
    stand_in.routes["/feed"] = lambda h: reply(h, 200, b"<rss/>")
    resolver = ScriptedResolver({"public.example": [["127.0.0.2"]]})
    with OutboundClient(stand_in_policy(stand_in), resolve=resolver) as client:
        result = client.get(f"http://public.example:{stand_in.port}/feed")
    assert (result.status, result.body) == (200, b"<rss/>")
    assert loopback.connections == 0

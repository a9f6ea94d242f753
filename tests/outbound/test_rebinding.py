"""DNS rebinding: the address checked is the address connected to, whatever DNS says next.

The system resolver itself is made to rebind (socket.getaddrinfo answers 127.0.0.2, the tests'
stand-in public address, the first time and 127.0.0.1 after that), so a guard that looked a
name up to check it and let the socket look it up again to connect would reach 127.0.0.1 on
the very first request; the loopback server on the same port would count that connection.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

from app.outbound import OutboundClient, RefusedURL, fetch
from tests.outbound.conftest import ScriptedResolver, stand_in_policy
from tests.outbound.servers import reply

REBINDING_NAME = "rebind.example"


def rebinding_getaddrinfo(real: Callable[..., list], port: int) -> Callable[..., list]:
    """getaddrinfo that answers 127.0.0.2 for the rebinding name once, then 127.0.0.1."""
    answers = iter(["127.0.0.2"])

    def getaddrinfo(host: str, *args: object, **kwargs: object) -> list:
        if host != REBINDING_NAME:
            return real(host, *args, **kwargs)
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    return getaddrinfo


def test_a_name_that_rebinds_to_loopback_is_never_connected_to(twin_servers, monkeypatch):
    stand_in, loopback = twin_servers
    for srv in twin_servers:
        srv.routes["/feed"] = lambda h, who=srv.host: reply(h, 200, who.encode())
    monkeypatch.setattr(
        socket, "getaddrinfo", rebinding_getaddrinfo(socket.getaddrinfo, stand_in.port)
    )
    url = f"http://{REBINDING_NAME}:{stand_in.port}/feed"
    policy = stand_in_policy(stand_in)

    # First connection: the one lookup says 127.0.0.2 (allowed) and that is where it goes.
    assert fetch(url, policy=policy).body == b"127.0.0.2"
    assert loopback.connections == 0

    # A new connection looks the name up again, now 127.0.0.1, and is refused before it opens.
    with pytest.raises(RefusedURL, match=r"rebind\.example resolves to 127\.0\.0\.1, a loopback"):
        fetch(url, policy=policy)
    assert loopback.connections == 0
    assert stand_in.connections == 1


def test_a_kept_alive_connection_stays_on_the_address_it_was_checked_for(twin_servers):
    stand_in, loopback = twin_servers
    stand_in.routes["/feed"] = lambda h: reply(h, 200, b"stand-in")
    resolver = ScriptedResolver({REBINDING_NAME: [["127.0.0.2"], ["127.0.0.1"]]})
    url = f"http://{REBINDING_NAME}:{stand_in.port}/feed"
    with OutboundClient(stand_in_policy(stand_in), resolve=resolver) as client:
        assert [client.get(url).body for _ in range(3)] == [b"stand-in"] * 3
    assert resolver.calls == [REBINDING_NAME]
    assert (stand_in.connections, loopback.connections) == (1, 0)


def test_a_name_with_a_loopback_address_among_its_answers_reaches_neither(twin_servers):
    stand_in, loopback = twin_servers
    resolver = ScriptedResolver({REBINDING_NAME: [["127.0.0.2", "127.0.0.1"]]})
    with pytest.raises(RefusedURL, match=r"resolves to 127\.0\.0\.1, a loopback address"):
        fetch(
            f"http://{REBINDING_NAME}:{stand_in.port}/",
            policy=stand_in_policy(stand_in),
            resolve=resolver,
        )
    assert (stand_in.connections, loopback.connections) == (0, 0)

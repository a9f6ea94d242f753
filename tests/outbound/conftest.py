"""Fixtures for the outgoing-request tests: local servers, policies and a scripted resolver."""

from __future__ import annotations

import socket
from collections.abc import Iterator, Sequence

import pytest

from app.outbound import OutboundPolicy
from tests.outbound.servers import LocalServer, running, twins

# Private addresses allowed, and a short timeout so the failure cases stay quick.
OPEN = OutboundPolicy(allow_private=True, timeout=5)


class ScriptedResolver:
    """Answers from a table of name → successive answers (the last one repeats); counts calls."""

    def __init__(self, table: dict[str, Sequence[Sequence[str]]]) -> None:
        self.table = table
        self.calls: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        answers = self.table.get(host)
        if not answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        asked_before = self.calls.count(host) - 1
        return list(answers[min(asked_before, len(answers) - 1)])


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A server on 127.0.0.1."""
    with running("127.0.0.1") as srv:
        yield srv


@pytest.fixture
def server6() -> Iterator[LocalServer]:
    """A server on ::1."""
    with running("::1") as srv:
        yield srv


@pytest.fixture
def twin_servers() -> Iterator[tuple[LocalServer, LocalServer]]:
    """(stand-in public server on 127.0.0.2, loopback server on 127.0.0.1), one port."""
    with twins() as pair:
        yield pair


def stand_in_policy(stand_in: LocalServer) -> OutboundPolicy:
    """Private addresses refused, except the stand-in server's exact address and port."""
    return OutboundPolicy(
        allow_private=False, treat_as_public=frozenset({(stand_in.host, stand_in.port)})
    )

"""The rules an outgoing request follows, as one value passed in by the caller."""

from __future__ import annotations

from dataclasses import dataclass

USER_AGENT = "Claimwatch/0.1 (claim tracker: feed reader and webhook sender)"


@dataclass(frozen=True)
class OutboundPolicy:
    """Limits for outgoing requests (SPEC.md, "Outgoing requests").

    `allow_private` is the `ALLOW_PRIVATE_URLS` setting: it lifts the address check only; the
    scheme, redirect, size and time limits stay. `timeout` bounds each connect, read and write
    and also the whole exchange (every redirect and the body together).

    `treat_as_public` holds exact (address, port) pairs that the address check lets through as
    if they were public. It is how the tests stand a local server in for a public host, so the
    real check still runs on every other address (a redirect from that server to 127.0.0.1 is
    refused). No setting fills it.
    """

    allow_private: bool
    timeout: float = 10.0
    max_bytes: int = 5 * 2**20
    max_redirects: int = 5
    user_agent: str = USER_AGENT
    treat_as_public: frozenset[tuple[str, int]] = frozenset()

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ValueError("timeout must be positive")
        if self.max_bytes < 1:
            raise ValueError("max_bytes must be at least 1")
        if self.max_redirects < 0:
            raise ValueError("max_redirects must not be negative")

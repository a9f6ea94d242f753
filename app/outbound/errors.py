"""What can go wrong with an outgoing request, in words a person can read in a health log."""

from __future__ import annotations


class OutboundError(Exception):
    """An outgoing request did not give an answer; `str()` says why in one line."""


class RefusedURL(OutboundError):
    """The URL, or a redirect's target, is not one Claimwatch fetches: nothing was sent to it.

    `reason` is the refusal without context ("127.0.0.1 is a loopback address"); `redirects`
    counts the redirects followed before the refused hop (0: the URL as given).
    """

    def __init__(self, reason: str, *, redirects: int = 0) -> None:
        self.reason = reason
        self.redirects = redirects
        after = f" (after {redirects} redirect{'s' if redirects != 1 else ''})" if redirects else ""
        super().__init__(f"refused: {reason}{after}")


class TooLarge(OutboundError):
    """The response body passed the size limit; reading stopped there and nothing is returned.

    `status` is the answer's status code, which arrived before the body: a webhook that was
    answered 2xx with an oversized body was still delivered.
    """

    def __init__(self, limit: int, status: int) -> None:
        self.limit = limit
        self.status = status
        super().__init__(f"response larger than {describe_size(limit)} (status {status})")


class FetchFailed(OutboundError):
    """No usable answer: a timeout, no connection, a broken or invalid response, a redirect loop.

    `reason` is short and meant for people ("timed out after 10 s", "connection refused").
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def describe_size(size: int) -> str:
    """`5 MB` for 5 * 2**20, else the exact number of bytes."""
    if size >= 2**20 and size % 2**20 == 0:
        return f"{size // 2**20} MB"
    return f"{size:,} bytes"

"""What can be wrong with a feed's answer, in words for its health."""

from __future__ import annotations


class FeedError(Exception):
    """The answer could not be read as RSS, Atom or JSON Feed; `str()` says why."""

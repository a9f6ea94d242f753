"""How Claimwatch writes values for other programs: one RFC 3339 formatter, one JSON encoder.

Used by the API, the events' data, the JSON Lines export, the feed and the pages' `<time>`
elements, so an instant reads the same wherever it is written.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import orjson

# Naive instants handed to `dumps` are UTC (the hot reads select them so), and UTC is written
# `Z`: exactly what `rfc3339` writes (tests/test_wire.py).
_OPTIONS = orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z


def rfc3339(value: datetime) -> str:
    """An instant as RFC 3339 in UTC with `Z`; the fraction only when it is not zero. A naive
    value is taken to be UTC already."""
    utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return utc.isoformat().replace("+00:00", "Z")


def wire_value(value: Any) -> Any:
    """A value as JSON keeps it: instants RFC 3339, dates ISO 8601, lists element by element."""
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [wire_value(v) for v in value]
    return value


def dumps(body: Any) -> bytes:
    """JSON as Claimwatch writes it: UTF-8, no spaces, keys in the order given, instants as
    `rfc3339` writes them, `orjson.Fragment`s (JSON text read from the database) as they are.

    Text that cannot be encoded (a lone surrogate) raises TypeError: such text is refused where
    it enters (`app.claims.checks`), so this never meets it.
    """
    return orjson.dumps(body, option=_OPTIONS)


def loads(data: bytes | str) -> Any:
    """JSON text as Python values (ValueError when it is not JSON)."""
    return orjson.loads(data)


def canonical(body: Any) -> bytes:
    """`body` as JSON with sorted keys: equal for equal values however they were written."""
    return orjson.dumps(body, option=_OPTIONS | orjson.OPT_SORT_KEYS)


# Characters that would end or confuse a <script> element holding JSON (and the two line
# separators JavaScript once read as line ends), written as JSON escapes instead.
_SCRIPT_UNSAFE = {
    b"<": b"\\u003c",
    b">": b"\\u003e",
    b"&": b"\\u0026",
    "\u2028".encode(): b"\\u2028",
    "\u2029".encode(): b"\\u2029",
}


def dumps_script_safe(body: Any) -> bytes:
    """`dumps`, safe to paste inside an HTML <script> element: the same JSON value, with
    `<`, `>`, `&`, U+2028 and U+2029 written as \\u escapes (`</script>` cannot appear)."""
    data = dumps(body)
    for raw, escaped in _SCRIPT_UNSAFE.items():
        data = data.replace(raw, escaped)
    return data

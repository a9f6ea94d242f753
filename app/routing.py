"""URL converters shared by every face."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import BaseConverter

from app.db import MAX_ID


class IdConverter(BaseConverter):
    """A database id in a path (`<id:claim_id>`). Out-of-range numbers read as 0, which names
    nothing (a 404), instead of failing the route match (which werkzeug reports as 405) or
    the query (a number past 32 bits cannot be sent to an INTEGER column)."""

    regex = r"\d{1,30}"

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if 1 <= number <= MAX_ID else 0

    def to_url(self, value: int) -> str:
        return str(int(value))


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter

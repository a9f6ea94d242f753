"""Small SQL expressions that are spelled differently on PostgreSQL and SQLite."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, String, Text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class days_between(FunctionElement[float]):
    """Fractional days from a date (at 00:00 UTC) or instant to a later instant."""

    type = Float()
    inherit_cache = True

    def __init__(self, later: ColumnElement[Any], earlier: ColumnElement[Any]) -> None:
        super().__init__(later, earlier)


@compiles(days_between, "postgresql")
def _days_between_pg(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({later} - CAST({earlier} AS TIMESTAMP) AT TIME ZONE 'UTC'))"
        " / 86400.0)"
    )


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


class rfc3339(FunctionElement[str]):
    """An instant as events keep it (PostgreSQL, for the sweep's bulk event): RFC 3339 in UTC
    with `Z`, the fraction only when it is not zero — exactly `datetime.isoformat()` with
    `+00:00` written `Z`, as `app.claims.events.wire_value` writes it."""

    type = String()
    inherit_cache = True

    def __init__(self, value: ColumnElement[Any]) -> None:
        super().__init__(value)


@compiles(rfc3339, "postgresql")
def _rfc3339_pg(element: rfc3339, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = (compiler.process(arg, **kw) for arg in element.clauses)
    utc = f"({value} AT TIME ZONE 'UTC')"
    return (
        f"CASE WHEN date_trunc('second', {value}) = {value}"
        f' THEN to_char({utc}, \'YYYY-MM-DD"T"HH24:MI:SS"Z"\')'
        f' ELSE to_char({utc}, \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\') END'
    )


class utc_naive(FunctionElement[Any]):
    """An instant as a naive UTC timestamp, whatever the session's time zone (PostgreSQL
    `AT TIME ZONE 'UTC'`; SQLite stores instants that way already)."""

    inherit_cache = True

    def __init__(self, value: ColumnElement[Any]) -> None:
        super().__init__(value)


@compiles(utc_naive, "postgresql")
def _utc_naive_pg(element: utc_naive, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC')"


@compiles(utc_naive, "sqlite")
def _utc_naive_sqlite(element: utc_naive, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


class json_text(FunctionElement[str]):
    """A JSON value as text, for the driver to hand over as it is (psycopg would parse `json`)."""

    type = Text()
    inherit_cache = True

    def __init__(self, value: ColumnElement[Any]) -> None:
        super().__init__(value)


@compiles(json_text, "postgresql")
def _json_text_pg(element: json_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS TEXT)"


@compiles(json_text, "sqlite")
def _json_text_sqlite(element: json_text, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


class claim_tags_json(FunctionElement[str]):
    """A claim's tags as a JSON array in code point order (`sorted()` in Python)."""

    type = String()
    inherit_cache = True

    def __init__(self, claim_id: ColumnElement[Any]) -> None:
        super().__init__(claim_id)


@compiles(claim_tags_json, "postgresql")
def _claim_tags_json_pg(element: claim_tags_json, compiler: SQLCompiler, **kw: Any) -> str:
    claim_id = compiler.process(element.clauses, **kw)
    return (
        'coalesce((SELECT json_agg(claim_tags.tag ORDER BY claim_tags.tag COLLATE "C")'
        f" FROM claim_tags WHERE claim_tags.claim_id = {claim_id}), '[]'::json)"
    )


@compiles(claim_tags_json, "sqlite")
def _claim_tags_json_sqlite(element: claim_tags_json, compiler: SQLCompiler, **kw: Any) -> str:
    claim_id = compiler.process(element.clauses, **kw)
    return (
        "json((SELECT json_group_array(tag) FROM (SELECT claim_tags.tag AS tag FROM claim_tags"
        f" WHERE claim_tags.claim_id = {claim_id} ORDER BY claim_tags.tag)))"
    )

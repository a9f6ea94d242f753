"""Comparing a restored database with the one it was exported from, row by row.

Every table the JSON Lines export carries is read from both databases in key order, a batch
at a time (server-side cursors on PostgreSQL), and merged: a row only on one side, or a
column that differs, is a difference. Columns are taken from the models, so a column added
later is compared too (and fails here until the export carries it).

What a restore is not meant to keep identically is compared by what it is kept as:
- users are matched by email, on the fields the export carries (email, name, role, time
  zone); the source side is the users its claims refer to, the target side every user.
  Passwords, sessions, feed keys and digest settings are not exported on purpose;
- columns pointing at a user (assignee, author, actor...) are compared as that user's email,
  since user ids are given anew by the restore;
- event data (JSON) is compared as canonical JSON text, so 1, 1.0 and true stay different.
Not part of the export, hence not compared: API tokens, digest deliveries, idempotency keys.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Column, String, Table, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.claims_io.records import referenced_user_ids
from app.models import Claim, ClaimEvent, ClaimStatusCount, ClaimTag, Evidence, Source, User

BATCH_SIZE = 5000
SHOWN_DIFFERENCES = 3
USER_FIELDS = ("email", "name", "role", "timezone")
# The tables whose rows a restore brings back; claim_status_counts is kept by triggers from
# the claims, and must come out the same too.
COMPARED: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (Source, Claim, ClaimTag, Evidence, ClaimEvent, ClaimStatusCount)
)
NOT_EXPORTED = ("api_tokens", "digest_deliveries", "api_idempotency_keys")


@dataclass
class TableComparison:
    """Row counts of one table on both sides and the first differences found."""

    table: str
    source_rows: int = 0
    target_rows: int = 0
    different: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return self.different == 0

    def note(self, text: str) -> None:
        self.different += 1
        if len(self.examples) < SHOWN_DIFFERENCES:
            self.examples.append(text)


def compare_restore(
    source: Connection, target: Connection, batch_size: int = BATCH_SIZE
) -> list[TableComparison]:
    """Compare every exported table of `source` with `target`; one result per table."""
    source_emails = _emails(source)
    target_emails = _emails(target)
    results = [_compare_users(source, target)]
    for table in COMPARED:
        reader = _TableReader(table, batch_size)
        results.append(
            _merge(
                table.name,
                reader.rows(source, source_emails),
                reader.rows(target, target_emails),
                reader.columns,
                reader.key_width,
            )
        )
    return results


def _emails(conn: Connection) -> dict[int | None, str | None]:
    emails: dict[int | None, str | None] = {None: None}
    emails.update(conn.execute(select(User.id, User.email)).tuples().all())
    return emails


def _compare_users(source: Connection, target: Connection) -> TableComparison:
    users: Table = User.__table__  # type: ignore[assignment]
    fields = [users.c[name] for name in USER_FIELDS]
    with Session(bind=source) as session:
        referenced = referenced_user_ids(session)
    exported = select(*fields).where(users.c.id.in_(referenced))
    restored = select(*fields)
    return _merge(
        "users",
        _stream(source, exported.order_by(_ordered(source, users.c.email)), BATCH_SIZE),
        _stream(target, restored.order_by(_ordered(target, users.c.email)), BATCH_SIZE),
        list(USER_FIELDS),
        1,
    )


class _TableReader:
    """Reads one table in primary-key order, user ids as emails, JSON as canonical text."""

    def __init__(self, table: Table, batch_size: int) -> None:
        self.table = table
        self.batch_size = batch_size
        keys = list(table.primary_key.columns)
        rest = [column for column in table.columns if column not in keys]
        self.ordered_columns: list[Column[Any]] = keys + rest
        self.columns = [column.name for column in self.ordered_columns]
        self.key_width = len(keys)
        user_table = User.__table__
        self.user_positions = [
            i
            for i, column in enumerate(self.ordered_columns)
            if any(fk.column.table is user_table for fk in column.foreign_keys)
        ]
        self.json_positions = [
            i for i, column in enumerate(self.ordered_columns) if isinstance(column.type, JSON)
        ]

    def rows(self, conn: Connection, emails: dict[int | None, str | None]) -> Iterator[tuple]:
        keys = self.ordered_columns[: self.key_width]
        query = select(*self.ordered_columns).order_by(*(_ordered(conn, key) for key in keys))
        convert = self._converter(emails)
        for row in _stream(conn, query, self.batch_size):
            yield convert(row)

    def _converter(self, emails: dict[int | None, str | None]) -> Callable[[Sequence], tuple]:
        users, documents = self.user_positions, self.json_positions
        if not users and not documents:
            return tuple

        def convert(row: Sequence) -> tuple:
            values = list(row)
            for i in users:
                values[i] = emails.get(values[i], f"<user id {values[i]} missing>")
            for i in documents:
                values[i] = json.dumps(values[i], sort_keys=True, ensure_ascii=False)
            return tuple(values)

        return convert


def _ordered(conn: Connection, column: Column[Any]) -> Any:
    """Text keys in code-point order on both sides (PostgreSQL's "C" collation; SQLite's
    default already is), so that the merge below can compare keys in Python."""
    if isinstance(column.type, String) and conn.dialect.name == "postgresql":
        return column.collate("C")
    return column


def _stream(conn: Connection, query: Any, batch_size: int) -> Iterator[Sequence]:
    result = conn.execute(query, execution_options={"yield_per": batch_size})
    try:
        yield from result
    finally:
        result.close()


def _merge(
    name: str,
    source: Iterator[Sequence],
    target: Iterator[Sequence],
    columns: list[str],
    key_width: int,
) -> TableComparison:
    """Walk two key-ordered row streams side by side, noting every difference."""
    result = TableComparison(name)
    left = next(source, None)
    right = next(target, None)
    while left is not None or right is not None:
        left_key = tuple(left[:key_width]) if left is not None else None
        right_key = tuple(right[:key_width]) if right is not None else None
        if right_key is None or (left_key is not None and left_key < right_key):
            result.source_rows += 1
            result.note(f"{_key(columns, left_key)}: only in the source database")
            left = next(source, None)
        elif left_key is None or right_key < left_key:
            result.target_rows += 1
            result.note(f"{_key(columns, right_key)}: only in the restored database")
            right = next(target, None)
        else:
            assert left is not None and right is not None
            result.source_rows += 1
            result.target_rows += 1
            if tuple(left) != tuple(right):
                changed = [
                    f"{column}: {a!r} != {b!r}"
                    for column, a, b in zip(columns, left, right, strict=True)
                    if a != b
                ]
                result.note(f"{_key(columns, left_key)}: {'; '.join(changed)}")
            left = next(source, None)
            right = next(target, None)
    return result


def _key(columns: list[str], key: tuple | None) -> str:
    assert key is not None
    return ", ".join(f"{column}={value!r}" for column, value in zip(columns, key, strict=False))

"""Keyset cursors of the claim lists: the sort key and id of a page's last row, opaque to
clients, tied to the sort they were made for, and checked like any other input."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from app.claims.deadlines import check_instant_range
from app.claims.errors import ValidationError
from app.db import MAX_ID

MAX_CURSOR = 200


@dataclass(frozen=True)
class Cursor:
    """After which row a page starts: its sort, its group (the "attention" order reads three
    groups one after the other; other sorts have one), its sort value and its id."""

    sort: str
    value: datetime
    id: int
    group: int = 0

    def encode(self) -> str:
        raw = [self.sort, self.value.isoformat(), self.id, self.group]
        text = json.dumps(raw, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(text: str, sort: str, groups: int) -> Cursor:
    """The cursor in `text`, for a list sorted by `sort` with `groups` groups; 422 naming
    `cursor` when it is not one of ours (also for an out-of-range id, group or instant)."""
    problem = "is not a cursor of this list"
    try:
        if len(text) > MAX_CURSOR:
            raise ValueError
        padded = text + "=" * (-len(text) % 4)
        made_for, value, row_id, group = json.loads(base64.urlsafe_b64decode(padded))
        when = datetime.fromisoformat(value)
        for number in (row_id, group):
            if not isinstance(number, int) or isinstance(number, bool):
                raise ValueError
        if when.tzinfo is None or not 1 <= row_id <= MAX_ID or not 0 <= group < groups:
            raise ValueError
        when = check_instant_range(when, "cursor")
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise ValidationError.single("cursor", problem) from None
    if made_for != sort:
        raise ValidationError.single("cursor", f"was made for sort={made_for}, not sort={sort}")
    return Cursor(sort, when, row_id, group)

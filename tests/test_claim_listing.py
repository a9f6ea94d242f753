"""The desk's order of the claim list (overdue first, longest overdue first; then pending,
closing soonest first; then resolved, latest window first) and its keyset pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.claims import resolve_claim
from app.claims.cursor import Cursor, decode_cursor
from app.claims.errors import ValidationError
from app.claims.reads import ATTENTION, ClaimQuery, ClaimSummary, claim_page
from app.sweep import flag_overdue_claims
from tests.conftest import NOW


def build_desk(factory, session):
    """Claims in every group, some sharing a window end, some overdue by different amounts."""
    made = {}
    for name, days in [("late3", -3), ("late30", -30), ("late10", -10), ("late10b", -10)]:
        made[name] = factory.claim(window_end=NOW + timedelta(days=days, hours=-1))
    for name, days in [("soon", 2), ("later", 40), ("soon_b", 2)]:
        made[name] = factory.claim(window_end=NOW + timedelta(days=days))
    for name, days in [("done_old", -50), ("done_new", 5)]:
        claim = factory.claim(window_end=NOW + timedelta(days=days))
        resolve_claim(session, factory.reviewer, NOW, claim.id, "void", "")
        made[name] = claim
    flag_overdue_claims(session, NOW)
    return made


def expected_order(made):
    ids = {name: claim.id for name, claim in made.items()}
    late10 = sorted([ids["late10"], ids["late10b"]])
    soon = sorted([ids["soon"], ids["soon_b"]])
    return [ids["late30"], *late10, ids["late3"], *soon, ids["later"], ids["done_new"],
            ids["done_old"]]  # fmt: skip


def desk(session, **filters):
    return claim_page(session.connection(), ClaimQuery(sort=ATTENTION, **filters), ClaimSummary)


def test_overdue_come_first_longest_overdue_first_then_pending_then_resolved(factory, session):
    made = build_desk(factory, session)
    page = desk(session, limit=50)
    assert [c.id for c in page.rows] == expected_order(made)
    assert page.next is None


def test_every_page_size_walks_the_same_order_exactly_once(factory, session):
    made = build_desk(factory, session)
    for size in (1, 2, 3, 4):
        seen, cursor = [], None
        while True:
            page = desk(session, limit=size, cursor=cursor)
            seen += [c.id for c in page.rows]
            if page.next is None:
                break
            cursor = decode_cursor(page.next.encode(), ATTENTION, 3)
        assert seen == expected_order(made), size


def test_filters_narrow_the_list(factory, session):
    made = build_desk(factory, session)
    overdue = desk(session, statuses=("overdue",))
    assert {c.id for c in overdue.rows} == {
        made[n].id for n in ("late3", "late30", "late10", "late10b")
    }
    tagged = factory.claim(tags=["chips"], subject="Ascend chips")
    assert [c.id for c in desk(session, tag="chips").rows] == [tagged.id]
    assert [c.id for c in desk(session, q="ascend").rows] == [tagged.id]


@pytest.mark.parametrize(
    "junk",
    ["", "abc", "9.1.1", "WyJhdHRlbnRpb24iLCIyMDI2LTExLTIwVDA5OjAwOjAwKzAwOjAwIiwxLDNd"],
)
def test_a_malformed_cursor_is_refused_naming_the_cursor(junk):
    with pytest.raises(ValidationError) as refused:
        decode_cursor(junk, ATTENTION, 3)
    assert set(refused.value.errors) == {"cursor"}


@pytest.mark.parametrize(
    ("row_id", "when"),
    [
        (2_147_483_648, "2026-11-20T09:00:00+00:00"),
        (0, "2026-11-20T09:00:00+00:00"),
        (1, "9999-12-31T23:00:00-05:00"),
        (1, "0001-01-01T01:00:00+05:00"),
    ],
)
def test_a_cursor_out_of_range_is_refused(row_id, when):
    cursor = Cursor(ATTENTION, NOW, 1).encode()
    forged = Cursor.__new__(Cursor)
    object.__setattr__(forged, "sort", ATTENTION)
    object.__setattr__(forged, "value", __import__("datetime").datetime.fromisoformat(when))
    object.__setattr__(forged, "id", row_id)
    object.__setattr__(forged, "group", 0)
    assert cursor != forged.encode()
    with pytest.raises(ValidationError):
        decode_cursor(forged.encode(), ATTENTION, 3)


def test_cursors_keep_microseconds_exactly():
    cursor = Cursor(ATTENTION, NOW + timedelta(microseconds=123457), 42, 1)
    assert decode_cursor(cursor.encode(), ATTENTION, 3) == cursor

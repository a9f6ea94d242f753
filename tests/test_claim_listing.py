"""The claim list's order and keyset pagination (overdue first, longest overdue first)."""

from __future__ import annotations

from datetime import timedelta

from app.claims import resolve_claim
from app.claims.listing import Cursor, ListFilters, list_claims
from app.claims.overdue import flag_overdue_claims
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


def test_overdue_come_first_longest_overdue_first_then_pending_then_resolved(factory, session):
    made = build_desk(factory, session)
    page = list_claims(session.connection(), ListFilters(), limit=50)
    assert [c.id for c in page.claims] == expected_order(made)
    assert page.next_cursor is None


def test_every_page_size_walks_the_same_order_exactly_once(factory, session):
    made = build_desk(factory, session)
    for size in (1, 2, 3, 4):
        seen, cursor = [], None
        while True:
            page = list_claims(session.connection(), ListFilters(), cursor, limit=size)
            seen += [c.id for c in page.claims]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == expected_order(made), size


def test_filters_narrow_the_list(factory, session):
    made = build_desk(factory, session)
    overdue = list_claims(session.connection(), ListFilters(statuses=frozenset({"overdue"})))
    assert {c.id for c in overdue.claims} == {
        made[n].id for n in ("late3", "late30", "late10", "late10b")
    }
    tagged = factory.claim(tags=["chips"], subject="Ascend chips")
    by_tag = list_claims(session.connection(), ListFilters(tag="chips"))
    assert [c.id for c in by_tag.claims] == [tagged.id]
    by_text = list_claims(session.connection(), ListFilters(q="ascend"))
    assert [c.id for c in by_text.claims] == [tagged.id]


def test_a_malformed_cursor_means_the_first_page(factory, session):
    build_desk(factory, session)
    first = list_claims(session.connection(), ListFilters(), limit=3)
    for junk in ("", "abc", "9.1.1", "1.x.2", "1.99999999999999999999.1", "0.1.2147483648"):
        assert [c.id for c in list_claims(session.connection(), ListFilters(), junk, 3).claims] == [
            c.id for c in first.claims
        ]


def test_cursors_keep_microseconds_exactly(factory):
    cursor = Cursor(1, NOW + timedelta(microseconds=123457), 42)
    assert Cursor.decode(cursor.encode()) == cursor

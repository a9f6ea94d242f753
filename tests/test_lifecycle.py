"""The lifecycle rules of the spec, one behaviour per test."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, literal_column, select

from app.claims import (
    PermissionDenied,
    StateConflict,
    ValidationError,
    VersionConflict,
    assign_claim,
    comment_on_claim,
    create_claim,
    edit_claim,
    extend_window,
    reopen_claim,
    resolve_claim,
    withdraw_evidence,
)
from app.claims.stats import status_counts
from app.models import Claim, ClaimEvent, ClaimStatusCount
from tests.conftest import NOW


def events_of(session, claim):
    return session.scalars(
        select(ClaimEvent.kind).where(ClaimEvent.claim_id == claim.id).order_by(ClaimEvent.id)
    ).all()


def test_expected_within_counts_from_claimed_on_as_a_bare_date(factory):
    claim = factory.claim(claimed_on=date(2026, 11, 20), expected_within="P3W")
    assert claim.window_end == datetime(2026, 12, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("duration", "end"),
    [("P10D", date(2026, 12, 1)), ("P1M", date(2026, 12, 21)), ("P1Y", date(2027, 11, 21))],
)
def test_expected_within_takes_days_weeks_months_and_years(factory, duration, end):
    claim = factory.claim(claimed_on=date(2026, 11, 20), expected_within=duration)
    assert claim.window_end == datetime.combine(end, datetime.min.time(), tzinfo=UTC)


@pytest.mark.parametrize("duration", ["P1DT2H", "PT5M", "3 weeks", "P0D", "P1.5W", ""])
def test_other_durations_are_refused(factory, duration):
    with pytest.raises(ValidationError) as err:
        factory.claim(claimed_on=date(2026, 11, 20), expected_within=duration or None)
    assert set(err.value.errors) <= {"expected_within", "window_end"}


def test_a_bare_date_window_end_means_the_end_of_that_day(factory):
    claim = factory.claim(window_end="2026-12-11")
    assert claim.window_end == datetime(2026, 12, 12, tzinfo=UTC)


def test_create_reports_every_bad_field_at_once(factory):
    with pytest.raises(ValidationError) as err:
        factory.claim(
            statement="",
            first_seen_url="javascript:alert(1)",
            tags=["UPPER ok", "bad/tag"],
            window_end="soon",
        )
    assert set(err.value.errors) == {"statement", "first_seen_url", "tags", "window_end"}


def test_create_writes_one_created_event_and_starts_at_version_1(factory, session):
    claim = factory.claim(tags=["AI", "chips", "ai"], source="The Decoder")
    assert claim.version == 1
    assert claim.tags == ["ai", "chips"]
    assert claim.source.name == "The Decoder"
    assert events_of(session, claim) == ["created"]


def test_a_viewer_cannot_change_claims(factory):
    viewer = factory.user(role="viewer")
    with pytest.raises(PermissionDenied):
        factory.claim(actor=viewer)


def test_resolving_as_confirmed_needs_standing_evidence(factory, session):
    claim = factory.claim()
    with pytest.raises(StateConflict):
        resolve_claim(session, factory.reviewer, NOW, claim.id, "confirmed", "announced")
    assert events_of(session, claim) == ["created"]
    factory.evidence(claim)
    resolve_claim(session, factory.reviewer, NOW, claim.id, "confirmed", "announced")
    assert claim.status == "confirmed" and claim.resolved_at == NOW and claim.known_at == NOW


def test_retracted_and_void_need_no_evidence(factory, session):
    claim = factory.claim()
    resolve_claim(session, factory.reviewer, NOW, claim.id, "void", "question was moot")
    assert claim.status == "void"


def test_known_at_may_not_be_in_the_future(factory, session):
    claim = factory.claim()
    factory.evidence(claim)
    with pytest.raises(ValidationError) as err:
        resolve_claim(
            session, factory.reviewer, NOW, claim.id, "confirmed", "", NOW + timedelta(hours=1)
        )
    assert "known_at" in err.value.errors
    assert claim.status == "pending"


def test_known_at_and_resolved_at_are_kept_apart(factory, session):
    claim = factory.claim()
    factory.evidence(claim)
    known = NOW - timedelta(days=7)
    resolve_claim(session, factory.reviewer, NOW, claim.id, "refuted", "denied", known)
    assert (claim.known_at, claim.resolved_at) == (known, NOW)


def test_an_unknown_outcome_is_invalid(factory, session):
    claim = factory.claim()
    with pytest.raises(ValidationError):
        resolve_claim(session, factory.reviewer, NOW, claim.id, "pending", "")


def test_a_resolved_claim_cannot_be_resolved_again(factory, session):
    claim = factory.claim()
    resolve_claim(session, factory.reviewer, NOW, claim.id, "void", "")
    with pytest.raises(StateConflict):
        resolve_claim(session, factory.reviewer, NOW, claim.id, "retracted", "")


def test_reopen_goes_back_to_overdue_when_the_window_has_passed(factory, session):
    claim = factory.claim(window_end=NOW - timedelta(days=1))
    resolve_claim(session, factory.reviewer, NOW, claim.id, "void", "")
    reopen_claim(session, factory.reviewer, NOW, claim.id, "resolved too early")
    assert claim.status == "overdue" and claim.flagged_at == NOW
    assert claim.resolution is None


def test_reopen_goes_back_to_pending_inside_the_window(factory, session):
    claim = factory.claim()
    resolve_claim(session, factory.reviewer, NOW, claim.id, "void", "")
    reopen_claim(session, factory.reviewer, NOW, claim.id, "wrong claim")
    assert claim.status == "pending"
    with pytest.raises(StateConflict):
        reopen_claim(session, factory.reviewer, NOW, claim.id, "again")


def test_extend_moves_the_window_later_and_counts(factory, session):
    claim = factory.claim(window_end=NOW - timedelta(days=2))
    claim.status = "overdue"
    session.flush()
    extend_window(session, factory.reviewer, NOW, claim.id, "slipped", expected_within="P2W")
    assert claim.status == "pending"
    assert claim.extensions == 1
    # counted from today (UTC): 2026-11-20 + 14 days, read as a bare date
    assert claim.window_end == datetime(2026, 12, 5, tzinfo=UTC)


def test_extend_refuses_a_past_or_earlier_window(factory, session):
    claim = factory.claim()
    with pytest.raises(ValidationError):
        extend_window(session, factory.reviewer, NOW, claim.id, "x", window_end=NOW)
    with pytest.raises(ValidationError):
        extend_window(
            session, factory.reviewer, NOW, claim.id, "x", window_end=NOW + timedelta(days=1)
        )
    assert claim.extensions == 0


def test_extend_refuses_a_resolved_claim(factory, session):
    claim = factory.claim()
    resolve_claim(session, factory.reviewer, NOW, claim.id, "void", "")
    with pytest.raises(StateConflict):
        extend_window(session, factory.reviewer, NOW, claim.id, "x", expected_within="P1W")


def test_edit_needs_the_current_version_and_records_old_and_new(factory, session):
    claim = factory.claim(subject="Old")
    with pytest.raises(VersionConflict):
        edit_claim(session, factory.reviewer, NOW, claim.id, 7, {"subject": "New"})
    edit_claim(session, factory.reviewer, NOW, claim.id, 1, {"subject": "New"})
    assert claim.subject == "New" and claim.version == 2
    event = session.scalars(select(ClaimEvent).where(ClaimEvent.kind == "edited")).one()
    assert event.data == {"changes": {"subject": ["Old", "New"]}}


def test_edit_refuses_status_and_unknown_fields(factory, session):
    claim = factory.claim()
    with pytest.raises(ValidationError) as err:
        edit_claim(session, factory.reviewer, NOW, claim.id, 1, {"status": "void", "colour": 1})
    assert set(err.value.errors) == {"status", "colour"}


def test_an_edit_that_changes_nothing_writes_nothing(factory, session):
    claim = factory.claim(subject="Same")
    edit_claim(session, factory.reviewer, NOW, claim.id, 1, {"subject": "Same"})
    assert claim.version == 1
    assert events_of(session, claim) == ["created"]


def test_withdrawn_evidence_stays_but_no_longer_supports_a_resolution(factory, session):
    claim = factory.claim()
    item = factory.evidence(claim)
    withdraw_evidence(session, factory.reviewer, NOW, claim.id, item.id, "wrong article")
    assert item.withdrawn and item.withdrawn_reason == "wrong article"
    assert claim.evidence == [item]
    with pytest.raises(StateConflict):
        resolve_claim(session, factory.reviewer, NOW, claim.id, "confirmed", "")


def test_the_last_evidence_of_a_confirmed_claim_cannot_be_withdrawn(factory, session):
    claim = factory.claim()
    item = factory.evidence(claim)
    resolve_claim(session, factory.reviewer, NOW, claim.id, "confirmed", "")
    with pytest.raises(StateConflict):
        withdraw_evidence(session, factory.reviewer, NOW, claim.id, item.id, "oops")


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,hi", "ftp://x.example/", "https://"]
)
def test_evidence_urls_must_be_http_with_a_host(factory, url):
    claim = factory.claim()
    with pytest.raises(ValidationError) as err:
        factory.evidence(claim, url=url)
    assert "url" in err.value.errors


def test_assign_to_a_reviewer_by_email_and_refuse_a_viewer(factory, session):
    claim = factory.claim()
    other = factory.user(role="reviewer")
    viewer = factory.user(role="viewer")
    assign_claim(session, factory.reviewer, NOW, claim.id, other.email.upper())
    assert claim.assignee_id == other.id
    with pytest.raises(ValidationError):
        assign_claim(session, factory.reviewer, NOW, claim.id, viewer.id)
    with pytest.raises(StateConflict):
        assign_claim(session, factory.reviewer, NOW, claim.id, other.id)
    with pytest.raises(ValidationError):
        assign_claim(session, factory.reviewer, NOW, claim.id, "nobody@newsroom.example")


def test_comments_need_a_body(factory, session):
    claim = factory.claim()
    with pytest.raises(ValidationError):
        comment_on_claim(session, factory.reviewer, NOW, claim.id, "   ")
    comment_on_claim(session, factory.reviewer, NOW, claim.id, "Asked the press office.")
    assert events_of(session, claim) == ["created", "commented"]


def test_status_counters_follow_every_change(factory, session):
    def counts():
        return status_counts(session.connection())

    def claims_per_status():
        rows = session.execute(select(Claim.status, func.count()).group_by(Claim.status))
        return {**dict.fromkeys(counts(), 0), **dict(rows.all())}

    before = counts()
    claim = factory.claim()
    assert counts()["pending"] == before["pending"] + 1
    resolve_claim(session, factory.reviewer, NOW, claim.id, "void", "")
    after = counts()
    assert after["void"] == before["void"] + 1
    assert after["pending"] == before["pending"]
    comment_on_claim(session, factory.reviewer, NOW, claim.id, "An edit that moves no status")
    assert counts() == after == claims_per_status()


def test_an_update_that_keeps_the_status_touches_no_counter(factory, session):
    """Writers to different claims must not queue for one counter row: only a change of
    status moves a count."""
    claim = factory.claim()
    shard_rows = select(ClaimStatusCount.status, ClaimStatusCount.shard, ClaimStatusCount.count)
    if session.get_bind().dialect.name == "postgresql":
        # The row version: it changes when a row is written, even to the same value.
        shard_rows = shard_rows.add_columns(literal_column("xmin::text"))
    session.flush()
    before = session.execute(shard_rows).all()
    edit_claim(session, factory.reviewer, NOW, claim.id, claim.version, {"subject": "Changed"})
    session.flush()
    assert session.execute(shard_rows).all() == before


def test_assigning_to_an_id_beyond_any_user_is_refused(session, factory):
    claim = factory.claim()
    with pytest.raises(ValidationError):
        assign_claim(session, factory.reviewer, NOW, claim.id, "9" * 30)
    with pytest.raises(ValidationError):
        assign_claim(session, factory.reviewer, NOW, claim.id, 2**40)


@pytest.mark.parametrize("reference", ["²", "editor\x00@newsroom.example"])
def test_an_assignee_reference_that_can_name_nobody_is_refused(session, factory, reference):
    # Found by scripts/fuzz: a non-ASCII digit passed isdigit() and broke int(); a NUL byte
    # reached PostgreSQL, which refuses it in a query. Both were 500s.
    claim = factory.claim()
    with pytest.raises(ValidationError):
        assign_claim(session, factory.reviewer, NOW, claim.id, reference)


def test_a_source_name_whose_folded_key_is_too_long_is_invalid(factory, session):
    values = {"statement": "Folded", "expected_within": "P1W", "source": "ß" * 150}
    with pytest.raises(ValidationError) as refused:
        create_claim(session, factory.reviewer, NOW, values)
    assert "source" in refused.value.errors
    assert create_claim(session, factory.reviewer, NOW, {**values, "source": "ß" * 100})

"""Property-based: random sequences of lifecycle actions never break the claim's invariants.

After every action: the status is one of the spec's; a resolved claim has a resolution and an
open one has none; an accepted action raised the version and wrote exactly one event; a refused
one (a DomainError) wrote no event and changed nothing at all, as read back from the database.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.claims import (
    DomainError,
    add_evidence,
    assign_claim,
    comment_on_claim,
    edit_claim,
    extend_window,
    reopen_claim,
    resolve_claim,
    withdraw_evidence,
)
from app.claims.overdue import flag_overdue_batch
from app.models import Claim, ClaimEvent, ClaimStatus, Evidence
from tests.conftest import NOW

OUTCOMES = [s.value for s in ClaimStatus] + ["maybe"]

actions = st.one_of(
    st.tuples(st.just("edit"), st.booleans(), st.text(max_size=8)),
    st.tuples(st.just("evidence"), st.sampled_from(["https", "javascript", "data"])),
    st.tuples(st.just("withdraw"), st.integers(0, 3), st.sampled_from(["wrong link", ""])),
    st.tuples(st.just("comment"), st.sampled_from(["checked with the press office", "  "])),
    st.tuples(st.just("assign"), st.sampled_from(["other", "viewer", None])),
    st.tuples(st.just("extend"), st.integers(-5, 40), st.sampled_from(["slipped", ""])),
    st.tuples(st.just("resolve"), st.sampled_from(OUTCOMES), st.integers(-48, 1)),
    st.tuples(st.just("reopen"), st.sampled_from(["new facts", ""])),
    st.tuples(st.just("time"), st.integers(1, 30 * 24)),
)


def snapshot(session, claim_id: int) -> dict[str, Any]:
    """Everything about the claim, read back from the database."""
    session.expire_all()
    claim = session.get(Claim, claim_id)
    columns = {c.key: getattr(claim, c.key) for c in Claim.__mapper__.column_attrs}
    evidence = session.execute(
        select(Evidence.id, Evidence.withdrawn_at).where(Evidence.claim_id == claim_id)
    ).all()
    events = session.scalar(select(func.count()).where(ClaimEvent.claim_id == claim_id))
    return {"claim": columns, "tags": list(claim.tags), "evidence": evidence, "events": events}


def perform(session, people, claim: Claim, action: tuple, now) -> bool:
    """Run one action; True when it changed the claim, False when the sweep had nothing to do."""
    reviewer = people["reviewer"]
    kind = action[0]
    if kind == "edit":
        _, stale, text = action
        version = claim.version - 1 if stale else claim.version
        changes = {"subject": f"subject {claim.version} {text}".strip()}
        edit_claim(session, reviewer, now, claim.id, version, changes)
    elif kind == "evidence":
        url = {"https": "https://news.example/a", "javascript": "javascript:alert(1)"}.get(
            action[1], "data:text/html,x"
        )
        add_evidence(session, reviewer, now, claim.id, {"url": url, "stance": "supports"})
    elif kind == "withdraw":
        items = sorted(e.id for e in claim.evidence)
        target = items[action[1] % len(items)] if items else 999_999
        withdraw_evidence(session, reviewer, now, claim.id, target, action[2])
    elif kind == "comment":
        comment_on_claim(session, reviewer, now, claim.id, action[1])
    elif kind == "assign":
        assignee = people[action[1]].id if action[1] else None
        assign_claim(session, reviewer, now, claim.id, assignee)
    elif kind == "extend":
        new_end = now + timedelta(days=action[1])
        extend_window(session, reviewer, now, claim.id, action[2], window_end=new_end)
    elif kind == "resolve":
        known = now + timedelta(hours=action[2])
        resolve_claim(session, reviewer, now, claim.id, action[1], "settled", known)
    elif kind == "reopen":
        reopen_claim(session, reviewer, now, claim.id, action[1])
    elif kind == "sweep":
        # Other examples' claims share the database: judge by this claim alone.
        was_pending = claim.status == ClaimStatus.PENDING
        flag_overdue_batch(session, now)
        session.refresh(claim)
        return was_pending and claim.status == ClaimStatus.OVERDUE
    return True


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(actions, min_size=1, max_size=15))
def test_random_action_sequences_keep_the_invariants(factory, session, steps):
    people = {
        "reviewer": factory.reviewer,
        "other": factory.user(role="reviewer"),
        "viewer": factory.user(role="viewer"),
    }
    now = NOW
    claim = factory.claim(window_end=NOW + timedelta(days=3))
    for action in steps:
        if action[0] == "time":
            now += timedelta(hours=action[1])
            action = ("sweep",)
        before = snapshot(session, claim.id)
        claim = session.get(Claim, claim.id)
        try:
            changed = perform(session, people, claim, action, now)
        except DomainError as refusal:
            event(f"{action[0]} refused: {type(refusal).__name__}")
            session.flush()
            assert snapshot(session, claim.id) == before, f"refused {action} changed the claim"
            continue
        event(f"{action[0]} accepted" if changed else f"{action[0]}: nothing due")
        after = snapshot(session, claim.id)
        status = ClaimStatus(after["claim"]["status"])
        if changed:
            assert after["claim"]["version"] > before["claim"]["version"], action
            assert after["events"] == before["events"] + 1, action
        else:
            assert after == before, action
        resolved = status.is_resolution
        fields = ("resolved_at", "known_at", "resolved_by_id")
        assert all((after["claim"][f] is not None) == resolved for f in fields), action
        if resolved and status.needs_evidence:
            assert any(withdrawn is None for _, withdrawn in after["evidence"])

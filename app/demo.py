"""Demo data: the DeepSeek V4 claim from the seed article and a few claims in other states.

Everything but the DeepSeek claim is about made-up companies, so the demo never puts words in a
real organisation's mouth.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.users import create_user
from app.claims import (
    add_evidence,
    assign_claim,
    create_claim,
    extend_window,
    resolve_claim,
)
from app.claims.policy import policy_of
from app.models import Claim, Role, User
from app.watches import add_watch
from app.watches.entry import FeedEntry, entry_key
from app.watches.leads import record_leads
from app.watches.polling import next_poll

DEMO_EMAIL = "demo@claimwatch.example"
DEMO_PASSWORD = "claimwatch-demo"  # noqa: S105 (printed by scripts/run on purpose)
DEEPSEEK_STATEMENT = "DeepSeek V4 will be trained and served entirely on Huawei Ascend chips"
WIRE_FEED = "https://techwire.example/feed.xml"
WIRE_ENTRIES = (
    (
        "https://techwire.example/2026/deepseek-v4-hardware-unconfirmed",
        "DeepSeek V4: hardware still unconfirmed",
        "Reports that DeepSeek V4 runs entirely on Huawei Ascend chips are repeated across the "
        "industry; the company has not commented.",
    ),
    (
        "https://techwire.example/2026/huawei-ascend-roadmap",
        "Huawei Ascend roadmap: what the next chips promise",
        "An overview of the Ascend line and the data centres it is said to power.",
    ),
)


def watch_the_wire(session: Session, reviewer: User, now: datetime) -> None:
    """A watched feed (a made-up trade outlet) and two of its entries as leads, as if it had
    just been polled, so the demo shows leads without a network. The scheduler then polls the
    feed for real, cannot resolve its name, and the watches page says so."""
    watch = add_watch(session, reviewer, now, WIRE_FEED, "Example Tech Wire")
    watch.last_fetched_at = watch.last_success_at = now
    watch.next_poll_at = next_poll(now, policy_of(session).watch_interval)
    entries = [
        FeedEntry(entry_key(url, url, title), url, title, summary, now - timedelta(hours=n + 2))
        for n, (url, title, summary) in enumerate(WIRE_ENTRIES)
    ]
    record_leads(session, watch.id, watch.name, entries, now)


def load_demo(session: Session, now: datetime) -> bool:
    """Load the demo once; returns False (and changes nothing) when it is already there."""
    if session.scalar(select(Claim.id).where(Claim.statement == DEEPSEEK_STATEMENT)):
        return False
    reviewer = session.scalars(select(User).where(User.email == DEMO_EMAIL)).one_or_none()
    if reviewer is None:
        reviewer = create_user(
            session,
            now,
            DEMO_EMAIL,
            Role.ADMIN.value,
            name="Demo Reviewer",
            password=DEMO_PASSWORD,
        )
    today = now.date()

    deepseek = create_claim(
        session,
        reviewer,
        now,
        {
            "statement": DEEPSEEK_STATEMENT,
            "subject": "DeepSeek V4",
            "details": (
                "Reported by The Decoder citing internal sources and relayed by the D.O.T.S AI "
                "Newsroom. DeepSeek has not confirmed the hardware configuration for V4. "
                "A V4 announcement is expected in the coming weeks."
            ),
            "tags": ["ai", "chips", "export-controls"],
            "watch_terms": ["Huawei Ascend"],
            "claimant": "DeepSeek, per unnamed internal sources",
            "source": "The Decoder",
            "source_url": "https://the-decoder.com/",
            "claimed_on": today - timedelta(days=6),
            "expected_within": "P3W",
        },
    ).claim
    add_evidence(
        session,
        reviewer,
        now,
        deepseek.id,
        {
            "url": "https://the-decoder.com/",
            "title": "DeepSeek V4 to run entirely on Huawei Ascend chips, sources say",
            "publisher": "The Decoder",
            "published_on": today - timedelta(days=6),
            "stance": "supports",
            "note": "Cites internal sources; the company has not confirmed.",
        },
    )
    assign_claim(session, reviewer, now, deepseek.id, reviewer.id)
    watch_the_wire(session, reviewer, now)

    past = now - timedelta(days=40)
    overdue = create_claim(
        session,
        reviewer,
        past,
        {
            "statement": "Northwind Motors will announce a solid-state battery partnership",
            "subject": "Northwind Motors",
            "tags": ["batteries", "demo"],
            "claimant": "Northwind Motors, per a supplier",
            "source": "Example Business Daily",
            "claimed_on": past.date(),
            "expected_within": "P2W",
        },
    ).claim
    confirmed = create_claim(
        session,
        reviewer,
        past,
        {
            "statement": "Contoso Cloud will open a data centre region in Lisbon",
            "subject": "Contoso Cloud",
            "tags": ["cloud", "demo"],
            "claimant": "Contoso Cloud executives, per internal sources",
            "source": "The Decoder",
            "claimed_on": past.date(),
            "expected_within": "P3W",
        },
    ).claim
    add_evidence(
        session,
        reviewer,
        past + timedelta(days=12),
        confirmed.id,
        {
            "url": "https://example.com/contoso-lisbon-region",
            "title": "Contoso Cloud announces Lisbon region",
            "publisher": "Contoso Cloud newsroom",
            "stance": "supports",
        },
    )
    resolve_claim(
        session,
        reviewer,
        past + timedelta(days=14),
        confirmed.id,
        "confirmed",
        "Announced in the company's newsroom.",
        known_at=past + timedelta(days=12),
    )
    refuted = create_claim(
        session,
        reviewer,
        past,
        {
            "statement": "Fabrikam will ship its foldable phone before the holidays",
            "subject": "Fabrikam Fold",
            "tags": ["phones", "demo"],
            "claimant": "Fabrikam, per supply-chain analysts",
            "source": "Example Business Daily",
            "claimed_on": past.date(),
            "window_end": (past + timedelta(days=20)).date(),
        },
    ).claim
    add_evidence(
        session,
        reviewer,
        past + timedelta(days=9),
        refuted.id,
        {
            "url": "https://example.com/fabrikam-delays-foldable",
            "title": "Fabrikam delays foldable to next year",
            "stance": "refutes",
        },
    )
    resolve_claim(
        session,
        reviewer,
        past + timedelta(days=10),
        refuted.id,
        "refuted",
        "Delayed officially.",
    )
    extended = create_claim(
        session,
        reviewer,
        past,
        {
            "statement": "Litware will publish the weights of its next language model",
            "subject": "Litware LM",
            "tags": ["ai", "open-weights", "demo"],
            "claimant": "Litware researchers on social media",
            "source": "Example Tech Wire",
            "claimed_on": past.date(),
            "expected_within": "P10D",
        },
    ).claim
    extend_window(
        session,
        reviewer,
        past + timedelta(days=8),
        extended.id,
        "The team said the release slipped by a month.",
        expected_within="P6W",
    )
    session.flush()
    # The overdue one is left pending with a passed window: the next sweep flags it.
    assert overdue.window_end < now
    return True

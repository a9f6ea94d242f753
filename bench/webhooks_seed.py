"""Events for the webhook benchmark, written through the domain (so they are real events).

Claims with a source, tags and an evidence item, each with a few comments: five events per
claim. Seeded once; a database that already holds the events is left as it is.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.users import create_user
from app.claims import add_evidence, comment_on_claim, create_claim
from app.db import make_engine
from app.models import ClaimEvent, User

EVENTS_PER_CLAIM = 5


def seed(url: str, events: int, now: datetime) -> float | None:
    """Seconds spent, or None when the database already holds `events` events."""
    engine = make_engine(url)
    started = time.perf_counter()
    with Session(engine) as session:
        have = session.scalar(select(func.count()).select_from(ClaimEvent)) or 0
        if have >= events:
            engine.dispose()
            return None
        admin = session.scalars(select(User).where(User.role == "admin")).first()
        if admin is None:
            admin = create_user(session, now, "bench-admin@bench.example", "admin", "Bench")
        for n in range((events - have + EVENTS_PER_CLAIM - 1) // EVENTS_PER_CLAIM):
            claim = create_claim(
                session,
                admin,
                now,
                {
                    "statement": f"Example Corp {n} will train its next model on domestic chips",
                    "subject": f"Example model {n % 300}",
                    "source": f"Outlet {n % 40}",
                    "tags": ["ai", "chips"],
                    "claimant": "per unnamed insiders",
                    "window_end": now + timedelta(days=30 + n % 300),
                },
            ).claim
            add_evidence(
                session,
                admin,
                now,
                claim.id,
                {"url": f"https://news.example/{n}", "title": "A report"},
            )
            for k in range(EVENTS_PER_CLAIM - 2):
                comment_on_claim(session, admin, now, claim.id, f"Note {k} on claim {n}.")
            if n % 500 == 499:
                session.commit()
        session.commit()
    engine.dispose()
    return time.perf_counter() - started

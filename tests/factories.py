"""Factories that build valid users, claims and evidence through the domain functions."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.accounts.users import create_user
from app.claims import add_evidence, create_claim
from app.models import Claim, Evidence, Lead, User, Watch
from app.watches import add_watch
from app.watches.entry import FeedEntry, entry_key
from app.watches.leads import record_leads

_serial = itertools.count(1)


class Factory:
    """`factory.user()`, `factory.claim(...)`, `factory.evidence(claim)` with sensible defaults."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self._reviewer: User | None = None
        self._watch: Watch | None = None

    @property
    def reviewer(self) -> User:
        if self._reviewer is None:
            self._reviewer = self.user(role="reviewer")
        return self._reviewer

    def user(self, role: str = "reviewer", password: str | None = None, **kw: Any) -> User:
        n = next(_serial)
        kw.setdefault("email", f"person{n}@newsroom.example")
        kw.setdefault("name", f"Person {n}")
        return create_user(self.session, self.now, role=role, password=password, **kw)

    def claim(self, actor: User | None = None, now: datetime | None = None, **values: Any) -> Claim:
        values.setdefault("statement", f"Example Corp will announce product {next(_serial)}")
        if "expected_within" not in values:
            values.setdefault("window_end", (now or self.now) + timedelta(days=21))
        return create_claim(self.session, actor or self.reviewer, now or self.now, values).claim

    def evidence(self, claim: Claim, actor: User | None = None, **values: Any) -> Evidence:
        values.setdefault("url", f"https://news.example/{next(_serial)}")
        values.setdefault("stance", "supports")
        event = add_evidence(self.session, actor or self.reviewer, self.now, claim.id, values)
        item = self.session.get(Evidence, event.data["evidence_id"])
        assert item is not None
        return item

    def watch(self, url: str | None = None, name: str = "", actor: User | None = None) -> Watch:
        n = next(_serial)
        return add_watch(
            self.session,
            actor or self.reviewer,
            self.now,
            url or f"https://feeds{n}.example/rss",
            name,
        )

    def lead(
        self, claim: Claim, title: str | None = None, now: datetime | None = None, **values: Any
    ) -> Lead:
        """A lead on `claim`, as if a poll had found it: an entry whose title holds the claim's
        subject (`title` must hold one of its terms)."""
        if self._watch is None:
            self._watch = self.watch(name="Newsroom")
        watch = values.pop("watch", self._watch)
        n = next(_serial)
        url = values.pop("url", f"https://newsroom.example/story-{n}")
        title = title or f"{claim.subject} news, part {n}"
        entry = FeedEntry(
            entry_key(f"urn:{n}", url, title),
            url,
            title,
            values.pop("summary", ""),
            values.pop("published_at", self.now),
        )
        found = record_leads(self.session, watch.id, watch.name, [entry], now or self.now)
        [mine] = [lead for lead in found if lead.claim_id == claim.id]
        lead = self.session.get(Lead, mine.lead_id)
        assert lead is not None
        return lead

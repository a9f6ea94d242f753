"""New entries of a watched feed becoming leads: matched in one statement per batch, each
lead inserted once per (claim, link) however many pollers run, one `lead_found` event for
each lead actually inserted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from app.claims.events import event_values
from app.claims.percolate import TermMatch, match_terms
from app.claims.terms import term_text, words_of
from app.db import UTCDateTime, insert_ignoring_conflicts
from app.models import Claim, ClaimEvent, EventKind, Lead, LeadStatus
from app.watches.entry import MAX_KEPT_SUMMARY, FeedEntry, url_key

# Entries matched per statement (each brings its distinct words along).
BATCH = 1_000
_LEADS = Lead.__table__
_CLAIMS = Claim.__table__
_BUMP = (
    update(_CLAIMS)
    .where(_CLAIMS.c.id == bindparam("claim_id"))
    .values(
        version=_CLAIMS.c.version + bindparam("events"),
        updated_at=bindparam("now", type_=UTCDateTime()),
    )
)


class FoundLead(NamedTuple):
    """A lead just written, with the event that records it."""

    lead_id: int
    claim_id: int
    url: str
    title: str
    term: str


def record_leads(
    session: Session, watch_id: int, watch_name: str, entries: Sequence[FeedEntry], now: datetime
) -> list[FoundLead]:
    """Match `entries` (new to this watch) against every open claim and write a lead and a
    `lead_found` event for each (claim, link) not seen before; returns the leads written.
    Entries without an http(s) link cannot become evidence and are not matched."""
    linked = [entry for entry in entries if entry.url]
    found: list[FoundLead] = []
    for start in range(0, len(linked), BATCH):
        batch = linked[start : start + BATCH]
        texts = [words_of(entry.text) for entry in batch]
        matches = match_terms(session.connection(), texts, open_only=True)
        if matches:
            found += _write(session, watch_id, watch_name, batch, matches, now)
    return found


def _write(
    session: Session,
    watch_id: int,
    watch_name: str,
    batch: Sequence[FeedEntry],
    matches: Sequence[TermMatch],
    now: datetime,
) -> list[FoundLead]:
    terms = _terms_of(session, {match.claim_id for match in matches})
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for match in matches:
        entry = batch[match.text_no]
        term = term_text(*terms[match.claim_id], match.term_no)
        words = words_of(term)
        key = (match.claim_id, url_key(entry.url))
        if key in rows and len(rows[key]["matched_words"]) >= len(words):
            continue  # one lead per claim and link: the term with most words tells most
        rows[key] = {
            "claim_id": match.claim_id,
            "watch_id": watch_id,
            "url": entry.url,
            "url_key": key[1],
            "title": entry.title,
            "summary": entry.summary[:MAX_KEPT_SUMMARY],
            "published_at": entry.published_at,
            "matched_term": term[:200],
            "matched_words": words,
            "status": LeadStatus.NEW.value,
            "found_at": now,
        }
    dialect = session.get_bind().dialect.name
    inserted = session.execute(
        insert_ignoring_conflicts(_LEADS, dialect, "claim_id", "url_key")
        .values(list(rows.values()))
        .returning(_LEADS.c.id, _LEADS.c.claim_id, _LEADS.c.url, _LEADS.c.title)
    ).all()
    if not inserted:
        return []
    found = [
        FoundLead(lead_id, claim_id, url, title, rows[(claim_id, url_key(url))]["matched_term"])
        for lead_id, claim_id, url, title in sorted(inserted)
    ]
    session.execute(
        insert(ClaimEvent),
        [
            {
                "claim_id": lead.claim_id,
                **event_values(
                    EventKind.LEAD_FOUND,
                    None,
                    now,
                    {
                        "lead_id": lead.lead_id,
                        "url": lead.url,
                        "title": lead.title,
                        "term": lead.term,
                        "watch_id": watch_id,
                        "watch": watch_name,
                    },
                ),
            }
            for lead in found
        ],
    )
    # Each event is a change of its claim. Claims in id order, so that two pollers touching
    # the same claims lock them in the same order.
    events = Counter(lead.claim_id for lead in found)
    session.execute(
        _BUMP,
        [{"claim_id": cid, "events": n, "now": now} for cid, n in sorted(events.items())],
    )
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Claim) and obj.id in events:
            session.expire(obj)
    return found


def _terms_of(session: Session, claim_ids: set[int]) -> dict[int, tuple[str, list[str]]]:
    """Subject and watch terms of the matched claims (a match names a term by its number)."""
    rows = session.execute(
        select(Claim.id, Claim.subject, Claim.watch_terms).where(Claim.id.in_(claim_ids))
    )
    return {claim_id: (subject, terms) for claim_id, subject, terms in rows}

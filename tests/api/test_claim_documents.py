"""The claim JSON of the API (`app.claims.reads` rows shaped by `app.api.shapes`, written by
`app.wire.dumps`) against a reference built here from the ORM object, on both databases:
timestamps with and without a fraction, people without a name, no source, tags in code point
order, text that JSON must escape (in watch terms too), and a session time zone other than UTC
on PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.api.shapes import claim as claim_json
from app.claims import assign_claim, resolve_claim
from app.claims.reads import ClaimQuery, ClaimRow, claim_page, read_claim
from app.models import Claim, User
from app.wire import dumps
from tests.factories import Factory

LINE = 'Quote " backslash \\ e\u0301 emoji \U0001f50e </script> <b onclick="x">'
TEXT = LINE + "\ttab\nnew line\r\nwindows line"


def rfc3339(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with Z, the fraction only when it is not zero (isoformat's rule)."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def person(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.id, "name": user.name or user.email}


def expected(claim: Claim) -> dict[str, Any]:
    source = claim.source
    return {
        "id": claim.id,
        "statement": claim.statement,
        "subject": claim.subject,
        "details": claim.details,
        "tags": sorted(claim.tags),
        "watch_terms": list(claim.watch_terms),
        "claimant": claim.claimant,
        "source": None
        if source is None
        else {"id": source.id, "name": source.name, "url": source.url},
        "first_seen_url": claim.first_seen_url,
        "claimed_on": claim.claimed_on.isoformat() if claim.claimed_on else None,
        "window_start": rfc3339(claim.window_start),
        "window_end": rfc3339(claim.window_end),
        "status": claim.status,
        "flagged_at": rfc3339(claim.flagged_at),
        "extensions": claim.extensions,
        "assignee": person(claim.assignee),
        "resolution": None
        if claim.resolved_at is None
        else {
            "outcome": claim.status,
            "note": claim.resolution_note or "",
            "known_at": rfc3339(claim.known_at),
            "resolved_at": rfc3339(claim.resolved_at),
            "resolved_by": person(claim.resolved_by),
        },
        "version": claim.version,
        "created_at": rfc3339(claim.created_at),
        "updated_at": rfc3339(claim.updated_at),
    }


def test_documents_match_the_reference(session: Session, factory: Factory) -> None:
    whole = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    fraction = datetime(2026, 11, 20, 9, 0, 7, 120_000, tzinfo=UTC)
    nameless = factory.user(role="reviewer", name="")
    plain = factory.claim(
        now=whole, statement="Plain claim", tags=["zeta", "beta.2", "a+b", "a-b", "alpha"]
    )
    rich = factory.claim(
        now=fraction,
        statement=LINE,
        subject="Sub\u00e9ject",
        details=TEXT,
        claimant=LINE,
        source="Outlet \u00e9",
        source_url="https://outlet.example/",
        first_seen_url="https://outlet.example/a?b=1&c=%22",
        claimed_on="2026-11-19",
        window_start=fraction - timedelta(days=1),
        tags=["ai", "chips"],
        watch_terms=['Quote " backslash \\ \u00e9', "Ascend \U0001f50e 950"],
    )
    assign_claim(session, factory.reviewer, fraction, rich.id, nameless.id)
    resolve_claim(
        session, nameless, fraction + timedelta(seconds=1, microseconds=5), rich.id, "void", ""
    )
    session.flush()
    session.expire_all()

    for claim in (plain, rich):
        reference = expected(session.get(Claim, claim.id))  # type: ignore[arg-type]
        row, evidence = read_claim(session.connection(), claim.id)
        assert (row.id, row.version) == (claim.id, reference["version"])
        assert json.loads(dumps(claim_json(row, evidence))) == {**reference, "evidence": []}

    if session.bind.dialect.name == "postgresql":
        # Instants must not follow the session's time zone.
        session.execute(text("SET LOCAL TIME ZONE 'America/New_York'"))
    page = claim_page(session.connection(), ClaimQuery(limit=50), ClaimRow)
    items = [claim_json(row) for row in page.rows]
    listed = {item["id"]: item for item in json.loads(dumps(items))}
    for claim in (plain, rich):
        assert listed[claim.id] == expected(session.get(Claim, claim.id))  # type: ignore[arg-type]
    assert listed[rich.id]["created_at"] == "2026-11-20T09:00:07.120000Z"
    assert listed[plain.id]["created_at"] == "2026-11-20T09:00:00Z"
    assert listed[plain.id]["tags"] == ["a+b", "a-b", "alpha", "beta.2", "zeta"]

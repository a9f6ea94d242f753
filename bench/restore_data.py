"""The claims of `scripts/bench restore`'s source database, as a JSON Lines export to load.

Varied on purpose, so that a restore has something to get wrong: ids with gaps, 0-3 tags,
1-3 evidence items (some withdrawn, with publisher, date and note), 1-3 comments, assignees,
claims with and without a source, window start or claim date, every status, non-ASCII and
multi-line text, JSON event data with nested values. About a third of the claims are pending
with their window already over, for the real sweep to flag once they are loaded.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

START = datetime(2025, 1, 1, tzinfo=UTC)
# (email, name, role, time zone): created with passwords before the claims are loaded; the
# last one writes nothing, so the export leaves it out.
USERS = [
    ("zoe.admin@newsroom.example", "Zoë Admin", "admin", "Europe/Paris"),
    ("ana.reviewer@newsroom.example", "Ana Reviewer", "reviewer", "UTC"),
    ("kenji.reviewer@newsroom.example", "Kenji 健二", "reviewer", "Asia/Tokyo"),
    ("viewer@newsroom.example", "Only Reading", "viewer", "America/New_York"),
]
WRITERS = [email for email, _, role, _ in USERS if role != "viewer"]
SOURCES = 60
STATUSES = ["pending", "overdue", "confirmed", "refuted", "void", "partly_confirmed", "retracted"]
RESOLVED = {"confirmed", "refuted", "void", "partly_confirmed", "retracted"}
COMMENTS = ["Asked for comment.", "No answer yet —\nchasing «the press office».", "Seen: ✓"]


def stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class Ids:
    """Event and evidence ids, handed out in order as the export numbers them."""

    def __init__(self) -> None:
        self.event = 0
        self.evidence = 0

    def next_event(self) -> int:
        self.event += 1
        return self.event

    def next_evidence(self) -> int:
        self.evidence += 1
        return self.evidence


def claim_record(n: int, ids: Ids, now: datetime) -> dict[str, Any]:
    """Claim number `n` (its id leaves a gap every ninth), with its evidence and events."""
    claim_id = n + n // 9
    author, reviewer = WRITERS[n % 3], WRITERS[(n + 1) % 3]
    created = START + timedelta(minutes=7 * n)
    due = n % 5 == 0  # pending, its window ended just before `now`
    status = "pending" if due else STATUSES[n % len(STATUSES)]
    window_end = now - timedelta(days=1 + n % 30) if due else created + timedelta(days=21)
    events: list[tuple[str, datetime, str | None, dict[str, Any]]] = []
    source = None if n % 11 == 0 else n % SOURCES + 1
    statement = f"Company {n} will ship “model {n}” on its own chips"
    events.append(
        (
            "created",
            created,
            author,
            {"statement": statement, "window_end": stamp(window_end), "tags": ["bench"]},
        )
    )
    evidence = []
    for i in range(1 + n % 3):
        item_id = ids.next_evidence()
        withdrawn = i == 1 and n % 2 == 0
        added = created + timedelta(hours=i)
        evidence.append(
            {
                "id": item_id,
                "url": f"https://news{i}.example/{n}?ref=bench&i={i}",
                "title": f"Report {n}.{i} — «exclusive»",
                "publisher": "" if i == 0 else f"Publisher {n % 17}",
                "published_on": (created.date() - timedelta(days=i)).isoformat() if i else None,
                "stance": ["supports", "refutes", "context"][(n + i) % 3],
                "note": "" if i == 0 else "Paywalled;\nquoted second-hand.",
                "added_by": reviewer,
                "added_at": stamp(added),
                "withdrawn_at": stamp(added + timedelta(hours=5)) if withdrawn else None,
                "withdrawn_by": author if withdrawn else None,
                "withdrawn_reason": "Duplicate of an earlier report" if withdrawn else None,
            }
        )
        events.append(("evidence_added", added, reviewer, {"evidence_id": item_id, "n": [i, 1.5]}))
        if withdrawn:
            events.append(
                ("evidence_withdrawn", added + timedelta(hours=5), author, {"evidence_id": item_id})
            )
    for i in range(1 + n % 3):
        body = COMMENTS[(n + i) % len(COMMENTS)]
        events.append(("commented", created + timedelta(hours=6 + i), reviewer, {"body": body}))
    if n % 2:
        events.append(("assigned", created + timedelta(hours=9), author, {"to": reviewer}))
    if status == "overdue":
        events.append(("flagged_overdue", window_end, None, {"window_end": stamp(window_end)}))
    resolved_at = created + timedelta(days=3, microseconds=n % 1000)
    if status in RESOLVED:
        data = {"outcome": status, "previous_status": "pending", "known": None, "ok": True}
        events.append(("resolved", resolved_at, author, data))
    return {
        "type": "claim",
        "id": claim_id,
        "version": len(events),
        "statement": statement,
        "subject": f"Company {n}" if n % 4 else "",
        "details": f"Details of claim {n}.\nSecond line, with “quotes” and <tags>.",
        "tags": [f"t{n % 10}", "x.y+z", "ai chips"][: n % 4],
        "claimant": f"Company {n}, per two insiders",
        "source": (
            {"id": source, "name": f"Outlet {source}", "url": _source_url(source)}
            if source
            else None
        ),
        "first_seen_url": f"https://first.example/{n}" if n % 3 else None,
        "claimed_on": created.date().isoformat() if n % 7 else None,
        "window_start": stamp(created + timedelta(days=2)) if n % 3 == 0 else None,
        "window_end": stamp(window_end),
        "status": status,
        "flagged_at": stamp(window_end) if status == "overdue" else None,
        "extensions": n % 2,
        "assignee": reviewer if n % 2 else None,
        "resolution_note": "Settled:\nthe company confirmed." if status in RESOLVED else None,
        "known_at": stamp(resolved_at - timedelta(days=1)) if status in RESOLVED else None,
        "resolved_at": stamp(resolved_at) if status in RESOLVED else None,
        "resolved_by": author if status in RESOLVED else None,
        "created_at": stamp(created),
        "created_by": author,
        "updated_at": stamp(max(at for _, at, _, _ in events)),
        "evidence": evidence,
        "events": [
            {"id": ids.next_event(), "kind": kind, "at": stamp(at), "actor": actor, "data": data}
            for kind, at, actor, data in events
        ],
    }


def _source_url(source: int) -> str | None:
    return f"https://outlet{source}.example/" if source % 2 else None


def write_source_file(path: Path, claims: int, now: datetime) -> None:
    """An export-format file of `claims` claims by the users of USERS (all but the viewer)."""
    dumps = lambda record: json.dumps(record, ensure_ascii=False, separators=(",", ":"))  # noqa: E731
    ids = Ids()
    with path.open("w", encoding="utf-8") as out:
        header = {"format": "claimwatch-export", "version": 1, "claims": claims}
        out.write(dumps({"type": "header", **header, "users": 3, "sources": SOURCES}) + "\n")
        for email, name, role, timezone in USERS[:3]:
            user = {"email": email, "name": name, "role": role, "timezone": timezone}
            out.write(dumps({"type": "user", **user}) + "\n")
        for i in range(1, SOURCES + 1):
            source = {"id": i, "name": f"Outlet {i}", "url": _source_url(i)}
            out.write(dumps({"type": "source", **source, "created_at": stamp(START)}) + "\n")
        for n in range(1, claims + 1):
            out.write(dumps(claim_record(n, ids, now)) + "\n")

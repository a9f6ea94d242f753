"""The claim list's query string: filters, sorts, and links that keep them.

A link is not a form: what cannot be read (an unknown status or sort, a stale cursor) is left
out rather than refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import request
from flask_login import current_user

from app.claims.checks import check_id, check_query_text, normalise_tag
from app.claims.closing import SOON_DAYS, ClosingBounds, DeadlineClock
from app.claims.cursor import decode_cursor
from app.claims.errors import FieldErrors, ValidationError
from app.claims.reads import ATTENTION, ClaimQuery, ClaimSummary, groups_of
from app.models import ClaimStatus
from app.present.deadlines import Deadline, deadline
from app.web.templating import link
from app.web.timefmt import desk_policy, request_now, viewer_zone

PAGE_SIZE = 50
STATUSES = {s.value for s in ClaimStatus}
# The orders a reviewer can pick, the desk's own first.
SORT_CHOICES = (
    (ATTENTION, "Most overdue first"),
    ("window_end", "Window closes soonest"),
    ("-created_at", "Newest first"),
)
SORT_NAMES = dict(SORT_CHOICES)
# Query-string keys a status tab or the sort keeps (everything but the status and the cursor).
KEPT = ("q", "tag", "source", "mine", "closing", "sort")


@dataclass(frozen=True)
class ListView:
    """What the page shows about its own query: the query, and the values behind the links."""

    query: ClaimQuery
    sort: str
    closing_days: int | None
    kept: dict[str, str]

    def tab_href(self, status: str | None) -> str:
        """The list of one status (None: all), with the other filters and the sort kept."""
        values = dict(self.kept)
        if status:
            values["status"] = status
        # The list's own path (its link, remembered per app) and the query: eight tabs a page.
        base = link("claims.index")
        return f"{base}?{urlencode(values)}" if values else base

    @property
    def filtered(self) -> bool:
        return bool(self.query.statuses) or any(
            key in self.kept for key in ("q", "tag", "source", "mine", "closing")
        )


def read_list_args() -> ListView:
    """The list's query from the query string."""
    args = request.args
    ignored = FieldErrors()
    sort = args.get("sort", ATTENTION)
    if sort not in SORT_NAMES:
        sort = ATTENTION
    cursor = None
    if args.get("cursor"):
        try:
            cursor = decode_cursor(args["cursor"], sort, groups_of(sort))
        except ValidationError:
            cursor = None
    tag = check_query_text(ignored, "tag", args.get("tag"))
    source = None
    if args.get("source"):
        # A source that cannot exist (a typo, an id past 32 bits) lists nothing.
        source = check_id(ignored, "source", args["source"]) or 0
    closing_days = None
    raw_days = args.get("closing", "")
    if raw_days.isascii() and raw_days.isdigit() and 0 < int(raw_days) <= 366:
        closing_days = int(raw_days)
    elif raw_days:
        closing_days = SOON_DAYS
    closing = (
        ClosingBounds.at(request_now(), desk_policy(), viewer_zone(), closing_days)
        if closing_days
        else None
    )
    query = ClaimQuery(
        statuses=tuple(sorted(set(args.getlist("status")) & STATUSES)),
        tag=normalise_tag(tag) if tag else None,
        source=source,
        assignee=current_user.id if args.get("mine") else None,
        q=check_query_text(ignored, "q", args.get("q")),
        closing=closing,
        sort=sort,
        limit=PAGE_SIZE,
        cursor=cursor,
    )
    kept = {key: args[key] for key in KEPT if args.get(key)}
    if sort == ATTENTION:
        kept.pop("sort", None)
    if closing_days:
        kept["closing"] = str(closing_days)
    return ListView(query, sort, closing_days, kept)


def list_lines(rows: list[ClaimSummary]) -> list[tuple[ClaimSummary, Deadline]]:
    """Each line of a list with its deadline as this viewer reads it now (the clock, the zone
    and the desk's policy looked up once for the page)."""
    now, zone, policy = request_now(), viewer_zone(), desk_policy()
    clock = DeadlineClock.at(now, zone)
    return [(row, deadline(row.window_end, now, zone, row.status, policy, clock)) for row in rows]

"""The rows of the claim list as HTML, built in Python.

Why not in the template: 50 rows of a dozen expressions each were two thirds of the list
page's rendering time (Jinja's per-expression lookups and escaping; docs/benchmarks.md). Every
value from the database goes through `escape`, exactly as autoescaping would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from jinja2.filters import do_urlencode
from markupsafe import Markup, escape

from app.claims.listing import ListedClaim
from app.web.templating import status_label
from app.web.timefmt import days_since, iso_utc, localtime


@dataclass(frozen=True)
class Row:
    """One line of the list, formatted here: a 50-row page is the app's busiest template."""

    claim: ListedClaim
    status_label: str
    overdue_days: int | None
    window_closed: bool
    window_text: str
    window_iso: str


def rows(claims: list[ListedClaim], now: datetime) -> list[Row]:
    return [
        Row(
            claim,
            status_label(claim.status),
            days_since(now, claim.window_end) if claim.status == "overdue" else None,
            claim.window_end <= now,
            localtime(claim.window_end),
            iso_utc(claim.window_end),
        )
        for claim in claims
    ]


def row_html(row: Row, claim_href: str, tag_href: str) -> str:
    """One `<li>` of the list; `claim_href` and `tag_href` are our own URL prefixes."""
    claim = row.claim
    status = escape(claim.status)
    meta = [f'<span class="badge badge-{status}">{escape(row.status_label)}</span>']
    if row.overdue_days is not None:
        meta.append(f'<strong class="overdue-days">{row.overdue_days} days overdue</strong>')
    if claim.subject:
        meta.append(f"<span>{escape(claim.subject)}</span>")
    if claim.source_name:
        meta.append(f"<span>via {escape(claim.source_name)}</span>")
    meta.extend(
        f'<a class="tag" href="{escape(tag_href)}{escape(do_urlencode(tag))}">{escape(tag)}</a>'
        for tag in claim.tags
    )
    assignee = (
        f'<span class="muted">→ {escape(claim.assignee_label)}</span>'
        if claim.assignee_label
        else ""
    )
    return (
        f'<li class="claim-row status-{status}">\n'
        f'    <div class="claim-main">\n'
        f'      <a class="statement" href="{escape(claim_href)}{claim.id}">'
        f"{escape(claim.statement)}</a>\n"
        f'      <div class="meta">{" ".join(meta)}</div>\n'
        f"    </div>\n"
        f'    <div class="claim-side">\n'
        f'      <span class="muted">Window {"closed" if row.window_closed else "closes"}</span>\n'
        f'      <time datetime="{escape(row.window_iso)}">{escape(row.window_text)}</time>\n'
        f"      {assignee}\n"
        f"    </div>\n"
        f"  </li>"
    )


def rows_html(items: list[Row], claim_href: str, tag_href: str) -> Markup:
    """Every row, as markup the template inserts as it is."""
    return Markup("\n  ".join(row_html(row, claim_href, tag_href) for row in items))  # noqa: S704

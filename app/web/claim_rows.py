"""The rows of the claim list as HTML, built in Python.

Why not in the template: 50 rows of a dozen expressions each were two thirds of the list
page's rendering time (Jinja's per-expression lookups and escaping; docs/benchmarks.md). Every
value from the database goes through `escape`, exactly as autoescaping would; the markup that
depends only on the status is built once.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from jinja2.filters import do_urlencode
from markupsafe import Markup, escape

from app.claims.listing import ListedClaim
from app.web.templating import STATUS_LABELS
from app.web.timefmt import days_since, iso_utc, localtime


def _status_markup(status: str, label: str) -> tuple[str, str]:
    status, label = escape(status), escape(label)
    return (
        f'<li class="claim-row status-{status}">\n    <div class="claim-main">\n',
        f'<span class="badge badge-{status}">{label}</span>',
    )


# Per status: the row's opening tags and its badge.
STATUS_MARKUP = {status: _status_markup(status, label) for status, label in STATUS_LABELS.items()}


# Joins a row's texts for one `escape` call (escaping works character by character, so the
# parts come back exactly as escaped one by one). PostgreSQL text cannot hold a NUL, and the
# checks on input refuse control characters; should one ever be there, each text is escaped
# on its own.
SEPARATOR = "\x00"


def _escaped(*texts: str) -> list[str]:
    parts = str(escape(SEPARATOR.join(texts))).split(SEPARATOR)
    return parts if len(parts) == len(texts) else [str(escape(text)) for text in texts]


def row_html(
    claim: ListedClaim, now: datetime, zone: tzinfo, claim_href: str, tag_href: str
) -> str:
    """One `<li>` of the list; `claim_href` and `tag_href` are our own URL prefixes, escaped."""
    opening, meta = STATUS_MARKUP.get(claim.status) or _status_markup(claim.status, claim.status)
    statement, subject, source, assignee = _escaped(
        claim.statement, claim.subject or "", claim.source_name or "", claim.assignee_label or ""
    )
    window_end = claim.window_end
    if claim.status == "overdue":
        meta += f' <strong class="overdue-days">{days_since(now, window_end)} days overdue</strong>'
    if subject:
        meta += f" <span>{subject}</span>"
    if source:
        meta += f" <span>via {source}</span>"
    for tag in claim.tags:
        meta += f' <a class="tag" href="{tag_href}{escape(do_urlencode(tag))}">{escape(tag)}</a>'
    if assignee:
        assignee = f'<span class="muted">→ {assignee}</span>'
    # The two times are our own text (digits, month names, the zone's abbreviation from the
    # time zone database): nothing in them a reader typed.
    return (
        f"{opening}"
        f'      <a class="statement" href="{claim_href}{claim.id}">{statement}</a>\n'
        f'      <div class="meta">{meta}</div>\n'
        f"    </div>\n"
        f'    <div class="claim-side">\n'
        f'      <span class="muted">Window {"closed" if window_end <= now else "closes"}</span>\n'
        f'      <time datetime="{iso_utc(window_end)}">{localtime(window_end, zone=zone)}</time>\n'
        f"      {assignee}\n"
        f"    </div>\n"
        f"  </li>"
    )


def rows_html(
    claims: list[ListedClaim], now: datetime, zone: tzinfo, claim_href: str, tag_href: str
) -> Markup:
    """Every row, as markup the template inserts as it is; times shown in `zone`."""
    claim_href, tag_href = escape(claim_href), escape(tag_href)
    html = "\n  ".join([row_html(claim, now, zone, claim_href, tag_href) for claim in claims])
    return Markup(html)  # noqa: S704

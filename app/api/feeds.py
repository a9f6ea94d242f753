"""`/feeds/overdue.atom?key=...`: newly overdue claims as Atom, for feed readers.

Feed readers cannot send headers, so the feed takes a per-user key in the URL. The key opens
this feed only, never the API; only its hash is stored, and regenerating it (settings page)
shows a new one once and revokes the old one.
"""

from __future__ import annotations

import re
from datetime import UTC, tzinfo
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request

from app.accounts.users import feed_key_owner
from app.api.errors import attach_problem_handlers
from app.api.openapi import Reply, operation
from app.claims import NotFound
from app.claims.overdue import NewlyOverdue, newly_overdue
from app.clock import utcnow
from app.present.dates import zone_named
from app.present.deadlines import window_text
from app.unit_of_work import get_session
from app.wire import rfc3339

feeds_bp = Blueprint("feeds", __name__, url_prefix="/feeds")
attach_problem_handlers(feeds_bp)
ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50
# What XML 1.0 cannot hold. Such text is refused on input; this keeps the feed well-formed
# for every subscriber even for text stored before that check existed.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    return NOT_XML.sub("\ufffd", text)


def overdue_feed(
    claims: list[NewlyOverdue], public_url: str, updated: str, zone: tzinfo = UTC
) -> bytes:
    """The Atom document: one entry per flagging, newest first; its text gives the windows as
    the feed's owner reads them (`zone`), its timestamps are RFC 3339."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        element.text = xml_text(text) if text is not None else None
        return element

    add(feed, "id", f"{public_url}/feeds/overdue.atom")
    add(feed, "title", "Claimwatch: newly overdue claims")
    add(feed, "updated", updated)
    add(feed, "link", href=f"{public_url}/claims?status=overdue")
    add(add(feed, "author"), "name", "Claimwatch")
    for claim in claims:
        flagged = rfc3339(claim.flagged_at)
        entry = add(feed, "entry")
        # One id per flagging: a claim that is extended and flagged again is news again.
        add(entry, "id", f"{public_url}/claims/{claim.id}#overdue-{flagged}")
        add(entry, "title", claim.statement)
        add(entry, "updated", flagged)
        add(entry, "link", href=f"{public_url}/claims/{claim.id}")
        source = f" Reported by {claim.source_name}." if claim.source_name else ""
        add(
            entry,
            "summary",
            f"The window closed {window_text(claim.window_end, zone)[1]} with no resolution."
            f"{source}",
        )
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


@operation(
    feeds_bp,
    "GET",
    "/overdue.atom",
    "overdueFeed",
    "Newly overdue claims as an Atom feed (for feed readers; the key is made on the settings page)",
    "feeds",
    {
        200: Reply("The feed", media_type="application/atom+xml", schema={"type": "string"}),
        404: Reply(
            "No feed has this key",
            media_type="application/problem+json",
            schema={"$ref": "#/components/schemas/Problem"},
        ),
    },
    query=[{"name": "key", "in": "query", "required": True, "schema": {"type": "string"}}],
    scope=None,
)
def overdue_feed_view() -> Response:
    session = get_session()
    owner = feed_key_owner(session, request.args.get("key", ""))
    if owner is None:
        raise NotFound("no feed has this key; make one on the settings page")
    now = utcnow()
    claims, _ = newly_overdue(session, until=now, limit=FEED_SIZE)
    updated = rfc3339(claims[0].flagged_at if claims else now)
    zone = zone_named(owner.timezone)
    body = overdue_feed(claims, current_app.config["PUBLIC_URL"], updated, zone)
    return Response(body, mimetype="application/atom+xml")

"""`/feeds/overdue.atom?key=...`: newly overdue claims as Atom, for feed readers.

Feed readers cannot send headers, so the feed takes a per-user key in the URL. The key opens
this feed only, never the API; only its hash is stored, and regenerating it (settings page)
shows a new one once and revokes the old one.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request
from sqlalchemy import select

from app.accounts.users import feed_key_owner
from app.api.errors import attach_problem_handlers
from app.api.openapi import Reply, operation
from app.api.serialize import instant
from app.claims import NotFound
from app.clock import utcnow
from app.db import get_session
from app.models import Claim, ClaimStatus

feeds_bp = Blueprint("feeds", __name__, url_prefix="/feeds")
attach_problem_handlers(feeds_bp)
ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50


def overdue_feed(claims: list[Claim], public_url: str, updated: str) -> bytes:
    """The Atom document: one entry per flagging, newest first."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        element.text = text
        return element

    add(feed, "id", f"{public_url}/feeds/overdue.atom")
    add(feed, "title", "Claimwatch: newly overdue claims")
    add(feed, "updated", updated)
    add(feed, "link", href=f"{public_url}/claims?status=overdue")
    add(add(feed, "author"), "name", "Claimwatch")
    for claim in claims:
        flagged = instant(claim.flagged_at) or updated
        entry = add(feed, "entry")
        # One id per flagging: a claim that is extended and flagged again is news again.
        add(entry, "id", f"{public_url}/claims/{claim.id}#overdue-{flagged}")
        add(entry, "title", claim.statement)
        add(entry, "updated", flagged)
        add(entry, "link", href=f"{public_url}/claims/{claim.id}")
        source = f" Reported by {claim.source.name}." if claim.source else ""
        add(
            entry,
            "summary",
            f"The window ended {instant(claim.window_end)} with no resolution.{source}",
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
    if feed_key_owner(session, request.args.get("key", "")) is None:
        raise NotFound("no feed has this key; make one on the settings page")
    claims = session.scalars(
        select(Claim)
        .where(Claim.status == ClaimStatus.OVERDUE, Claim.flagged_at.is_not(None))
        .order_by(Claim.flagged_at.desc(), Claim.id.desc())
        .limit(FEED_SIZE)
    ).all()
    updated = instant(claims[0].flagged_at) if claims else instant(utcnow())
    body = overdue_feed(list(claims), current_app.config["PUBLIC_URL"], updated or "")
    return Response(body, mimetype="application/atom+xml")

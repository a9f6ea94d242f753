"""The two formats a delivery is sent in: Standard Webhooks JSON, and a Slack message.

Both are signed the Standard Webhooks way, by the `standardwebhooks` package: headers
`webhook-id`, `webhook-timestamp` and `webhook-signature` (`v1,` + base64 of HMAC-SHA256 over
`id.timestamp.body` with the endpoint's secret). A Slack incoming webhook ignores them; any
other receiver of the Slack format can still check them.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from standardwebhooks import Webhook

from app.wire import dumps, loads

# What happened, in words, by event kind; a kind not listed is spelled out from its name.
WHAT = {
    "created": "New claim",
    "edited": "Claim edited",
    "evidence_added": "Evidence added",
    "evidence_withdrawn": "Evidence withdrawn",
    "commented": "New comment",
    "assigned": "Claim assigned",
    "window_extended": "Window extended",
    "flagged_overdue": "Claim overdue",
    "resolved": "Claim resolved",
    "reopened": "Claim reopened",
    "lead_found": "New lead",
    "lead_dismissed": "Lead dismissed",
}


def signed_headers(signer: Webhook, webhook_id: str, at: datetime, body: str) -> dict[str, str]:
    """The three Standard Webhooks headers for `body`, sent at `at`, and its content type."""
    return {
        "content-type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(math.floor(at.timestamp())),
        "webhook-signature": signer.sign(webhook_id, at, body),
    }


def request_body(format_: str, payload: str, public_url: str) -> str:
    """What is POSTed: the stored standard body as it is, or a Slack message made from it."""
    if format_ == "slack":
        return dumps({"text": slack_text(loads(payload), public_url)}).decode("utf-8")
    return payload


def escape(text: str) -> str:
    """Text as Slack's mrkdwn shows it literally (its three control characters escaped)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_text(message: dict[str, Any], public_url: str) -> str:
    """One mrkdwn message: what happened, who did it, and the claim's statement as a link."""
    data = message.get("data", {})
    if "claim" not in data:
        return escape(data.get("text") or "A test from Claimwatch.")
    claim, event = data["claim"], data["event"]
    kind = event["kind"]
    what = WHAT.get(kind, kind.replace("_", " ").capitalize())
    actor = event["actor"]
    who = "" if actor == "system" else f" by {escape(actor['name'] or '')}"
    link = f"<{public_url}/claims/{claim['id']}|{escape(claim['statement'])}>"
    detail = _detail(kind, claim, event.get("data") or {})
    return f"*{what}*{who}: {link}" + (f"\n{escape(detail)}" if detail else "")


def _detail(kind: str, claim: dict[str, Any], data: dict[str, Any]) -> str:
    """One line more for the kinds where the claim alone does not say what changed."""
    if kind == "resolved":
        note = (data.get("note") or "").strip()
        outcome = str(data.get("outcome", claim["status"])).replace("_", " ")
        return f"Outcome: {outcome}" + (f" — {note[:300]}" if note else "")
    if kind == "window_extended":
        return f"New window end: {data.get('new')}. {str(data.get('reason') or '')[:300]}".strip()
    if kind == "flagged_overdue":
        return f"Its window ended {claim['window_end']}."
    if kind == "assigned":
        assignee = claim.get("assignee")
        return f"Now with {assignee['name']}." if assignee else "Now with nobody."
    if kind == "commented":
        return str(data.get("body") or "")[:300]
    if kind == "evidence_added":
        return f"{data.get('stance', '')}: {data.get('title') or data.get('url') or ''}".strip()
    if kind == "reopened":
        return str(data.get("reason") or "")[:300]
    return ""

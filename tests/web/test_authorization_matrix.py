"""Every route and every kind of caller → the expected answer, generated from the URL map.

A route that is not listed in ACCESS fails the test, so a new route cannot ship without
deciding who may use it. Callers: no one, each web role (signed in, with a CSRF token), a
reviewer's read and write tokens, a viewer's write token, an admin's read and write tokens, and
revoked and expired tokens.
Web sessions never open the API and tokens never open the web pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from app.accounts.tokens import create_token, revoke_token
from app.models import User, Watch
from app.webhooks.actions import send_test
from app.webhooks.endpoints import create_endpoint
from app.webhooks.settings import outbound_policy, secret_box
from tests.conftest import NOW
from tests.web.conftest import PASSWORD, Browser

# How each endpoint is guarded. Values: see EXPECTED below.
ACCESS: dict[str, str] = {
    "health.healthz": "public",
    "home.static": "public",
    "home.index": "public",  # what Claimwatch is; signed in, a redirect to the claim list
    "auth.sign_in_view": "public",
    "auth.sign_out": "sign_out",
    "api.getOpenApi": "public",
    "api_docs.docs_view": "public",
    "api_docs.swagger_css": "public",
    "api_docs.swagger_js": "public",
    "api_docs.swagger_init": "public",
    "api_docs.docs_css": "public",
    "feeds.overdueFeed": "feed",
    "claims.index": "web_read",
    "claims.show": "web_read",
    "claims.new": "web_write",
    "claims.edit": "web_write",
    "claim_actions.assign": "web_write",
    "claim_actions.comment": "web_write",
    "claim_actions.evidence": "web_write",
    "claim_actions.withdraw": "web_write",
    "claim_actions.extend": "web_write",
    "claim_actions.reopen": "web_write",
    "claim_actions.resolve": "web_write",
    "dashboard.index": "web_read",
    "sources.index": "web_read",
    "sources.show": "web_read",
    "settings.index": "web_self",
    "settings.preferences": "web_self",
    "settings.password": "web_self",
    "settings.new_token": "web_self",
    "settings.feed_key": "web_self",
    "settings.revoke": "web_own_token",
    "admin.index": "web_admin",
    "admin.create": "web_admin",
    "admin.update": "web_admin",
    "deliveries.index": "web_admin",
    "leads.index": "web_read",
    "leads.accept": "web_write",
    "leads.dismiss": "web_write",
    "watches.index": "web_read",
    "watches.add": "web_write",
    "watches.remove": "web_write",
    "similar.index": "web_read",
    "webhooks.index": "web_admin",
    "webhooks.create": "web_admin",
    "webhooks.show": "web_admin",
    "webhooks.update": "web_admin",
    "webhooks.delete": "web_admin",
    "webhooks.send_test": "web_admin",
    "webhooks.new_secret": "web_admin",
    "webhooks.deliver_again": "web_admin",
    # The signed link is the credential: anyone holding it may see the page and turn the
    # digest off, without a session or CSRF token (RFC 8058 one-click).
    "digests.confirm_unsubscribe": "public",
    "digests.unsubscribe": "public",
    "api.listClaims": "api_read",
    "api.getClaim": "api_read",
    "api.getClaimReview": "api_read",
    "api.listEvents": "api_read",
    "api.listEvidence": "api_read",
    "api.listSources": "api_read",
    "api.getSource": "api_read",
    "api.getStats": "api_read",
    "api.createClaim": "api_write",
    "api.editClaim": "api_write",
    "api.assignClaim": "api_write",
    "api.commentOnClaim": "api_write",
    "api.addEvidence": "api_write",
    "api.withdrawEvidence": "api_write",
    "api.extendClaim": "api_write",
    "api.reopenClaim": "api_write",
    "api.resolveClaim": "api_write",
    "api.listWatches": "api_read",
    "api.createWatch": "api_write",
    "api.deleteWatch": "api_write",
    "api.listLeads": "api_read",
    "api.listClaimLeads": "api_read",
    "api.acceptLead": "api_write",
    "api.dismissLead": "api_write",
    "api.listSimilarClaims": "api_read",
    # Webhooks: an admin's token only; reads with any scope, changes with a write token.
    "api.listWebhooks": "api_admin_read",
    "api.getWebhook": "api_admin_read",
    "api.listWebhookDeliveries": "api_admin_read",
    "api.createWebhook": "api_admin_write",
    "api.editWebhook": "api_admin_write",
    "api.deleteWebhook": "api_admin_write",
    "api.testWebhook": "api_admin_write",
    "api.redeliverWebhookDelivery": "api_admin_write",
}

CALLERS = (
    "anonymous",
    "read_token",
    "write_token",
    "viewer_write_token",
    "admin_read_token",
    "admin_write_token",
    "revoked_token",
    "expired_token",
    "viewer",
    "reviewer",
    "admin",
)
TOKENS = {
    "read_token",
    "write_token",
    "viewer_write_token",
    "admin_read_token",
    "admin_write_token",
    "revoked_token",
    "expired_token",
}
READ_SCOPE = {"read_token", "admin_read_token"}
ADMIN_TOKENS = {"admin_read_token", "admin_write_token"}
SIGNED_IN = {"viewer", "reviewer", "admin"}


def expected(access: str, caller: str) -> str:
    """allowed | sign_in (302 to the sign-in page) | 401 | 403 | 404."""
    if access == "public":
        return "allowed"
    if access == "sign_out":
        return "sign_in"  # signed in or not, you end up on the sign-in page
    if access == "feed":
        return "404"  # without its feed key nobody, signed in or with a token, gets the feed
    if access.startswith("web_"):
        if caller not in SIGNED_IN:
            return "sign_in"
        if access == "web_write" and caller == "viewer":
            return "403"
        if access == "web_admin" and caller != "admin":
            return "403"
        if access == "web_own_token" and caller != "reviewer":
            return "404"  # the token belongs to the reviewer: others cannot even see it
        return "allowed"
    if caller not in TOKENS or caller in {"revoked_token", "expired_token"}:
        return "401"
    if access.startswith("api_admin") and caller not in ADMIN_TOKENS:
        return "403"
    if access in ("api_write", "api_admin_write") and caller in READ_SCOPE | {"viewer_write_token"}:
        return "403"
    return "allowed"


@dataclass
class World:
    callers: dict[str, tuple[Browser, str | None]]
    params: dict[str, int | str]
    session: Any = None


@pytest.fixture
def world(app: Flask, session, factory) -> World:
    # The revoked and expired tokens are refused on every API route, more often than the
    # failure limit allows one address; the limit has its own tests (tests/api/test_auth_limits).
    app.config["API_AUTH_FAILURE_LIMIT"] = "10000 per minute"
    viewer = factory.user(role="viewer", password=PASSWORD)
    reviewer = factory.user(role="reviewer", password=PASSWORD)
    admin = factory.user(role="admin", password=PASSWORD)
    claim = factory.claim(actor=reviewer, source="The Decoder", subject="DeepSeek V4")
    evidence = factory.evidence(claim, actor=reviewer)
    lead = factory.lead(claim, "DeepSeek V4 news")
    later = NOW + timedelta(days=365)
    _, read = create_token(session, reviewer, NOW, "read", "read")
    _, write = create_token(session, reviewer, NOW, "write", "write")
    _, viewer_write = create_token(session, viewer, NOW, "viewer write", "write")
    revoked_row, revoked = create_token(session, reviewer, NOW, "revoked", "write")
    revoke_token(revoked_row, NOW)
    _, expired = create_token(
        session,
        reviewer,
        NOW - timedelta(days=2),
        "old",
        "write",
        expires_at=NOW - timedelta(days=1),
    )
    spare, _ = create_token(session, reviewer, NOW, "to revoke", "read", expires_at=later)
    _, admin_read = create_token(session, admin, NOW, "admin read", "read")
    _, admin_write = create_token(session, admin, NOW, "admin write", "write")
    box, policy = secret_box(app.config), outbound_policy(app.config)
    page_hook, _ = create_endpoint(session, admin, NOW, {"url": "https://a.example/"}, box, policy)
    api_hook, _ = create_endpoint(session, admin, NOW, {"url": "https://b.example/"}, box, policy)
    delivery = send_test(session, admin, NOW, api_hook.id)
    session.commit()

    def browser(user: User | None) -> Browser:
        b = Browser(app.test_client())
        if user is not None:
            b.sign_in(user.email)
        else:
            b.get("/sign-in")  # a CSRF token, so a refusal is about who calls, not the token
        return b

    callers: dict[str, tuple[Browser, str | None]] = {
        "anonymous": (browser(None), None),
        "viewer": (browser(viewer), None),
        "reviewer": (browser(reviewer), None),
        "admin": (browser(admin), None),
    }
    tokens = {
        "read_token": read,
        "write_token": write,
        "viewer_write_token": viewer_write,
        "admin_read_token": admin_read,
        "admin_write_token": admin_write,
        "revoked_token": revoked,
        "expired_token": expired,
    }
    for name, secret in tokens.items():
        callers[name] = (browser(None), secret)
    params = {
        "claim_id": claim.id,
        "evidence_id": evidence.id,
        "lead_id": lead.id,
        "watch_id": lead.watch_id,
        "source_id": claim.source_id,
        "token_id": spare.id,
        "user_id": viewer.id,
        "endpoint_id": page_hook.id,
        "webhook_id": api_hook.id,
        "delivery_id": delivery.id,
        "filename": 0,
    }
    return World(callers, params, session)


def outcome(response) -> str:
    if response.status_code in (301, 302, 303) and "/sign-in" in response.headers.get(
        "Location", ""
    ):
        return "sign_in"
    if response.status_code in (401, 403, 404):
        return str(response.status_code)
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    return "allowed"


def request_for(rule, method: str, params: dict[str, int | str]) -> str:
    values = {name: params[name] for name in rule.arguments}
    if rule.endpoint == "home.static":
        values["filename"] = "claimwatch.css"
    path = rule.rule
    for name, value in values.items():
        for converter in ("int:", "id:", "path:", ""):
            path = path.replace(f"<{converter}{name}>", str(value))
    return path


# Routes that end or change the caller's own access go last, so they cannot spoil the others;
# so do the removals of the two webhooks the other routes use.
LAST = ("auth.sign_out", "webhooks.delete", "api.deleteWebhook")


def watch_back(world: World) -> None:
    """Follow the lead's watch again: each caller allowed to remove it finds it there (removing
    a removed watch is a 404, like any id that names no watch)."""
    world.session.execute(
        update(Watch)
        .where(Watch.id == world.params["watch_id"])
        .values(removed_at=None, removed_by_id=None)
    )
    world.session.commit()


# Set-up before each caller's request to a route, where an earlier caller's request changes
# what the next one finds.
BEFORE_EACH = {"api.deleteWatch": watch_back, "watches.remove": watch_back}


def test_every_route_answers_every_caller_as_expected(app: Flask, world: World):
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint in LAST, r.rule))
    missing = sorted({r.endpoint for r in rules} - set(ACCESS))
    assert not missing, f"routes without an access rule: {missing}"
    wrong = []
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            path = request_for(rule, method, world.params)
            for caller in CALLERS:
                if rule.endpoint in BEFORE_EACH:
                    BEFORE_EACH[rule.endpoint](world)
                browser, token = world.callers[caller]
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                if method == "GET":
                    response = browser.client.get(path, headers=headers)
                elif path.startswith("/api/"):
                    if method == "PATCH":
                        headers["If-Match"] = '"stale"'
                    response = browser.client.open(path, method=method, json={}, headers=headers)
                else:
                    response = browser.post(path, {}, headers=headers)
                got = outcome(response)
                want = expected(ACCESS[rule.endpoint], caller)
                if got != want:
                    wrong.append(f"{method} {path} as {caller}: {got}, expected {want}")
    assert not wrong, "\n".join(wrong)

"""Every page as people see it, at 1280 and 390 px: nothing wider than the screen, no serious
accessibility problem (axe-core), and a full-page screenshot of each saved outside the
repository (`SCREENSHOTS`, see conftest.py) to be looked at."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from app.api.docs import document
from app.claims import assign_claim, create_claim
from app.clock import utcnow
from app.demo import load_demo
from app.mail.content import Reader, build_digests
from app.mail.render import MailSettings, render_digest
from app.models import Claim, ClaimStatus, Source, User
from app.sweep import flag_overdue_claims
from app.unit_of_work import get_session
from app.webhooks.actions import send_test
from app.webhooks.endpoints import create_endpoint
from app.webhooks.settings import outbound_policy, secret_box
from tests.browser.conftest import SCREENSHOTS, sign_in

WIDTHS = (1280, 390)
SERIOUS = {"critical", "serious"}


@dataclass
class Desk:
    """The demo desk in the served app: ids of the pages worth looking at."""

    open_claim: int
    resolved_claim: int
    source: int
    digest: Path
    webhook: int


@pytest.fixture(scope="module")
def desk(served) -> Desk:
    with served.app.app_context():
        session = get_session()
        load_demo(session, utcnow())
        session.commit()
        open_claim = session.scalar(
            select(Claim.id).where(Claim.subject == "DeepSeek V4").order_by(Claim.id)
        )
        resolved = session.scalar(
            select(Claim.id).where(Claim.status == ClaimStatus.REFUTED.value).order_by(Claim.id)
        )
        source = session.scalar(select(Source.id).where(Source.name == "The Decoder"))
        admin = session.scalars(select(User).where(User.email == served.admin)).one()
        admin.timezone = "Europe/Berlin"
        now = utcnow()
        create_claim(
            session,
            admin,
            now,
            {"statement": "Northwind will name its new CEO", "window_end": now + timedelta(days=3)},
        )
        assign_claim(session, admin, now, open_claim, admin.id)
        flag_overdue_claims(session, now)
        endpoint, _ = create_endpoint(
            session,
            admin,
            now,
            {"url": "https://hooks.newsroom.example/claimwatch"},
            secret_box(served.app.config),
            outbound_policy(served.app.config),
        )
        send_test(session, admin, now, endpoint.id)
        session.commit()
        # A week's digest for the admin: newly overdue, closing soon, resolved, assigned.
        since, until = now - timedelta(days=7), now + timedelta(minutes=1)
        reader = (admin.id, admin.email, admin.name, admin.timezone)
        week = Reader(None, *reader, "<digest@example>", "W", since, until)
        (content,) = build_digests(session, [week])
        assert content.overdue.total and content.closing.total and content.assigned.total
        digest = render_digest(content, MailSettings.from_config(served.app.config), until)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "digest.html"
    path.write_text(digest.html, encoding="utf-8")
    return Desk(open_claim, resolved, source, path, endpoint.id)


def reviewer_pages(desk: Desk) -> dict[str, str]:
    """Name → path of every page of the reviewer app a signed-in admin reaches."""
    claim, done = desk.open_claim, desk.resolved_claim
    return {
        "claims": "/claims",
        "claims-filtered": "/claims?closing=7&sort=window_end",
        "claim": f"/claims/{claim}",
        "claim-resolved": f"/claims/{done}",
        "resolve": f"/claims/{claim}/resolve",
        "extend": f"/claims/{claim}/extend",
        "add-evidence": f"/claims/{claim}/evidence",
        "assign": f"/claims/{claim}/assign",
        "reopen": f"/claims/{done}/reopen",
        "edit": f"/claims/{claim}/edit",
        "new-claim": "/claims/new",
        "dashboard": "/dashboard",
        "sources": "/sources",
        "source": f"/sources/{desk.source}",
        "settings": "/settings",
        "admin-users": "/admin/users",
        "deliveries": "/admin/deliveries",
        "similar": f"/claims/{claim}/similar",
        "leads": "/leads",
        "watches": "/watches",
        "webhooks": "/admin/webhooks",
        "webhook": f"/admin/webhooks/{desk.webhook}",
        "not-found": "/claims/999999",
    }


# The pages of the list, screenshot at both widths.
SCREENSHOT_PAGES = (
    "claims", "claim", "new-claim", "dashboard", "sources", "source", "settings", "admin-users",
    "leads", "watches", "webhook",
)  # fmt: skip


@pytest.fixture(scope="module")
def admin_page(browser, served, desk) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, served, served.admin)
    yield page
    context.close()


def fits(page: object, width: int) -> None:
    """Nothing on the page is wider than the screen (no sideways scrolling)."""
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, f"{page.url} is {wide} px wide at {width} px"


def serious_problems(page: object) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_reviewer_page_fits_the_screen_and_passes_axe(served, desk, admin_page, width):
    page = admin_page
    page.set_viewport_size({"width": width, "height": 900})
    problems = {}
    for name, path in reviewer_pages(desk).items():
        page.goto(f"{served.url}{path}")
        fits(page, width)
        if name in SCREENSHOT_PAGES:
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        found = serious_problems(page)
        if found:
            problems[name] = found
    assert problems == {}


@pytest.mark.parametrize("width", WIDTHS)
def test_the_pages_before_signing_in_fit_and_pass_axe(browser, served, desk, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    problems = {}
    for name, path in {"landing": "/", "sign-in": "/sign-in"}.items():
        page.goto(f"{served.url}{path}")
        fits(page, width)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        if found := serious_problems(page):
            problems[name] = found
    context.close()
    assert problems == {}


@pytest.mark.parametrize("width", WIDTHS)
def test_the_api_docs_render_under_their_policy_fit_and_pass_axe(browser, served, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.goto(f"{served.url}/api/docs")
    page.wait_for_selector(".opblock-tag", timeout=15_000)
    operations = sum(len(item) for item in document()["paths"].values())
    assert page.locator(".opblock").count() == operations
    fits(page, width)
    page.screenshot(path=str(SCREENSHOTS / f"api-docs-{width}.png"), full_page=True)
    problems = serious_problems(page)
    context.close()
    assert [line for line in console if "Content Security Policy" in line] == []
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_digest_reads_at_both_widths(browser, desk, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(desk.digest.as_uri())
    fits(page, width)
    assert page.locator("table[role=presentation]").count() >= 2
    page.screenshot(path=str(SCREENSHOTS / f"digest-{width}.png"), full_page=True)
    context.close()

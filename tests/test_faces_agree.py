"""Every face asks the domain the same question and must give the same answer: the web pages
and the JSON API on search, the status a reopened claim gets under a grace period, a source's
claims overdue now, and the desk's counts. On SQLite, and on PostgreSQL with TEST_DATABASE_URL.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine

from app.claims import add_evidence, resolve_claim
from tests.api.conftest import Api, token_for
from tests.conftest import NOW
from tests.web.conftest import PASSWORD, Browser, quick_hashing  # noqa: F401  (autouse)

LATER = NOW + timedelta(hours=1)
# Browsers sign in before any request of a test (a session signed "in the future" is refused).
EARLIER = NOW - timedelta(hours=1)
CLAIM_LINK = re.compile(r'<a class="statement" href="/claims/(\d+)"')


@pytest.fixture
def desk(factory, session):
    """Claims with words to find, sources with claims past their windows, and both faces."""
    reviewer = factory.user(role="reviewer", password=PASSWORD, name="Rita Reviewer")
    made = {
        "deepseek": factory.claim(
            statement="DeepSeek V4 will be trained and served entirely on Huawei Ascend chips",
            subject="DeepSeek V4",
            details="Reported by The Decoder citing internal sources.",
            source="The Decoder",
        ),
        "trainer": factory.claim(
            statement="Example Lab is training a model on its own accelerators",
            details="Chip supply from Huawei is rumoured.",
            source="The Decoder",
        ),
        "phone": factory.claim(statement="Fabrikam will ship a foldable phone", source="Wire"),
        "late": factory.claim(
            statement="Northwind will announce a battery partnership",
            window_end=NOW - timedelta(days=3),
            source="Wire",
        ),
        "just_late": factory.claim(
            statement="Contoso will open a region in Lisbon",
            window_end=NOW - timedelta(minutes=30),
            source="The Decoder",
        ),
    }
    session.commit()
    return made, reviewer


def faces(make_app, session, reviewer, **settings):
    """A signed-in web browser and an API client of one app built with `settings`."""
    app = make_app(**settings)
    browser = Browser(app.test_client())
    with time_machine.travel(EARLIER, tick=False):
        browser.sign_in(reviewer.email)
    api = Api(app.test_client(), token_for(session, reviewer, "write"))
    session.commit()
    return browser, api


def web_ids(browser: Browser, path: str) -> set[int]:
    html = browser.get(path).get_data(as_text=True)
    return {int(claim_id) for claim_id in CLAIM_LINK.findall(html)}


def api_ids(api: Api, path: str) -> set[int]:
    response = api.get(path)
    assert response.status_code == 200, response.json
    return {item["id"] for item in response.json["items"]}


@pytest.mark.parametrize(
    "q",
    [
        "huawei chips",  # words in the statement
        "chips huawei",  # in any order
        "decoder",  # in the details only
        "train",  # stemmed: "trained", "training"
        "HUAWEI",  # any case
        "huawei, chips!",  # punctuation is not a word
        "foldable tablet",  # every word must occur
        "ascend OR phone",  # no query syntax: "or" is a word like any other
        "***",  # no word at all: nothing matches
    ],
)
def test_search_gives_the_same_claims_on_the_web_list_and_the_api(make_app, session, desk, q):
    _, reviewer = desk
    browser, api = faces(make_app, session, reviewer)
    with time_machine.travel(LATER, tick=False):
        on_web = web_ids(browser, f"/claims?q={q}")
        on_api = api_ids(api, f"/claims?q={q}&limit=200")
    assert on_web == on_api


def test_search_finds_the_deepseek_claim_by_its_words_on_both_faces(make_app, session, desk):
    made, reviewer = desk
    browser, api = faces(make_app, session, reviewer)
    with time_machine.travel(LATER, tick=False):
        assert web_ids(browser, "/claims?q=huawei chips") == {
            made["deepseek"].id,
            made["trainer"].id,
        }
        assert api_ids(api, "/claims?q=huawei%20chips") == web_ids(
            browser, "/claims?q=huawei chips"
        )


@pytest.mark.parametrize(
    ("reopened_after", "status"),
    [(timedelta(minutes=30), "pending"), (timedelta(hours=2), "overdue")],
)
def test_a_reopened_claim_gets_the_same_status_under_a_grace_on_every_face(
    make_app, session, factory, desk, reopened_after, status
):
    """OVERDUE_GRACE=1h: reopened half an hour after its window the claim is still pending,
    two hours after it is overdue — whether the web form or the API reopens it."""
    _, reviewer = desk
    browser, api = faces(make_app, session, reviewer, OVERDUE_GRACE="1h")
    statuses = {}
    for face in ("web", "api"):
        claim = factory.claim(window_end=NOW + timedelta(days=1))
        event = add_evidence(session, reviewer, NOW, claim.id, {"url": "https://x.example/"})
        resolve_claim(session, reviewer, NOW, event.claim_id, "confirmed", "Announced")
        session.commit()
        with time_machine.travel(claim.window_end + reopened_after, tick=False):
            if face == "web":
                browser.sign_in(reviewer.email)  # a day later: the first session has idled out
                browser.get(f"/claims/{claim.id}")
                sent = browser.post(f"/claims/{claim.id}/reopen", {"reason": "Denied later"})
                assert sent.status_code == 302
                page = browser.get(f"/claims/{claim.id}").get_data(as_text=True)
                statuses["web page"] = re.search(r'class="badge badge-(\w+)"', page).group(1)
            else:
                sent = api.post(f"/claims/{claim.id}/reopen", {"reason": "Denied later"})
                assert sent.status_code == 200, sent.json
                statuses["api answer"] = sent.json["status"]
            statuses[f"{face}, read back by the api"] = api.get(f"/claims/{claim.id}").json[
                "status"
            ]
    assert set(statuses.values()) == {status}, statuses


def test_overdue_now_is_the_same_on_the_sources_page_and_the_api(make_app, session, desk):
    """`just_late` is half an hour past its window and not yet swept: overdue now without a
    grace, not with a grace of an hour. Both faces must say so alike."""
    _, reviewer = desk
    for grace, expected in (("0", {"The Decoder": 1, "Wire": 1}), ("1h", {"The Decoder": 0})):
        browser, api = faces(make_app, session, reviewer, OVERDUE_GRACE=grace)
        with time_machine.travel(NOW, tick=False):
            html = browser.get("/sources").get_data(as_text=True)
            sources = api.get("/sources").json["items"]
        on_api = {s["id"]: s["track_record"]["overdue_now"] for s in sources}
        on_web = {
            int(source_id): int(unescape(re.sub(r"<[^>]+>", "", cell)))
            for source_id, cell in re.findall(
                r'<tr data-source="(\d+)">.*?<td data-figure="overdue_now">(.*?)</td>',
                html,
                re.DOTALL,
            )
        }
        assert on_web == on_api
        by_name = {s["name"]: s["track_record"]["overdue_now"] for s in sources}
        assert {name: by_name[name] for name in expected} == expected


def test_the_dashboard_counts_are_the_api_stats(make_app, session, factory, desk):
    made, reviewer = desk
    add_evidence(session, reviewer, NOW, made["phone"].id, {"url": "https://x.example/"})
    resolve_claim(session, reviewer, NOW, made["phone"].id, "refuted", "Cancelled")
    session.commit()
    browser, api = faces(make_app, session, reviewer)
    with time_machine.travel(LATER, tick=False):
        html = browser.get("/dashboard").get_data(as_text=True)
        stats = api.get("/stats").json
    on_web = {
        status: int(number.replace(",", ""))
        for status, number in re.findall(
            r'data-status="(\w+)"[^>]*><span class="n">([\d,]+)</span>', html
        )
    }
    assert on_web == stats["counts"]
    assert stats["counts"]["refuted"] == 1

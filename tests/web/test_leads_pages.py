"""Watches, the leads inbox, leads on a claim's page, and possible duplicates, through the
test client: each form's refusal comes back with the values kept and the reason beside them."""

from __future__ import annotations

import re

from markupsafe import escape
from sqlalchemy import select

from app.models import Evidence, Lead, Watch
from tests.watches.conftest import STATEMENT


def text(response) -> str:
    return response.get_data(as_text=True)


def test_a_reviewer_adds_a_feed_sees_its_health_and_stops_watching_it(as_reviewer, session):
    page = text(as_reviewer.get("/watches"))
    assert "No feeds are watched yet" in page

    added = as_reviewer.post(
        "/watches", {"url": "https://newsroom.example/feed.xml", "name": "DeepSeek newsroom"}
    )
    assert added.status_code == 302
    page = text(as_reviewer.get("/watches"))
    assert "DeepSeek newsroom" in page
    assert "Not checked yet; the first check is at the next pass." in page
    assert "every 15 minutes" in page

    [watch] = session.scalars(select(Watch)).all()
    removed = as_reviewer.post(f"/watches/{watch.id}/remove")
    assert removed.status_code == 302
    page = text(as_reviewer.get("/watches"))
    assert "Stopped watching DeepSeek newsroom. Its leads stay." in page
    assert f'id="watch-{watch.id}"' not in page

    again = as_reviewer.post(f"/watches/{watch.id}/remove")  # the form sent twice
    assert again.status_code == 302
    assert "That feed is not being watched (already stopped?)." in text(as_reviewer.get("/watches"))


def test_a_bad_feed_address_is_explained_beside_the_field_and_kept(as_reviewer):
    response = as_reviewer.post("/watches", {"url": "ftp://newsroom.example/feed", "name": "Odd"})
    assert response.status_code == 422
    page = text(response)
    assert "must be an http or https URL" in page
    assert 'value="ftp://newsroom.example/feed"' in page
    assert 'value="Odd"' in page


def test_viewers_see_the_feeds_but_no_forms(as_viewer, factory, session):
    factory.watch(name="Chip maker press")
    session.commit()
    page = text(as_viewer.get("/watches"))
    assert "Chip maker press" in page
    assert "Watch this feed" not in page and "Stop watching" not in page


def test_the_inbox_lists_new_leads_with_their_claims_and_accepting_one_adds_evidence(
    as_reviewer, factory, session
):
    claim = factory.claim(statement=STATEMENT, subject="DeepSeek V4")
    lead = factory.lead(claim, "DeepSeek V4 is out, trained on Ascend")
    session.commit()

    page = text(as_reviewer.get("/leads"))
    assert "DeepSeek V4 is out, trained on Ascend" in page
    assert escape(STATEMENT) in page
    assert re.search(r'<span class="n">1</span> New', page)

    refused = as_reviewer.post(
        f"/claims/{claim.id}/leads/{lead.id}/accept",
        {"stance": "", "note": "Official", "back": "inbox"},
    )
    assert refused.status_code == 422
    assert "must be supports, refutes or context" in text(refused)
    assert "Official</textarea>" in text(refused)

    accepted = as_reviewer.post(
        f"/claims/{claim.id}/leads/{lead.id}/accept",
        {"stance": "supports", "note": "Official", "back": "inbox"},
    )
    assert accepted.status_code == 302
    assert accepted.headers["Location"].endswith("/leads")
    session.expire_all()
    [item] = session.scalars(select(Evidence)).all()
    assert (item.url, item.stance, item.note) == (lead.url, "supports", "Official")
    assert "No new leads" in text(as_reviewer.get("/leads"))
    assert "DeepSeek V4 is out" in text(as_reviewer.get("/leads?status=accepted"))


def test_a_lead_is_dismissed_from_the_claim_page_with_a_reason(as_reviewer, factory, session):
    claim = factory.claim(statement=STATEMENT, subject="DeepSeek V4")
    lead = factory.lead(claim, "DeepSeek V4 rumours from a forum")
    session.commit()
    page = text(as_reviewer.get(f"/claims/{claim.id}"))
    assert "DeepSeek V4 rumours from a forum" in page
    assert "found a lead in Newsroom" in page

    refused = as_reviewer.post(f"/claims/{claim.id}/leads/{lead.id}/dismiss", {"reason": ""})
    assert refused.status_code == 422
    assert "is required" in text(refused)

    done = as_reviewer.post(
        f"/claims/{claim.id}/leads/{lead.id}/dismiss", {"reason": "A forum post", "back": "claim"}
    )
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/claims/{claim.id}#leads")
    page = text(as_reviewer.get(f"/claims/{claim.id}"))
    assert "Dismissed by Rita Reviewer" in page
    assert "dismissed a lead" in page
    session.expire_all()
    assert session.get(Lead, lead.id).dismiss_reason == "A forum post"

    again = as_reviewer.post(f"/claims/{claim.id}/leads/{lead.id}/dismiss", {"reason": "Twice"})
    assert again.status_code == 409
    assert "was already dismissed" in text(again)


def test_an_unknown_back_value_goes_back_to_the_claim(as_reviewer, factory, session):
    claim = factory.claim(subject="DeepSeek V4")
    lead = factory.lead(claim, "DeepSeek V4 story")
    session.commit()
    done = as_reviewer.post(
        f"/claims/{claim.id}/leads/{lead.id}/dismiss",
        {"reason": "No", "back": "https://evil.example/"},
    )
    assert done.headers["Location"].endswith(f"/claims/{claim.id}#leads")


def test_a_claim_entered_again_in_other_words_leads_to_its_possible_duplicates(
    as_reviewer, factory, session
):
    first = factory.claim(statement=STATEMENT, subject="DeepSeek V4")
    session.commit()

    created = as_reviewer.post(
        "/claims/new",
        {
            "statement": "Huawei's Ascend chips will train and serve DeepSeek's V4 model",
            "expected_within": "P3W",
        },
    )

    assert created.status_code == 302
    assert created.headers["Location"].endswith("/similar")
    page = text(as_reviewer.get(created.headers["Location"]))
    assert "Possible duplicates" in page
    assert escape(first.statement) in page
    assert "DeepSeek V4" in page


def test_a_claim_like_no_other_goes_straight_to_its_page(as_reviewer):
    created = as_reviewer.post(
        "/claims/new", {"statement": "Contoso will open a Lisbon region", "expected_within": "P3W"}
    )
    assert re.search(r"/claims/\d+$", created.headers["Location"])


def test_watch_terms_are_edited_on_the_claim_form(as_reviewer, factory, session):
    claim = factory.claim(subject="Huawei")
    session.commit()
    form = text(as_reviewer.get(f"/claims/{claim.id}/edit"))
    assert 'name="watch_terms"' in form
    saved = as_reviewer.post(
        f"/claims/{claim.id}/edit",
        {"statement": claim.statement, "watch_terms": "Ascend 950, Kirin 9030", "version": "1"},
    )
    assert saved.status_code == 302
    session.expire_all()
    assert session.get(type(claim), claim.id).watch_terms == ["Ascend 950", "Kirin 9030"]


def test_a_lead_title_with_markup_is_shown_as_text(as_reviewer, factory, session):
    claim = factory.claim(subject="DeepSeek V4")
    factory.lead(claim, 'DeepSeek V4 <img src=x onerror="alert(1)">', summary="<script>x</script>")
    session.commit()
    for path in (f"/claims/{claim.id}", "/leads"):
        page = text(as_reviewer.get(path))
        assert "&lt;img src=x onerror=" in page
        assert "<img src=x" not in page and "<script>x" not in page

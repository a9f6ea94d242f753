"""The claim page built for the work, a page per source, the landing page, the favicon, the
settings fields, and words for people instead of the API's."""

from __future__ import annotations

import re
from collections import Counter

from app.claims import assign_claim
from app.models import Claim

OUTCOMES = ("confirmed", "partly_confirmed", "refuted", "retracted", "void")


def text(response) -> str:
    return response.get_data(as_text=True)


def test_each_action_has_its_own_page_linked_from_the_claim(as_reviewer, factory, session):
    claim = factory.claim()
    session.commit()
    html = text(as_reviewer.get(f"/claims/{claim.id}"))
    menu = re.search(r'<nav class="claim-actions".*?</nav>', html, re.S).group(0)
    for action, title in [
        ("resolve", "Resolve the claim"),
        ("extend", "Extend the window"),
        ("evidence", "Add evidence"),
        ("assign", "Assign the claim"),
    ]:
        assert f'href="/claims/{claim.id}/{action}"' in menu, action
        page = text(as_reviewer.get(f"/claims/{claim.id}/{action}"))
        assert f'<h1 id="action-title">{title}</h1>' in page
        assert page.count('<form method="post"') == 2  # the action's, and sign-out
        assert claim.statement in page
    assert f'href="/claims/{claim.id}/edit"' in menu
    assert 'href="#comment"' in menu
    # The comment box sits with the timeline, right after it.
    assert html.index('id="timeline"') < html.index('id="comment"')


def test_resolve_chooses_nothing_and_says_what_each_outcome_does(as_reviewer, factory, session):
    claim = factory.claim()
    session.commit()
    page = text(as_reviewer.get(f"/claims/{claim.id}/resolve"))
    radios = re.findall(r'<input type="radio" name="outcome"[^>]*>', page)
    assert len(radios) == len(OUTCOMES)
    assert not any("checked" in radio for radio in radios)
    assert "The claim will be marked Refuted and leave the open list." in page
    assert "This claim has no evidence yet." in page

    refused = as_reviewer.post(f"/claims/{claim.id}/resolve", {"note": "kept note"})
    assert refused.status_code == 422
    html = text(refused)
    assert '<p class="error" id="outcome-error">Choose an outcome.</p>' in html
    assert "kept note" in html
    session.expire_all()
    assert session.get(Claim, claim.id).status == "pending"


def test_the_claim_page_shows_names_not_emails_and_no_version(
    as_reviewer, reviewer, factory, session
):
    author = factory.user(role="reviewer", name="Aline Author", email="aline@newsroom.example")
    claim = factory.claim(actor=author)
    factory.evidence(claim, actor=author, title="A report")
    assign_claim(session, author, factory.now, claim.id, reviewer.id)
    session.commit()
    html = text(as_reviewer.get(f"/claims/{claim.id}"))
    assert "Aline Author" in html and "Rita Reviewer" in html
    assert "aline@newsroom.example" not in html
    assert reviewer.email not in html
    assert not re.search(r"version \d", html, re.I)


def test_each_outcome_has_its_own_colour_on_badges_and_timeline_dots(static_css):
    for outcome in OUTCOMES:
        assert f".badge-{outcome} {{" in static_css, outcome
        assert f".event-outcome-{outcome}::before" in static_css, outcome
    colours = {
        outcome: re.search(rf"\.badge-{outcome} {{ background: var\(--([\w-]+)\)", static_css)
        for outcome in OUTCOMES
    }
    assert len({match.group(1) for match in colours.values()}) == len(OUTCOMES)


def test_a_viewer_sees_no_action_links(as_viewer, factory, session):
    claim = factory.claim()
    session.commit()
    html = text(as_viewer.get(f"/claims/{claim.id}"))
    assert 'class="claim-actions"' not in html
    assert 'id="comment"' not in html
    assert as_viewer.get(f"/claims/{claim.id}/resolve").status_code == 403


def test_a_source_has_a_page_with_its_claims_and_track_record(as_reviewer, factory, session):
    mine = factory.claim(statement="From the Wire", source="The Wire")
    factory.claim(statement="From elsewhere", source="Elsewhere")
    session.commit()
    html = text(as_reviewer.get(f"/sources/{mine.source_id}"))
    assert "<h1>The Wire</h1>" in html
    assert "From the Wire" in html and "From elsewhere" not in html
    assert "Track record" in html and "Median days to known" in html
    assert f'href="/sources/{mine.source_id}"' in text(as_reviewer.get("/sources"))
    assert as_reviewer.get("/sources/999999").status_code == 404


def test_a_visitor_is_told_what_claimwatch_is_and_a_member_goes_to_the_list(client, as_reviewer):
    page = client.get("/")
    assert page.status_code == 200
    html = text(page)
    assert "Claimwatch keeps track of claims" in html
    assert 'href="/sign-in"' in html and "Please sign in" not in html
    assert as_reviewer.get("/").headers["Location"].endswith("/claims")


def test_every_page_links_the_favicon(client):
    html = text(client.get("/sign-in"))
    assert '<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">' in html
    icon = client.get("/assets/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"


def test_settings_refuse_an_empty_display_name_and_have_no_duplicate_ids(as_reviewer, reviewer):
    html = text(as_reviewer.get("/settings"))
    ids = Counter(re.findall(r'\bid="([^"]+)"', html))
    assert [name for name, n in ids.items() if n > 1] == []
    refused = as_reviewer.post(
        "/settings/preferences",
        {"name": "  ", "timezone": "UTC", "digest_frequency": "daily", "digest_hour": "8"},
    )
    assert refused.status_code == 422
    assert 'id="name-error">is required' in text(refused)


def test_form_errors_are_in_words_for_people(as_reviewer, factory, session):
    new = text(as_reviewer.post("/claims/new", {"statement": "x", "claimed_on": "soon"}))
    claim = factory.claim()
    session.commit()
    extend = text(as_reviewer.post(f"/claims/{claim.id}/extend", {"reason": "later"}))
    resolve = text(
        as_reviewer.post(f"/claims/{claim.id}/resolve", {"outcome": "void", "known_at": "x"})
    )
    for html in (new, extend, resolve):
        errors = " ".join(re.findall(r'<p class="error"[^>]*>([^<]*)</p>', html))
        assert errors
        for api_word in ("expected_within", "window_end", "P3W", "P2W", "RFC 3339", "YYYY"):
            assert api_word not in errors, (api_word, errors)
    assert "Pick how long, or the window&#39;s last day." in new
    assert "(YYYY-MM-DD)" not in text(as_reviewer.get("/claims/new"))

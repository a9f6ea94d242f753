"""The claim pages through the test client: list, new, edit, and each action's refusals."""

from __future__ import annotations

import re
from datetime import timedelta

from markupsafe import escape

from app.claims import assign_claim, edit_claim
from app.clock import utcnow
from app.models import Claim
from app.sweep import flag_overdue_claims


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_list_marks_overdue_claims_with_days_overdue_and_counts_each_status(
    as_reviewer, factory, session
):
    now = utcnow()
    factory.claim(statement="Long overdue", now=now, window_end=now - timedelta(days=9))
    factory.claim(statement="Still pending", now=now, window_end=now + timedelta(days=9))
    flag_overdue_claims(session, now)
    html = text(as_reviewer.get("/claims"))
    assert html.index("Long overdue") < html.index("Still pending")
    assert "9 days overdue" in html
    assert re.search(r'<span class="n">1</span> Overdue', html)
    assert re.search(r'<span class="n">1</span> Pending', html)


def test_the_list_pages_with_a_cursor(as_reviewer, factory, session, monkeypatch):
    from app.web import claim_list as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n in range(5):
        factory.claim(statement=f"Claim number {n}", window_end=utcnow() + timedelta(days=n + 1))
    session.commit()
    seen, path = [], "/claims"
    while path:
        html = text(as_reviewer.get(path))
        seen += re.findall(r"Claim number (\d)", html)
        match = re.search(r'rel="next" href="([^"]+)"', html)
        path = match.group(1).replace("&amp;", "&") if match else None
    assert seen == ["0", "1", "2", "3", "4"]


def test_the_list_filters_by_status_tag_text_source_and_assignee(
    as_reviewer, reviewer, factory, session
):
    now = utcnow()
    mine = factory.claim(
        statement="Vendor <b>will</b> ship Ascend chips",
        subject="Chips & boards",
        source='The "Wire"',
        tags=["chips", "supply chain"],
        window_end=now + timedelta(days=3),
    )
    assign_claim(session, factory.reviewer, now, mine.id, reviewer.id)
    other = factory.claim(statement="Another lab will publish weights", source="Elsewhere")
    late = factory.claim(statement="A launch that slipped", window_end=now - timedelta(days=2))
    flag_overdue_claims(session, now)
    session.commit()

    def listed(path: str) -> list[str]:
        html = text(as_reviewer.get(path))
        return [s for s in (mine.statement, other.statement, late.statement) if escape(s) in html]

    assert listed("/claims") == [mine.statement, other.statement, late.statement]
    assert listed("/claims?status=overdue") == [late.statement]
    assert listed("/claims?status=overdue&status=pending") == [
        mine.statement, other.statement, late.statement
    ]  # fmt: skip
    assert listed("/claims?tag=Supply+Chain") == [mine.statement]
    assert listed("/claims?q=ASCEND") == [mine.statement]
    assert listed("/claims?q=100%25") == []
    assert listed("/claims?mine=1") == [mine.statement]
    by_source = as_reviewer.get(f"/claims?source={mine.source_id}")
    assert (
        f'Claims reported by <a href="/sources/{mine.source_id}">The &#34;Wire&#34;</a>.'
        in text(by_source)
    )
    assert listed(f"/claims?source={mine.source_id}") == [mine.statement]
    assert listed("/claims?source=99999999999999999999") == []
    row = text(as_reviewer.get("/claims?tag=chips"))
    assert "Vendor &lt;b&gt;will&lt;/b&gt; ship Ascend chips" in row
    assert "<span>Chips &amp; boards</span>" in row
    assert "<span>via The &#34;Wire&#34;</span>" in row
    assert '<a class="tag" href="/claims?tag=supply-chain">supply-chain</a>' in row
    assert "Assigned to Rita Reviewer" in row


def test_the_list_shows_a_date_as_that_date_and_a_time_in_the_viewers_zone(
    as_reviewer, factory, session
):
    factory.claim(statement="Due by a date", window_end="2026-12-11")  # 2026-12-12T00:00Z
    factory.claim(statement="Due at a time", window_end="2026-12-14T15:00:00Z")
    session.commit()
    by_date = '<time class="due" datetime="2026-12-12T00:00:00Z">by end of 11 Dec 2026</time>'
    html = text(as_reviewer.get("/claims"))
    assert by_date in html
    assert '<time class="due" datetime="2026-12-14T15:00:00Z">by 14 Dec 2026, 15:00 UTC' in html
    as_reviewer.post(
        "/settings/preferences",
        {"name": "Rita", "timezone": "America/New_York", "digest_frequency": "daily",
         "digest_hour": "8"},
    )  # fmt: skip
    html = text(as_reviewer.get("/claims"))
    assert by_date in html  # a date is the same date everywhere, not 19:00 the day before
    assert '<time class="due" datetime="2026-12-14T15:00:00Z">by 14 Dec 2026, 10:00 EST' in html


def test_a_new_claim_is_created_from_the_form(as_reviewer, session):
    response = as_reviewer.post(
        "/claims/new",
        {
            "statement": "DeepSeek V4 will be served on Ascend",
            "claimed_on": "2026-11-20",
            "expected_within": "P3W",
            "tags": "AI, chips",
            "source": "The Decoder",
        },
    )
    assert response.status_code == 302
    claim = session.get(Claim, int(response.location.rsplit("/", 1)[1]))
    assert claim.window_end.isoformat() == "2026-12-12T00:00:00+00:00"
    assert claim.tags == ["ai", "chips"]


def test_an_invalid_new_claim_comes_back_with_the_values_and_the_reasons(as_reviewer):
    response = as_reviewer.post(
        "/claims/new", {"subject": "Kept <subject>", "first_seen_url": "javascript:alert(1)"}
    )
    assert response.status_code == 422
    html = text(response)
    assert 'value="Kept &lt;subject&gt;"' in html
    assert 'value="javascript:alert(1)"' in html
    assert re.search(r'id="statement-error">is required', html)
    assert re.search(r'id="first_seen_url-error">must be an http or https URL', html)


def test_an_edit_over_someone_elses_change_is_shown_not_applied(as_reviewer, factory, session):
    claim = factory.claim(statement="Original statement")
    session.commit()
    as_reviewer.get(f"/claims/{claim.id}/edit")
    edit_claim(session, factory.reviewer, utcnow(), claim.id, 1, {"subject": "Theirs"})
    session.commit()
    response = as_reviewer.post(
        f"/claims/{claim.id}/edit", {"version": "1", "statement": "My statement"}
    )
    assert response.status_code == 409
    html = text(response)
    assert "changed since you opened it" in html
    assert "My statement" in html  # what I typed is kept
    assert "Theirs" in html  # and what they changed is shown
    assert 'name="version" type="hidden" value="2"' in html
    session.expire_all()
    assert session.get(Claim, claim.id).statement == "Original statement"


def test_resolving_without_evidence_explains_why_and_keeps_the_note(as_reviewer, factory, session):
    claim = factory.claim()
    session.commit()
    response = as_reviewer.post(
        f"/claims/{claim.id}/resolve", {"outcome": "confirmed", "note": "My careful note"}
    )
    assert response.status_code == 409
    html = text(response)
    assert "needs at least one evidence item" in html
    assert "My careful note" in html
    session.expire_all()
    assert session.get(Claim, claim.id).status == "pending"


def test_an_extension_without_a_reason_is_refused_beside_the_field(as_reviewer, factory, session):
    claim = factory.claim()
    session.commit()
    response = as_reviewer.post(f"/claims/{claim.id}/extend", {"expected_within": "P2W"})
    assert response.status_code == 422
    assert re.search(r'id="reason-error">is required', text(response))
    assert re.search(r'<option (selected )?value="P2W"( selected)?>', text(response))


def test_each_action_lands_on_the_timeline(as_reviewer, reviewer, factory, session):
    claim = factory.claim()
    session.commit()
    cid = claim.id
    steps = [
        ("evidence", {"url": "https://news.example/a", "title": "A report", "stance": "supports"}),
        ("comments", {"body": "Checking with the company"}),
        ("assign", {"assignee": str(reviewer.id)}),
        ("extend", {"expected_within": "P1M", "reason": "Delayed"}),
        ("resolve", {"outcome": "confirmed", "note": "Announced"}),
        ("reopen", {"reason": "The announcement was walked back"}),
    ]
    for action, data in steps:
        response = as_reviewer.post(f"/claims/{cid}/{action}", data)
        assert response.status_code == 302, (action, text(response)[:2000])
    html = text(as_reviewer.get(f"/claims/{cid}"))
    for phrase in [
        "created the claim",
        "added evidence (supports)",
        "commented",
        "assigned it to Rita Reviewer",
        "extended the window",
        "resolved it as",
        "reopened it",
    ]:
        assert phrase in html, phrase


def test_withdrawn_evidence_stays_visible_as_withdrawn(as_reviewer, factory, session):
    claim = factory.claim()
    evidence = factory.evidence(claim, title="Shaky report")
    session.commit()
    response = as_reviewer.post(
        f"/claims/{claim.id}/evidence/{evidence.id}/withdraw", {"reason": "Retracted by outlet"}
    )
    assert response.status_code == 302
    html = text(as_reviewer.get(f"/claims/{claim.id}"))
    assert "Shaky report" in html
    assert "Retracted by outlet" in html
    assert "badge-withdrawn" in html


def test_a_viewer_sees_no_actions_and_cannot_post_any(as_viewer, factory, session):
    claim = factory.claim()
    session.commit()
    html = text(as_viewer.get(f"/claims/{claim.id}"))
    assert "Resolve" not in html
    assert f"/claims/{claim.id}/edit" not in html
    assert as_viewer.get("/claims/new").status_code == 403
    for action, data in [
        ("resolve", {"outcome": "void", "note": ""}),
        ("comments", {"body": "hi"}),
        ("edit", {"version": "1", "statement": "Changed"}),
    ]:
        assert as_viewer.post(f"/claims/{claim.id}/{action}", data).status_code == 403
    assert (
        as_viewer.post("/claims/new", {"statement": "x", "expected_within": "P1W"}).status_code
        == 403
    )


def test_times_are_shown_in_the_viewers_time_zone(as_reviewer, reviewer, factory, session):
    claim = factory.claim(window_end="2026-12-11")  # 2026-12-12T00:00Z
    session.commit()
    html = text(as_reviewer.get(f"/claims/{claim.id}"))
    assert "end of 11 Dec 2026" in html
    assert "20 Nov 2026, 09:00 UTC" in html  # when it was created, on the timeline
    as_reviewer.post(
        "/settings/preferences",
        {"name": "Rita", "timezone": "America/New_York", "digest_frequency": "daily",
         "digest_hour": "8"},
    )  # fmt: skip
    html = text(as_reviewer.get(f"/claims/{claim.id}"))
    assert "end of 11 Dec 2026" in html and "19:00 EST" not in html
    assert "20 Nov 2026, 04:00 EST" in html


def test_an_unknown_claim_is_a_404_page(as_reviewer):
    response = as_reviewer.get("/claims/999999")
    assert response.status_code == 404
    assert "Not found" in text(response)


def test_a_tag_filter_with_a_nul_byte_is_read_without_it_instead_of_failing(as_reviewer, factory):
    # PostgreSQL refuses a NUL in a query parameter; the list page must not become a 500.
    factory.claim(statement="Vendor will ship chips", tags=["chips"])
    factory.session.commit()
    response = as_reviewer.get("/claims?tag=chi%00ps")
    assert response.status_code == 200
    assert "Vendor will ship chips" in response.get_data(as_text=True)

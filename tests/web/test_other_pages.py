"""Dashboard, sources, settings and user management."""

from __future__ import annotations

import re
from datetime import timedelta

from app.accounts.tokens import find_token_grant, hash_token
from app.claims import resolve_claim
from app.clock import utcnow
from app.digests.outbox import enqueue_due_digests
from app.models import ApiToken, User
from app.sweep import flag_overdue_claims
from tests.conftest import NOW
from tests.web.conftest import PASSWORD


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_dashboard_draws_the_weekly_chart_as_svg_with_a_table(as_reviewer, factory, session):
    now = utcnow()
    for _ in range(3):
        factory.claim(now=now, window_end=now - timedelta(days=1))
    flag_overdue_claims(session, now)
    html = text(as_reviewer.get("/dashboard"))
    assert '<svg viewBox="0 0 720 260" role="img"' in html
    assert len(re.findall(r'<rect class="bar bar-opened"', html)) == 12
    assert re.search(r'<rect class="bar bar-opened"[^>]*><title>W\d\d: 3 opened</title>', html)
    assert re.search(r'<rect class="bar bar-flagged"[^>]*><title>W\d\d: 3 flagged</title>', html)
    assert re.search(r"<td>3</td><td>3</td><td>0</td>", html)  # the table fallback
    # A day past the window (a moment less, as the clock moved on since): "overdue by 23 hours".
    assert re.search(r"overdue by 2\d hours|1 day overdue", html)


def test_sources_show_their_track_record(as_reviewer, factory, session):
    now = utcnow()
    for outcome in ("confirmed", "confirmed", "refuted"):
        claim = factory.claim(source="The Decoder")
        factory.evidence(claim)
        resolve_claim(session, factory.reviewer, now, claim.id, outcome, "")
    html = text(as_reviewer.get("/sources"))
    assert "The Decoder" in html
    assert "<strong>67%</strong>" in html


def test_an_api_token_is_shown_once_and_can_be_revoked(as_reviewer, reviewer, session):
    response = as_reviewer.post(
        "/settings/tokens", {"name": "Sheet", "scope": "read", "current_password": PASSWORD}
    )
    assert response.status_code == 302  # Post/Redirect/Get: a reload cannot mint another
    assert "cw_" not in response.headers["Location"]
    shown = as_reviewer.get("/settings")
    secret = re.search(r'<code class="token" id="new-token">(cw_[^<]+)</code>', text(shown))
    assert secret
    assert find_token_grant(session.connection(), secret.group(1), utcnow()) is not None
    page = text(as_reviewer.get("/settings"))
    assert secret.group(1) not in page  # never shown again
    token_id = re.search(r"/settings/tokens/(\d+)/revoke", page).group(1)
    assert as_reviewer.post(f"/settings/tokens/{token_id}/revoke").status_code == 302
    session.expire_all()
    assert find_token_grant(session.connection(), secret.group(1), utcnow()) is None
    assert "revoked" in text(as_reviewer.get("/settings"))


def test_minting_a_token_asks_for_the_current_password(as_reviewer, reviewer, session):
    for password in ("", "not my password"):
        form = {"name": "Sheet", "scope": "write", "current_password": password}
        response = as_reviewer.post("/settings/tokens", form)
        assert response.status_code == 422
        assert "is not your current password" in text(response)
        assert 'id="new-token"' not in text(response)
        assert 'value="Sheet"' in text(response)  # the entered values are kept
    assert session.query(ApiToken).filter_by(user_id=reviewer.id).count() == 0
    form = {"name": "Sheet", "scope": "write", "current_password": PASSWORD}
    assert as_reviewer.post("/settings/tokens", form).status_code == 302
    assert session.query(ApiToken).filter_by(user_id=reviewer.id).count() == 1


def test_someone_elses_token_cannot_be_revoked(as_reviewer, factory, session):
    from app.accounts.tokens import create_token

    other = factory.user()
    token, _ = create_token(session, other, utcnow(), "Theirs", "read")
    session.commit()
    assert as_reviewer.post(f"/settings/tokens/{token.id}/revoke").status_code == 404


def feed_key_shown(response) -> str | None:
    found = re.search(r"overdue\.atom\?key=([\w-]+)", text(response))
    return found.group(1) if found else None


def test_the_feed_key_is_shown_once_stored_as_a_hash_and_replaced(
    as_reviewer, reviewer, session, client
):
    assert "No feed key yet" in text(as_reviewer.get("/settings"))
    assert as_reviewer.post("/settings/feed-key").status_code == 302
    first = feed_key_shown(as_reviewer.get("/settings"))
    assert first is not None
    assert client.get(f"/feeds/overdue.atom?key={first}").status_code == 200

    page = as_reviewer.get("/settings")
    assert feed_key_shown(page) is None  # never shown again
    assert "regenerate to see a new key" in text(page)
    session.expire_all()
    assert reviewer.feed_key_hash == hash_token(first)

    as_reviewer.post("/settings/feed-key")
    second = feed_key_shown(as_reviewer.get("/settings"))
    assert second is not None and second != first
    assert client.get(f"/feeds/overdue.atom?key={first}").status_code == 404
    assert client.get(f"/feeds/overdue.atom?key={second}").status_code == 200


def test_bad_preferences_are_explained_and_kept(as_reviewer):
    response = as_reviewer.post(
        "/settings/preferences",
        {"name": "Rita", "timezone": "Mars/Olympus", "digest_frequency": "hourly",
         "digest_hour": "25"},
    )  # fmt: skip
    assert response.status_code == 422
    html = text(response)
    assert "is not an IANA time zone" in html
    assert "must be off, daily or weekly" in html
    assert "must be an hour from 0 to 23" in html


def test_an_admin_adds_people_and_deactivates_them(as_admin, session):
    response = as_admin.post(
        "/admin/users",
        {"email": "New.Person@Newsroom.example", "name": "New", "role": "reviewer",
         "password": "a long initial passphrase"},
    )  # fmt: skip
    assert response.status_code == 302
    user = session.query(User).filter_by(email="new.person@newsroom.example").one()
    assert user.role == "reviewer"
    response = as_admin.post(f"/admin/users/{user.id}", {"role": "viewer"})
    assert response.status_code == 302
    session.expire_all()
    assert (user.role, user.active) == ("viewer", False)


def test_the_last_admin_cannot_be_demoted(as_admin, admin):
    response = as_admin.post(f"/admin/users/{admin.id}", {"role": "reviewer", "active": "y"})
    assert response.status_code == 409
    assert "last active admin" in text(response)


def test_a_bad_new_user_is_explained_beside_the_fields(as_admin):
    response = as_admin.post("/admin/users", {"email": "not-an-email", "role": "reviewer"})
    assert response.status_code == 422
    html = text(response)
    assert 'id="email-error"' in html
    assert 'id="password-error"' in html


def test_reviewers_cannot_manage_users(as_reviewer):
    assert as_reviewer.get("/admin/users").status_code == 403
    assert as_reviewer.post("/admin/users", {"email": "x@y.example"}).status_code == 403


def test_settings_preview_the_next_digest(as_reviewer, factory, session):
    factory.claim(statement="Preview me: a claim closing soon", window_end=NOW + timedelta(days=2))
    session.commit()
    page = as_reviewer.get("/settings").get_data(as_text=True)
    assert "Preview your next digest" in page
    assert "Subject:" in page


def test_admins_see_recent_digest_deliveries_and_others_do_not(
    as_admin, new_browser, viewer, session
):
    assert enqueue_due_digests(session, NOW, "claimwatch.example") >= 1
    session.commit()
    page = as_admin.get("/admin/deliveries").get_data(as_text=True)
    assert "Digest deliveries" in page
    assert viewer.email in page
    assert "pending" in page
    other = new_browser()
    other.sign_in(viewer.email)
    assert other.get("/admin/deliveries").status_code == 403


def test_wrong_current_passwords_are_limited_per_account_across_both_forms(
    as_reviewer, new_browser, factory, session
):
    wrong = {"current_password": "a guess", "new_password": "a brand new passphrase"}
    for _ in range(3):
        assert as_reviewer.post("/settings/password", wrong).status_code == 422
    token = {"name": "Sheet", "scope": "read", "current_password": "another guess"}
    for _ in range(2):
        assert as_reviewer.post("/settings/tokens", token).status_code == 422
    right = {**wrong, "current_password": PASSWORD}
    blocked = as_reviewer.post("/settings/password", right)
    assert blocked.status_code == 429
    assert "Too many wrong passwords" in text(blocked)
    assert (
        as_reviewer.post("/settings/tokens", {**token, "current_password": PASSWORD}).status_code
        == 429
    )

    other = factory.user(role="reviewer", password=PASSWORD)
    session.commit()
    elsewhere = new_browser()
    elsewhere.sign_in(other.email)  # same address, another account: not limited
    assert (
        elsewhere.post("/settings/tokens", {**token, "current_password": PASSWORD}).status_code
        == 302
    )


def test_right_current_passwords_do_not_count_against_the_limit(as_reviewer):
    for n in range(7):
        form = {"name": f"Sheet {n}", "scope": "read", "current_password": PASSWORD}
        assert as_reviewer.post("/settings/tokens", form).status_code == 302


def test_an_admin_cannot_add_an_address_with_letters_outside_ascii_before_the_at(as_admin, session):
    form = {"email": "jörg@newsroom.example", "role": "reviewer", "password": "a long passphrase"}
    response = as_admin.post("/admin/users", form)
    assert response.status_code == 422
    assert "must have only ASCII letters before the @" in text(response)
    assert 'value="jörg@newsroom.example"' in text(response)
    assert session.query(User).filter(User.email.like("j%rg@%")).count() == 0


def test_settings_tell_a_reader_whose_address_cannot_be_mailed_why(browser, factory, session):
    reader = factory.user(role="reviewer", password=PASSWORD)
    reader.email = "jörg@newsroom.example"  # from before such addresses were refused
    session.commit()
    browser.sign_in(reader.email)
    page = text(browser.get("/settings"))
    assert "No digest can be sent to you" in page
    assert "letters outside ASCII before the @" in page

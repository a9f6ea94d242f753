"""Security headers, cookie flags per environment, CSRF, and safe redirects."""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.accounts.tokens import create_token
from app.security import safe_next
from tests.conftest import NOW, app_config
from tests.web.conftest import PASSWORD


def test_every_response_carries_the_security_headers(as_reviewer):
    for path in ["/sign-in", "/claims", "/dashboard", "/assets/claimwatch.css", "/healthz"]:
        response = as_reviewer.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "'unsafe-inline'" not in csp
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
            assert directive in csp, (path, directive)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(as_reviewer, factory, session):
    claim = factory.claim(actor=factory.user(role="reviewer"))
    session.commit()
    for path in ["/claims", f"/claims/{claim.id}", "/dashboard", "/sources", "/settings"]:
        html = as_reviewer.get(path).get_data(as_text=True)
        # Scripts only from files of our own (a copy button), never inline.
        assert re.search(r"<script(?![^>]*\bsrc=\"/assets/)", html) is None, path
        assert "<style" not in html and "style=" not in html, path


def test_development_cookies_are_httponly_and_lax_without_secure(browser, reviewer, session):
    session.commit()
    browser.sign_in(reviewer.email)
    cookie = browser.client.get_cookie("claimwatch_session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert not cookie.secure


def test_production_cookies_are_secure_with_a_host_prefix(database_url, connection, tmp_path):
    app = create_app(
        {
            **app_config(database_url, DB_BIND=connection, INSTANCE_PATH=str(tmp_path)),
            "CLAIMWATCH_ENV": "production",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",  # never reached by a GET
        }
    )
    response = app.test_client().get("/sign-in", base_url="https://claimwatch.example")
    set_cookie = response.headers["Set-Cookie"]
    assert set_cookie.startswith("__Host-claimwatch=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in set_cookie
    assert "Domain=" not in set_cookie


def test_a_post_without_a_csrf_token_is_refused(as_reviewer, session):
    response = as_reviewer.client.post(
        "/claims/new", data={"statement": "Forged", "expected_within": "P1W"}
    )
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)


def test_a_post_with_another_sessions_csrf_token_is_refused(new_browser, reviewer, session):
    session.commit()
    mine, theirs = new_browser(), new_browser()
    mine.sign_in(reviewer.email)
    theirs.get("/sign-in")
    response = mine.client.post(
        "/claims/new",
        data={"csrf_token": theirs.token, "statement": "Forged", "expected_within": "P1W"},
    )
    assert response.status_code == 400


def test_sign_in_itself_needs_a_csrf_token(app, reviewer, session):
    session.commit()
    response = app.test_client().post(
        "/sign-in", data={"email": reviewer.email, "password": PASSWORD}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/claims/3", "/claims/3"),
        ("/claims?status=overdue", "/claims?status=overdue"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/claims\r\nLocation: https://evil.example", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_safe_next_allows_only_our_own_paths(target, expected):
    assert safe_next(target) == expected


def test_pages_and_api_answers_are_never_stored(as_reviewer, reviewer, session):
    _, secret = create_token(session, reviewer, NOW, "script", "read")
    session.commit()
    answers = {
        path: as_reviewer.get(path)
        for path in ["/settings", "/claims", "/dashboard", "/admin/users", "/sign-in", "/nope"]
    }
    answers["new token"] = as_reviewer.post(
        "/settings/tokens", {"name": "Sheet", "scope": "read", "current_password": PASSWORD}
    )
    answers["new feed key"] = as_reviewer.post("/settings/feed-key")
    api = as_reviewer.client
    answers["api read"] = api.get("/api/v1/claims", headers={"Authorization": f"Bearer {secret}"})
    answers["api refusal"] = api.get("/api/v1/claims")
    answers["feed"] = api.get("/feeds/overdue.atom?key=nothing")
    assert answers["new token"].status_code == 302  # to the page that shows it, once
    answers["token shown"] = as_reviewer.get("/settings")
    assert "cw_" in answers["token shown"].get_data(as_text=True)
    assert answers["api read"].status_code == 200
    for name, response in answers.items():
        assert response.headers.get("Cache-Control") == "no-store", name
    # The stylesheet holds nothing personal and may be cached (revalidated) as before.
    assert "no-store" not in as_reviewer.get("/assets/claimwatch.css").headers["Cache-Control"]


def test_strict_transport_security_is_sent_in_production_only(
    database_url, connection, tmp_path, client
):
    config = app_config(database_url, DB_BIND=connection, INSTANCE_PATH=str(tmp_path))
    production = create_app(
        {**config, "CLAIMWATCH_ENV": "production", "WEB_CONCURRENCY": "1"}
    ).test_client()
    for path in ["/sign-in", "/api/v1/claims", "/healthz"]:
        response = production.get(path, base_url="https://claimwatch.example")
        hsts = response.headers["Strict-Transport-Security"]
        assert hsts == "max-age=31536000; includeSubDomains", path
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers

"""What an adversarial review sent, through the face where each was found: nothing a request
sends can break a page, the feed or an export for good (issue 14, findings 2 and 3)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
from sqlalchemy import update

from app.accounts.users import regenerate_feed_key
from app.models import Claim
from tests.api.conftest import Api, token_for
from tests.conftest import NOW
from tests.web.conftest import PASSWORD, Browser, quick_hashing  # noqa: F401  (autouse)

NOT_TEXT = ["\udfff", "\ud800x", "a\ufffeb", "\uffff", "nul\x00byte"]


@pytest.fixture
def api(client, session, factory) -> Api:
    return Api(client, token_for(session, factory.reviewer, "write"))


def signed_in(app, factory, session, timezone: str = "UTC", role: str = "reviewer") -> Browser:
    user = factory.user(role=role, password=PASSWORD, timezone=timezone)
    session.commit()
    browser = Browser(app.test_client())
    browser.sign_in(user.email)
    return browser


def raw_json(api: Api, method: str, path: str, text: str):
    """A body sent as written (json.dumps keeps a lone surrogate as a \\u escape)."""
    return api.request(
        method, path, data=text.encode(), headers={"Content-Type": "application/json"}
    )


@pytest.mark.parametrize("bad", NOT_TEXT)
def test_text_that_cannot_be_stored_is_refused_naming_the_field(api, factory, session, bad):
    claim = factory.claim()
    session.commit()
    comment = raw_json(api, "POST", f"/claims/{claim.id}/comments", json.dumps({"body": bad}))
    assert comment.status_code == 422
    created = raw_json(
        api, "POST", "/claims", json.dumps({"statement": bad, "expected_within": "P2W"})
    )
    assert created.status_code == 422
    if "\ud800" not in bad and "\udfff" not in bad:  # these never parse: the body is refused
        assert "statement" in created.json["errors"]
        assert "comment" not in comment.json and "body" in comment.json["errors"]


def test_a_refused_comment_leaves_the_claim_page_and_the_export_working(
    app, api, factory, session, runner, tmp_path
):
    claim = factory.claim()
    session.commit()
    assert (
        raw_json(api, "POST", f"/claims/{claim.id}/comments", '{"body": "\\udfff"}').status_code
        == 422
    )
    browser = signed_in(app, factory, session)
    assert browser.get(f"/claims/{claim.id}").status_code == 200
    out = tmp_path / "backup.jsonl"
    result = runner.invoke(args=["claims", "export", str(out), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    assert all(json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())


def test_the_web_form_refuses_a_noncharacter_beside_the_field(app, factory, session):
    browser = signed_in(app, factory, session)
    response = browser.post("/claims/new", {"statement": "A\ufffeB", "window_end": "2026-12-31"})
    assert response.status_code == 422
    assert "U+FFFE" in response.get_data(as_text=True)


def test_the_feed_stays_valid_xml_even_for_text_stored_before_the_checks(
    app, client, factory, session
):
    claim = factory.claim(window_end=NOW - timedelta(days=2))
    reader = factory.user(role="viewer")
    key = regenerate_feed_key(reader)
    session.commit()
    # Written behind the domain's back, as an older version could have stored it.
    session.execute(
        update(Claim).where(Claim.id == claim.id).values(statement="Old \ufffe text \x07")
    )
    session.commit()
    from app.sweep import flag_overdue_claims

    flag_overdue_claims(session, NOW)
    response = client.get(f"/feeds/overdue.atom?key={key}")
    assert response.status_code == 200
    feed = ElementTree.fromstring(response.data)  # raises on invalid XML
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert "Old \ufffd text \ufffd" in titles


@pytest.mark.parametrize("instant", ["9999-12-31T23:00:00Z", "0001-01-01T01:00:00Z", "9999-12-31"])
def test_instants_at_the_ends_of_the_calendar_are_refused_on_every_write(
    api, factory, session, instant
):
    claim = factory.claim()
    session.commit()
    created = api.post("/claims", {"statement": "Far", "window_end": instant})
    assert created.status_code == 422 and "window_end" in created.json["errors"]
    extended = api.post(f"/claims/{claim.id}/extend", {"window_end": instant, "reason": "x"})
    assert extended.status_code == 422 and "window_end" in extended.json["errors"]
    etag = {"If-Match": f'"{claim.id}-v1"'}
    patched = api.patch(f"/claims/{claim.id}", {"window_start": instant}, headers=etag)
    assert patched.status_code == 422 and "window_start" in patched.json["errors"]


@pytest.mark.parametrize(
    "query",
    [
        "window_end_before=9999-12-31",
        "window_end_after=0001-01-01T00:00:00%2B01:00",
        "cursor=WyJ3aW5kb3dfZW5kIiwiOTk5OS0xMi0zMVQyMzowMDowMC0wNTowMCIsMV0",
        "source=2147483648",
        "assignee=99999999999999999999",
    ],
)
def test_list_parameters_out_of_range_are_401_without_a_token_and_422_with_one(api, client, query):
    assert client.get(f"/api/v1/claims?{query}").status_code == 401
    assert api.get(f"/claims?{query}").status_code == 422


def test_a_cursor_with_an_id_past_32_bits_is_a_422(api, factory, session):
    from app.claims.cursor import Cursor

    cursor = Cursor("window_end", NOW, 2**31).encode()
    assert api.get(f"/claims?cursor={cursor}").status_code == 422


def test_a_body_nested_deeper_than_json_allows_is_a_422(api):
    deep = "[" * 100_000 + "]" * 100_000
    response = raw_json(api, "POST", "/claims", deep)
    assert response.status_code == 422
    assert "body" in response.json["errors"]


@pytest.mark.parametrize(
    ("zone", "window_end"),
    [
        ("Pacific/Kiritimati", datetime(2199, 12, 31, 23, 0, tzinfo=UTC)),
        ("America/Los_Angeles", datetime(1900, 1, 1, 1, 0, tzinfo=UTC)),
        ("Pacific/Kiritimati", datetime(9999, 12, 31, 23, 0)),
        ("Pacific/Pago_Pago", datetime(1, 1, 1, 1, 0)),
    ],
)
def test_pages_show_instants_at_the_ends_of_the_calendar_in_any_zone(
    app, factory, session, zone, window_end
):
    """The limits (1900-2199) hold on input; a value stored before them (the last two, written
    behind the domain's back) still renders in every viewer's zone."""
    claim = factory.claim()
    session.commit()
    stored = window_end if window_end.tzinfo else window_end.replace(tzinfo=UTC)
    if window_end.tzinfo is None:
        # Beyond what Python converts to a viewer's zone: the page falls back to UTC.
        session.execute(update(Claim).where(Claim.id == claim.id).values(window_end=stored))
    else:
        session.execute(update(Claim).where(Claim.id == claim.id).values(window_end=stored))
    session.commit()
    browser = signed_in(app, factory, session, timezone=zone)
    for path in ("/claims", f"/claims/{claim.id}", "/dashboard", "/sources"):
        assert browser.get(path).status_code == 200, path


def test_ids_past_32_bits_in_web_paths_are_404s(app, factory, session):
    browser = signed_in(app, factory, session, role="admin")
    assert browser.get("/claims/99999999999").status_code == 404
    assert browser.get("/claims/99999999999/edit").status_code == 404
    assert browser.post("/settings/tokens/99999999999/revoke").status_code == 404
    assert browser.post("/admin/users/99999999999", {"role": "viewer"}).status_code == 404


def test_an_edit_form_with_a_forged_version_is_refused_not_a_500(app, factory, session):
    claim = factory.claim()
    browser = signed_in(app, factory, session)
    response = browser.post(f"/claims/{claim.id}/edit", {"statement": "Changed", "version": "abc"})
    assert response.status_code == 409
    session.expire_all()
    assert session.get(Claim, claim.id).statement != "Changed"


def test_a_token_lifetime_past_any_calendar_is_a_422(app, factory, session):
    browser = signed_in(app, factory, session)
    browser.get("/settings")
    response = browser.post(
        "/settings/tokens",
        {"name": "far", "scope": "read", "expires_in": "99999999", "current_password": PASSWORD},
    )
    assert response.status_code == 422
    assert "expires" in response.get_data(as_text=True).lower()

"""Sign-in limits when someone is guessing: elsewhere, behind a proxy, across processes."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator

import pytest
import redis
from flask import Flask

from app import create_app
from tests.conftest import app_config
from tests.web.conftest import PASSWORD, Browser

ATTACKER = {"REMOTE_ADDR": "203.0.113.66"}
OWNER_HOME = {"REMOTE_ADDR": "198.51.100.20"}
PROXY = "10.0.0.2"  # the load balancer's own address, which the app sees without ProxyFix
REDIS_URL = "redis://127.0.0.1:6379/0"


def attempts(app: Flask, email: str, password: str, times: int, **kw) -> list[int]:
    return [
        Browser(app.test_client()).sign_in(email, password, **kw).status_code for _ in range(times)
    ]


def test_a_guesser_elsewhere_cannot_lock_the_owner_out_of_their_own_browser(
    app, new_browser, reviewer, session
):
    session.commit()
    owner = new_browser()
    assert owner.sign_in(reviewer.email, environ_base=OWNER_HOME).status_code == 302
    assert owner.post("/sign-out").status_code == 302

    assert attempts(app, reviewer.email, "guess", 6, environ_base=ATTACKER) == [401] * 5 + [429]
    # Any browser that has not signed in to the account is locked out, also at the owner's
    # address, and also with the right password...
    assert attempts(app, reviewer.email, PASSWORD, 1, environ_base=OWNER_HOME) == [429]
    # ...but the owner's own browser still gets in.
    assert owner.sign_in(reviewer.email, environ_base=OWNER_HOME).status_code == 302


def test_a_known_browser_has_its_own_five_failures_and_spends_nobody_elses(
    app, new_browser, reviewer, session
):
    session.commit()
    owner = new_browser()
    owner.sign_in(reviewer.email)
    owner.post("/sign-out")
    assert [owner.sign_in(reviewer.email, "typo").status_code for _ in range(5)] == [401] * 5
    assert owner.sign_in(reviewer.email).status_code == 429
    # The owner's typos did not lock the account for everyone else.
    assert attempts(app, reviewer.email, PASSWORD, 1) == [302]


def test_a_device_cookie_helps_only_with_the_account_it_was_earned_for(
    new_browser, reviewer, viewer, session
):
    session.commit()
    insider = new_browser()
    insider.sign_in(viewer.email)
    insider.post("/sign-out")
    statuses = [insider.sign_in(reviewer.email, "guess").status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]

    forger = new_browser()
    forger.client.set_cookie("claimwatch_device", "forged.value")
    assert forger.sign_in(reviewer.email).status_code == 429


def test_the_device_cookie_is_httponly_and_in_production_secure_with_a_host_prefix(
    database_url, connection, tmp_path, reviewer, session
):
    session.commit()
    production = create_app(
        {
            **app_config(database_url, DB_BIND=connection, INSTANCE_PATH=str(tmp_path)),
            "CLAIMWATCH_ENV": "production",
            "WEB_CONCURRENCY": "1",  # one web process: its memory:// counts are all there are
        }
    )
    browser = Browser(production.test_client())
    browser.get("/sign-in", base_url="https://claimwatch.example")
    response = browser.post(
        "/sign-in",
        {"email": reviewer.email, "password": PASSWORD},
        base_url="https://claimwatch.example",
        headers={"Referer": "https://claimwatch.example/sign-in"},  # CSRF checks it on https
    )
    assert response.status_code == 302
    device = next(c for c in response.headers.getlist("Set-Cookie") if "device" in c)
    assert device.startswith("__Host-claimwatch-device=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=31536000"):
        assert flag in device
    assert reviewer.email not in device
    assert "Domain=" not in device


# --- a proxy in front: TRUSTED_PROXY_HOPS


@pytest.fixture
def behind_one_proxy(database_url, connection, tmp_path) -> Flask:
    return create_app(
        app_config(
            database_url, DB_BIND=connection, INSTANCE_PATH=str(tmp_path), TRUSTED_PROXY_HOPS="1"
        )
    )


def via_proxy(forwarded_for: str) -> dict:
    """What the app receives from the proxy: its own address, and X-Forwarded-For with the
    client's address appended to whatever the client sent."""
    return {"environ_base": {"REMOTE_ADDR": PROXY}, "headers": {"X-Forwarded-For": forwarded_for}}


def guesses_on_seven_accounts(app: Flask, factory, session, **kw) -> list[int]:
    """Twenty refused attempts spread over seven accounts (under each account's limit)."""
    emails = [factory.user(password=PASSWORD).email for _ in range(7)]
    session.commit()
    tries = [email for email in emails for _ in range(3)][:20]
    return [Browser(app.test_client()).sign_in(e, "guess", **kw).status_code for e in tries]


def test_behind_a_proxy_each_client_is_limited_by_its_own_address(
    behind_one_proxy, factory, session
):
    app = behind_one_proxy
    assert (
        guesses_on_seven_accounts(app, factory, session, **via_proxy("203.0.113.5")) == [401] * 20
    )
    someone = factory.user(password=PASSWORD)
    session.commit()
    assert attempts(app, someone.email, PASSWORD, 1, **via_proxy("203.0.113.5")) == [429]
    # Everyone else behind the same proxy still signs in.
    assert attempts(app, someone.email, PASSWORD, 1, **via_proxy("192.0.2.44")) == [302]


def test_a_client_cannot_pick_its_address_with_x_forwarded_for(app, behind_one_proxy):
    # One proxy trusted: only the entry it appended counts; what the client put before it,
    # e.g. a new made-up address on every try, changes nothing.
    proxied = behind_one_proxy
    statuses = [
        Browser(proxied.test_client())
        .sign_in(f"nobody{n}@newsroom.example", "guess", **via_proxy(f"192.0.2.{n}, 203.0.113.5"))
        .status_code
        for n in range(21)
    ]
    assert statuses == [401] * 20 + [429]

    # No proxy trusted (the default): X-Forwarded-For is not read at all.
    direct = {"environ_base": ATTACKER}
    statuses = [
        Browser(app.test_client())
        .sign_in(
            f"nobody{n}@newsroom.example",
            "guess",
            headers={"X-Forwarded-For": f"192.0.2.{n}"},
            **direct,
        )
        .status_code
        for n in range(21)
    ]
    assert statuses == [401] * 20 + [429]


# --- several processes: RATELIMIT_STORAGE_URI


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own in the local Redis, removed afterwards."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("needs Redis on 127.0.0.1:6379 (CI starts it)")
    prefix = f"claimwatch-test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    client.close()


def process_config(database_url, connection, tmp_path, storage: str, prefix: str) -> dict:
    return {
        **app_config(database_url, DB_BIND=connection, INSTANCE_PATH=str(tmp_path)),
        "RATELIMIT_STORAGE_URI": storage,
        "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": prefix},
    }


def test_with_redis_two_processes_share_the_counts(
    database_url, connection, tmp_path, reviewer, session, redis_prefix
):
    session.commit()
    config = process_config(database_url, connection, tmp_path, REDIS_URL, redis_prefix)
    first = create_app(config)
    assert attempts(first, reviewer.email, "guess", 5) == [401] * 5
    # A second app builds its own storage client, as a second web process does.
    second = create_app(config)
    assert attempts(second, reviewer.email, PASSWORD, 1) == [429]


def test_with_memory_storage_each_process_counts_alone(
    database_url, connection, tmp_path, reviewer, session
):
    # Why production refuses memory:// (tests/test_config.py): every process has a limit.
    session.commit()
    config = process_config(database_url, connection, tmp_path, "memory://", "unused")
    first = create_app(config)
    assert attempts(first, reviewer.email, "guess", 5) == [401] * 5
    second = create_app(config)
    assert attempts(second, reviewer.email, PASSWORD, 1) == [302]


def test_a_dead_counter_store_lets_sign_in_go_ahead(
    database_url, connection, tmp_path, reviewer, session
):
    session.commit()
    nothing_listens = "redis://127.0.0.1:9/0"
    app = create_app(process_config(database_url, connection, tmp_path, nothing_listens, "x"))
    assert attempts(app, reviewer.email, "guess", 6) == [401] * 6
    assert attempts(app, reviewer.email, PASSWORD, 1) == [302]

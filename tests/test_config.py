"""Settings are validated at start-up and a bad one is named in the error."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import create_app
from app.config import ConfigError, load_settings

BASE = {"CLAIMWATCH_ENV": "testing", "SECRET_KEY": "k" * 32}


def test_production_needs_a_secret_key():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings({"CLAIMWATCH_ENV": "production"})


def test_development_generates_and_keeps_a_key(tmp_path):
    env = {"CLAIMWATCH_ENV": "development", "INSTANCE_PATH": str(tmp_path)}
    first = load_settings(env).secret_key
    assert len(first) > 30
    assert load_settings(env).secret_key == first


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://db/claims"),
        ("DATABASE_URL", "not a url"),
        ("SWEEP_INTERVAL", "often"),
        ("WATCH_INTERVAL", "hourly"),
        ("WATCH_INTERVAL", "0"),
        ("OVERDUE_GRACE", "-5m"),
        ("DIGEST_SKIP_EMPTY", "perhaps"),
        ("ALLOW_PRIVATE_URLS", "sometimes"),
        ("PUBLIC_URL", "javascript:alert(1)"),
        ("SMTP_URL", "http://mail.example"),
        ("MAIL_FROM", "nobody"),
        ("CLAIMWATCH_ENV", "staging"),
        ("API_AUTH_FAILURE_LIMIT", "lots"),
        ("API_AUTH_FAILURE_LIMIT", "0 per minute"),
        ("SESSION_IDLE_TIMEOUT", "a while"),
        ("SESSION_IDLE_TIMEOUT", "1m"),
        ("SESSION_ABSOLUTE_TIMEOUT", "1h"),
        ("RATELIMIT_STORAGE_URI", "memcached://cache:11211"),
        ("TRUSTED_PROXY_HOPS", "-1"),
        ("TRUSTED_PROXY_HOPS", "two"),
        ("TRUSTED_PROXY_HOPS", "11"),
        ("SMTP_URL", "smtp://mail.example?starttls=maybe"),
        ("SMTP_URL", "smtp://desk:secret@mail.example:587?starttls=off"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_it(name, value):
    with pytest.raises(ConfigError, match=name):
        create_app({**BASE, name: value})


def test_durations_and_defaults():
    settings = load_settings({**BASE, "SWEEP_INTERVAL": "2m", "OVERDUE_GRACE": "1h"})
    assert settings.sweep_interval == timedelta(minutes=2)
    assert settings.overdue_grace == timedelta(hours=1)
    assert settings.digest_skip_empty is True
    assert settings.allow_private_urls is False
    assert settings.api_auth_failure_limit == "20 per minute"
    assert settings.session_idle_timeout == timedelta(hours=12)
    assert settings.session_absolute_timeout == timedelta(days=7)
    assert settings.watch_interval == timedelta(minutes=15)
    assert load_settings({**BASE, "WATCH_INTERVAL": "1h"}).watch_interval == timedelta(hours=1)
    assert settings.database_url.startswith("sqlite:///")
    assert settings.ratelimit_storage_uri == "memory://"
    assert settings.trusted_proxy_hops == 0


def test_postgres_urls_use_psycopg_3():
    settings = load_settings({**BASE, "DATABASE_URL": "postgresql://u@db.internal/claims"})
    assert settings.database_url.startswith("postgresql+psycopg://")


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("true", True), ("0", False)])
def test_allow_private_urls_is_read_as_a_boolean(raw, expected):
    settings = load_settings({**BASE, "ALLOW_PRIVATE_URLS": raw})
    assert settings.allow_private_urls is expected


def test_session_limits_are_read_as_durations():
    settings = load_settings(
        {**BASE, "SESSION_IDLE_TIMEOUT": "30m", "SESSION_ABSOLUTE_TIMEOUT": "1d"}
    )
    assert (settings.session_idle_timeout, settings.session_absolute_timeout) == (
        timedelta(minutes=30),
        timedelta(days=1),
    )


PRODUCTION = {"CLAIMWATCH_ENV": "production", "SECRET_KEY": "k" * 32}


@pytest.mark.parametrize("storage", [None, "memory://"])
def test_production_refuses_rate_limit_counts_kept_per_process(storage):
    env = {**PRODUCTION, **({"RATELIMIT_STORAGE_URI": storage} if storage else {})}
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI") as refused:
        load_settings(env)
    assert "\n" not in str(refused.value)
    assert "WEB_CONCURRENCY=1" in str(refused.value)


def test_production_takes_redis_or_memory_with_a_single_web_process():
    redis = {**PRODUCTION, "RATELIMIT_STORAGE_URI": "redis://cache.internal:6379/0"}
    assert load_settings(redis).ratelimit_storage_uri == "redis://cache.internal:6379/0"
    single = {**PRODUCTION, "RATELIMIT_STORAGE_URI": "memory://", "WEB_CONCURRENCY": "1"}
    assert load_settings(single).ratelimit_storage_uri == "memory://"
    development = {"CLAIMWATCH_ENV": "development", "SECRET_KEY": "k" * 32}
    assert load_settings(development).ratelimit_storage_uri == "memory://"


def test_trusted_proxy_hops_is_read_as_a_number():
    assert load_settings({**BASE, "TRUSTED_PROXY_HOPS": "2"}).trusted_proxy_hops == 2


def test_an_smtp_login_must_be_encrypted_and_its_password_is_never_shown():
    with pytest.raises(ConfigError, match="unencrypted") as refused:
        load_settings({**BASE, "SMTP_URL": "smtp://desk:s3cret@mail.example:587?starttls=off"})
    assert "s3cret" not in str(refused.value)
    with pytest.raises(ConfigError, match="SMTP_URL") as refused:
        load_settings({**BASE, "SMTP_URL": "http://desk:s3cret@mail.example"})
    assert "s3cret" not in str(refused.value)
    for fine in (
        "smtp://relay.internal:25?starttls=off",  # no login: a local relay may be plain
        "smtp://desk:s3cret@mail.example:587",  # auto: STARTTLS, required with a login
        "smtp://desk:s3cret@mail.example:587?starttls=require",
        "smtps://desk:s3cret@mail.example",
    ):
        assert load_settings({**BASE, "SMTP_URL": fine}).smtp_url == fine


def test_secret_key_fallbacks_are_a_comma_separated_list_that_old_session_cookies_pass(tmp_path):
    settings = load_settings({**BASE, "SECRET_KEY_FALLBACKS": " old-key-1 , old-key-2,"})
    assert settings.secret_key_fallbacks == ("old-key-1", "old-key-2")
    assert load_settings(BASE).secret_key_fallbacks == ()

    old = create_app({**BASE, "SECRET_KEY": "old-key-1", "INSTANCE_PATH": str(tmp_path)})
    cookie = old.session_interface.get_signing_serializer(old).dumps({"seen": 1})
    rotated = create_app(
        {**BASE, "SECRET_KEY_FALLBACKS": "old-key-1", "INSTANCE_PATH": str(tmp_path)}
    )
    assert rotated.session_interface.get_signing_serializer(rotated).loads(cookie) == {"seen": 1}

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
    assert settings.database_url.startswith("sqlite:///")


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

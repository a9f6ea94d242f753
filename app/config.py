"""Settings read from the environment and validated once, at start-up."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from limits import parse_many
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

ENVIRONMENTS = ("production", "development", "testing")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"


class ConfigError(ValueError):
    """A setting is missing or has a value Claimwatch cannot use; the message names it."""


@dataclass(frozen=True)
class Settings:
    """Validated settings; built from the environment by `load_settings`."""

    env: str
    secret_key: str
    # Earlier SECRET_KEYs, still accepted while they are rotated out (sessions, webhook secrets).
    secret_key_fallbacks: tuple[str, ...]
    database_url: str
    instance_path: Path
    public_url: str
    smtp_url: str | None
    mail_from: str
    sweep_interval: timedelta
    watch_interval: timedelta
    overdue_grace: timedelta
    digest_skip_empty: bool
    allow_private_urls: bool
    ratelimit_storage_uri: str
    api_auth_failure_limit: str
    session_idle_timeout: timedelta
    session_absolute_timeout: timedelta
    trusted_proxy_hops: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def development(self) -> bool:
        return self.env == "development"

    @property
    def production(self) -> bool:
        return self.env == "production"

    def flask_config(self) -> dict[str, Any]:
        """The settings as Flask config keys."""
        cfg = {f.name.upper(): getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        cfg["SECRET_KEY"] = self.secret_key
        cfg["TESTING"] = self.env == "testing"
        cfg.update(self.extra)
        return cfg


def parse_duration(name: str, raw: str) -> timedelta:
    """Parse `300`, `300s`, `5m`, `2h` or `1d` into a timedelta; the error names the setting."""
    text = raw.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    number, unit = (text[:-1], text[-1]) if text and text[-1] in units else (text, "s")
    try:
        value = float(number)
    except ValueError:
        raise ConfigError(
            f"{name}={raw!r} is not a duration; use seconds or a number with s, m, h or d (e.g. 5m)"
        ) from None
    if value < 0:
        raise ConfigError(f"{name}={raw!r} must not be negative")
    return timedelta(seconds=value * units[unit])


def parse_bool(name: str, raw: str) -> bool:
    """Parse the usual spellings of a boolean; the error names the setting."""
    text = raw.strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean; use true or false")


def check_rate_limit(name: str, raw: str) -> str:
    """A rate limit such as `20 per minute` (several joined by `;`); the error names it."""
    try:
        limits = parse_many(raw)
    except ValueError:
        limits = []
    if not limits or any(limit.amount < 1 for limit in limits):
        raise ConfigError(
            f"{name}={raw!r} is not a rate limit; use e.g. 20 per minute or 20/minute;200/day"
        )
    return raw.strip()


def session_timeouts(env_vars: Mapping[str, str]) -> tuple[timedelta, timedelta]:
    """SESSION_IDLE_TIMEOUT (default 12h) and SESSION_ABSOLUTE_TIMEOUT (default 7d)."""
    idle = parse_duration("SESSION_IDLE_TIMEOUT", env_vars.get("SESSION_IDLE_TIMEOUT") or "12h")
    absolute = parse_duration(
        "SESSION_ABSOLUTE_TIMEOUT", env_vars.get("SESSION_ABSOLUTE_TIMEOUT") or "7d"
    )
    # A session's last-seen time is kept to the minute, so shorter idle limits would end
    # sessions of people who are still at work.
    if idle < timedelta(minutes=5):
        raise ConfigError("SESSION_IDLE_TIMEOUT must be at least 5 minutes (e.g. 12h)")
    if absolute < idle:
        raise ConfigError(
            "SESSION_ABSOLUTE_TIMEOUT must be at least SESSION_IDLE_TIMEOUT (e.g. 7d)"
        )
    return idle, absolute


# Flask-Limiter storages whose client Claimwatch ships (redis-py); memory:// is per process.
SHARED_RATELIMIT_STORAGES = ("redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster")


def check_rate_limit_storage(env: str, raw: str | None, web_concurrency: str | None) -> str:
    """Where sign-in and token-failure counts are kept; the error names RATELIMIT_STORAGE_URI.

    memory:// counts per process: with several web processes an attacker gets the limit once
    per process. Production therefore needs shared storage (Redis), unless WEB_CONCURRENCY=1
    says the server runs a single web process.
    """
    uri = (raw or "").strip() or "memory://"
    scheme = urlsplit(uri).scheme
    if scheme == "memory":
        single_process = (web_concurrency or "").strip() == "1"
        if env == "production" and not single_process:
            raise ConfigError(
                "RATELIMIT_STORAGE_URI must name shared storage in production (e.g. "
                "redis://host:6379): memory:// counts sign-in attempts per process "
                "(allowed only with WEB_CONCURRENCY=1)"
            )
    elif scheme not in SHARED_RATELIMIT_STORAGES:
        raise ConfigError(
            f"RATELIMIT_STORAGE_URI={uri!r} is not a storage Claimwatch supports; "
            "use redis://host:6379 (or memory:// outside production)"
        )
    return uri


def parse_proxy_hops(raw: str) -> int:
    """TRUSTED_PROXY_HOPS: how many proxies in front of us add to X-Forwarded-For."""
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or int(text) > 10:
        raise ConfigError(
            f"TRUSTED_PROXY_HOPS={raw!r} must be the number of proxies in front of Claimwatch "
            "(0 to 10; 0 when clients connect directly)"
        )
    return int(text)


def check_database_url(raw: str) -> str:
    """Refuse a DATABASE_URL that is not SQLite or PostgreSQL, naming the setting."""
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(f"DATABASE_URL={raw!r} is not a database URL") from None
    backend = url.get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise ConfigError(
            f"DATABASE_URL uses {backend!r}; Claimwatch supports sqlite and postgresql"
        )
    if backend == "postgresql":
        if url.drivername in {"postgresql", "postgres"}:
            url = url.set(drivername="postgresql+psycopg")
        if not url.host and not url.query.get("host"):
            raise ConfigError("DATABASE_URL for postgresql needs a host")
    return url.render_as_string(hide_password=False)


def check_url(name: str, raw: str, schemes: set[str]) -> str:
    """Refuse a URL setting whose scheme is not one of `schemes` or which has no host."""
    parts = urlsplit(raw)
    if parts.scheme not in schemes or not parts.hostname:
        allowed = " or ".join(sorted(schemes))
        shown = raw.replace(f":{parts.password}@", ":***@") if parts.password else raw
        raise ConfigError(f"{name}={shown!r} must be an {allowed} URL with a host")
    return raw.rstrip("/") if name == "PUBLIC_URL" else raw


def check_smtp_url(raw: str) -> str:
    """SMTP_URL, refused when it would send the SMTP password over an unencrypted connection."""
    url = check_url("SMTP_URL", raw, {"smtp", "smtps"})
    parts = urlsplit(url)
    starttls = parse_qs(parts.query).get("starttls", ["auto"])[0]
    if starttls not in {"auto", "require", "off"}:
        raise ConfigError(f"SMTP_URL ?starttls={starttls} must be auto, require or off")
    if parts.scheme == "smtp" and parts.username and starttls == "off":
        raise ConfigError(
            "SMTP_URL has a login and ?starttls=off, which would send the SMTP password "
            "unencrypted; use STARTTLS (auto or require) or smtps://"
        )
    return url


def development_secret(instance_path: Path) -> str:
    """A generated key kept in instance/ so development sessions survive restarts."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every setting; raise ConfigError naming the first bad one."""
    env_vars = os.environ if environ is None else environ
    env = env_vars.get("CLAIMWATCH_ENV", "production").strip() or "production"
    if env not in ENVIRONMENTS:
        raise ConfigError(f"CLAIMWATCH_ENV={env!r} must be one of {', '.join(ENVIRONMENTS)}")
    instance_path = Path(env_vars.get("INSTANCE_PATH") or DEFAULT_INSTANCE)

    secret_key = env_vars.get("SECRET_KEY", "")
    if not secret_key:
        if env == "production":
            raise ConfigError("SECRET_KEY is required when CLAIMWATCH_ENV is production")
        secret_key = development_secret(instance_path) if env == "development" else "testing"
    elif env == "production" and len(secret_key) < 16:
        raise ConfigError("SECRET_KEY is too short; use at least 16 random characters")
    fallbacks = tuple(
        key.strip() for key in env_vars.get("SECRET_KEY_FALLBACKS", "").split(",") if key.strip()
    )

    default_db = f"sqlite:///{instance_path / 'claimwatch.db'}"
    database_url = check_database_url(env_vars.get("DATABASE_URL") or default_db)
    public_url = check_url(
        "PUBLIC_URL",
        env_vars.get("PUBLIC_URL") or "http://localhost:8000",
        {"http", "https"},
    )
    smtp_raw = env_vars.get("SMTP_URL") or None
    smtp_url = check_smtp_url(smtp_raw) if smtp_raw else None
    mail_from = env_vars.get("MAIL_FROM") or "Claimwatch <claimwatch@localhost>"
    if "@" not in mail_from or any(ch in mail_from for ch in "\r\n"):
        raise ConfigError(f"MAIL_FROM={mail_from!r} is not an email address")

    sweep_interval = parse_duration("SWEEP_INTERVAL", env_vars.get("SWEEP_INTERVAL", "5m"))
    if sweep_interval < timedelta(seconds=1):
        raise ConfigError("SWEEP_INTERVAL must be at least one second")
    watch_interval = parse_duration("WATCH_INTERVAL", env_vars.get("WATCH_INTERVAL", "15m"))
    if watch_interval < timedelta(seconds=1):
        raise ConfigError("WATCH_INTERVAL must be at least one second")
    session_idle_timeout, session_absolute_timeout = session_timeouts(env_vars)
    return Settings(
        env=env,
        secret_key=secret_key,
        secret_key_fallbacks=fallbacks,
        database_url=database_url,
        instance_path=instance_path,
        public_url=public_url,
        smtp_url=smtp_url,
        mail_from=mail_from,
        sweep_interval=sweep_interval,
        watch_interval=watch_interval,
        overdue_grace=parse_duration("OVERDUE_GRACE", env_vars.get("OVERDUE_GRACE", "0")),
        digest_skip_empty=parse_bool(
            "DIGEST_SKIP_EMPTY", env_vars.get("DIGEST_SKIP_EMPTY", "true")
        ),
        allow_private_urls=parse_bool(
            "ALLOW_PRIVATE_URLS", env_vars.get("ALLOW_PRIVATE_URLS", "false")
        ),
        ratelimit_storage_uri=check_rate_limit_storage(
            env, env_vars.get("RATELIMIT_STORAGE_URI"), env_vars.get("WEB_CONCURRENCY")
        ),
        api_auth_failure_limit=check_rate_limit(
            "API_AUTH_FAILURE_LIMIT", env_vars.get("API_AUTH_FAILURE_LIMIT") or "20 per minute"
        ),
        session_idle_timeout=session_idle_timeout,
        session_absolute_timeout=session_absolute_timeout,
        trusted_proxy_hops=parse_proxy_hops(env_vars.get("TRUSTED_PROXY_HOPS") or "0"),
    )

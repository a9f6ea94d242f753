"""Claimwatch: track claims until the truth is known."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import click
from flask import Flask

from app import routing, unit_of_work
from app.claims.policy import DeskPolicy
from app.config import ConfigError, load_settings
from app.db import Database, make_engine


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings → database → blueprints → commands.

    `config` overrides the environment: setting names (e.g. ``DATABASE_URL``) are validated
    like environment variables; any other key goes into ``app.config`` as it is. A ``DB_BIND``
    key (an Engine or a Connection) replaces the engine built from ``DATABASE_URL`` (tests).
    """
    import os

    overrides = dict(config or {})
    bind = overrides.pop("DB_BIND", None)
    environ = {
        **os.environ,
        **{k: str(v) for k, v in overrides.items() if isinstance(v, str)},
    }
    try:
        settings = load_settings(environ)
    except ConfigError as exc:
        if click.get_current_context(silent=True) is not None:
            # A `flask` command: the setting's name and what is wrong, one line, no traceback.
            raise click.ClickException(f"{exc} (see README, Configuration)") from None
        raise

    # No default /static route: the web blueprint serves its assets under /assets.
    app = Flask(__name__, instance_path=str(settings.instance_path.resolve()), static_folder=None)
    app.config.update(settings.flask_config())
    app.config.update({k: v for k, v in overrides.items() if not isinstance(v, str)})
    app.extensions["claimwatch.settings"] = settings
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    if settings.database_url.startswith("sqlite"):
        settings.instance_path.mkdir(parents=True, exist_ok=True)
    policy = DeskPolicy(
        overdue_grace=settings.overdue_grace, watch_interval=settings.watch_interval
    )
    database = Database(bind or make_engine(settings.database_url), policy.connection_options())
    unit_of_work.init_app(app, database)
    routing.init_app(app)

    from app.health import bp as health_bp

    app.register_blueprint(health_bp)

    from app.api import init_api
    from app.web import init_web

    init_api(app)
    init_web(app, settings)

    from app.cli import register_commands

    register_commands(app)
    return app

"""Running the Alembic migrations from code: the CLI, the tests and scripts/run share this."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from app.config import PROJECT_ROOT


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic config for our migrations, pointed at `url` or an open `connection`."""
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
        cfg.attributes["skip_logging"] = True
    return cfg


def upgrade(
    url: str | None = None, connection: Connection | None = None, revision: str = "head"
) -> None:
    """Apply every migration up to `revision`."""
    command.upgrade(alembic_config(url, connection), revision)


def check(url: str | None = None, connection: Connection | None = None) -> None:
    """Raise when the models and the migrated schema disagree (`alembic check`)."""
    command.check(alembic_config(url, connection))

"""Alembic environment: the URL comes from Claimwatch's settings, or a connection from the caller."""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

import app.models  # noqa: F401  (registers every table on the metadata)
from app.config import load_settings
from app.db import Base, make_engine

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata

# Objects that live only in migrations (full-text tables and their shadow tables): autogenerate
# must neither drop nor re-create them.
MIGRATION_ONLY_PREFIXES = ("claims_fts",)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    if name and name.startswith(MIGRATION_ONLY_PREFIXES):
        return False
    return not (type_ == "index" and reflected and compare_to is None and name and "_fts" in name)


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    url = config.get_main_option("sqlalchemy.url") or load_settings().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        run(conn)
    engine.dispose()

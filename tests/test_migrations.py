"""The schema comes from the migrations, and they agree with the models."""

from __future__ import annotations

from app import migrate
from tests.databases import fresh_database


def test_models_and_migrations_agree(database_url, engine):
    migrate.check(database_url)


def test_migrations_downgrade_to_nothing_and_upgrade_again(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        migrate.command.downgrade(migrate.alembic_config(url), "base")
        migrate.upgrade(url)
        migrate.check(url)

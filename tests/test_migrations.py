"""The schema comes from the migrations, and they agree with the models."""

from __future__ import annotations

from sqlalchemy import text

from app import create_app, migrate
from app.claims.percolate import match_terms
from app.claims.terms import words_of
from app.db import make_engine
from app.unit_of_work import get_db
from tests.conftest import app_config
from tests.databases import fresh_database


def test_models_and_migrations_agree(database_url, engine):
    migrate.check(database_url)


def test_migrations_downgrade_to_nothing_and_upgrade_again(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        migrate.command.downgrade(migrate.alembic_config(url), "base")
        migrate.upgrade(url)
        migrate.check(url)


def test_claims_from_before_watches_are_matched_by_their_subject(backend, tmp_path):
    with fresh_database(backend, tmp_path, migrated=False) as url:
        migrate.upgrade(url, revision="0006")
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO claims (id, statement, subject, details, claimant, window_end,"
                    " status, extensions, version, created_at, updated_at) VALUES (5,"
                    " 'DeepSeek V4 will run on Ascend', 'DeepSeek\u2019s V4', '', '',"
                    " '2026-12-12 00:00:00', 'pending', 0, 1, '2026-11-20 09:00:00',"
                    " '2026-11-20 09:00:00')"
                )
            )
        migrate.upgrade(url)
        with engine.connect() as conn:
            found = match_terms(conn, [words_of("DeepSeek V4 is out")])
            watch_terms = conn.execute(text("SELECT watch_terms FROM claims")).scalar_one()
        engine.dispose()
    assert [(m.claim_id, m.term_no) for m in found] == [(5, 0)]
    assert watch_terms in ([], "[]")


def test_sessions_and_feed_keys_from_before_they_were_hashed_keep_working(backend, tmp_path):
    with fresh_database(backend, tmp_path, migrated=False) as url:
        migrate.upgrade(url, revision="0005")
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, name, role, timezone, digest_frequency,"
                    " digest_hour, active, session_token, feed_key, created_at) VALUES"
                    " (7, 'desk@newsroom.example', 'Desk', 'reviewer', 'UTC', 'daily', 8, TRUE,"
                    " 'old-session-token', 'old-feed-key', '2026-11-20 09:00:00')"
                )
            )
        migrate.upgrade(url)
        migrate.check(url)
        with engine.connect() as conn:
            stored = [
                *conn.execute(text("SELECT * FROM users")).one(),
                *conn.execute(text("SELECT * FROM user_sessions")).one(),
            ]
        engine.dispose()
        assert not any("old-" in str(value) for value in stored)

        app = create_app(app_config(url, INSTANCE_PATH=str(tmp_path)))
        client = app.test_client()
        signer = app.session_interface.get_signing_serializer(app)
        cookie = signer.dumps({"_user_id": "7:old-session-token", "_fresh": True})
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        assert client.get("/claims").status_code == 200
        assert client.get("/feeds/overdue.atom?key=old-feed-key").status_code == 200
        get_db(app).engine.dispose()

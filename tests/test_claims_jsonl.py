"""`flask claims export --format jsonl` and its import: a lossless, all-or-nothing restore."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app import create_app
from app.claims import (
    comment_on_claim,
    create_claim,
    edit_claim,
    reopen_claim,
    withdraw_evidence,
)
from app.claims_io.restore_check import compare_restore
from app.db import READ_ONLY
from app.demo import DEMO_EMAIL, load_demo
from app.models import Claim, ClaimEvent, ClaimTag, Evidence, User
from app.unit_of_work import get_db
from tests.conftest import NOW, app_config
from tests.databases import fresh_database
from tests.io_helpers import counts, status_counters_match

LATER = NOW + timedelta(hours=2)


@contextmanager
def empty_database(backend: str, tmp_path) -> Iterator[tuple[FlaskCliRunner, Session]]:
    """A CLI runner and a session on a new, migrated, empty database of the same backend."""
    with fresh_database(backend, tmp_path) as url:
        app = create_app(app_config(url, INSTANCE_PATH=str(tmp_path)))
        engine = get_db(app).engine
        # The CLI runs in the current app context if there is one: make it the target's.
        with app.app_context(), Session(engine.execution_options(**READ_ONLY)) as session:
            yield app.test_cli_runner(), session
        engine.dispose()


@pytest.fixture
def history(session, factory):
    """The demo data plus the rest of the lifecycle: edits, comments, withdrawals, a reopen."""
    load_demo(session, NOW)
    admin = session.scalars(select(User).where(User.email == DEMO_EMAIL)).one()
    other = factory.user(role="reviewer", email="second@newsroom.example", timezone="Asia/Tokyo")
    deepseek, _, _, refuted, _ = session.scalars(select(Claim).order_by(Claim.id)).all()
    evidence = session.scalars(select(Evidence).where(Evidence.claim_id == deepseek.id)).one()
    edit_claim(session, other, LATER, deepseek.id, deepseek.version, {"subject": "DeepSeek V4 ✓"})
    comment_on_claim(session, other, LATER, deepseek.id, "Asked the company; no answer.\nYet.")
    withdraw_evidence(session, admin, LATER, deepseek.id, evidence.id, "Paywalled copy")
    reopen_claim(session, admin, LATER, refuted.id, "The delay was denied")
    create_claim(
        session,
        other,
        LATER,
        {
            "statement": '=HYPERLINK("https://evil.example","Ünïcode ✓ claim")',
            "details": "Line one\nline two",
            "first_seen_url": "https://first.example/seen?q=1",
            "window_start": "2026-11-25T10:30:00.123456Z",
            "window_end": "2026-12-24",
            "tags": ["odd tags", "x.y+z"],
        },
    )
    session.flush()
    return session


def export(runner, path) -> bytes:
    result = runner.invoke(args=["claims", "export", "--format", "jsonl", str(path)])
    assert result.exit_code == 0, result.output
    return path.read_bytes()


def test_round_trip_into_an_empty_database_is_lossless(runner, history, backend, tmp_path):
    first = export(runner, tmp_path / "first.jsonl")
    with empty_database(backend, tmp_path) as (target, restored):
        result = target.invoke(args=["claims", "import", str(tmp_path / "first.jsonl")])
        assert result.exit_code == 0, result.output
        assert "imported 6 claims, 3 evidence items" in result.output
        assert "2 users who wrote part of the history, inactive" in result.output

        tables = compare_restore(history.connection(), restored.connection())
        assert [(t.table, t.examples) for t in tables if not t.equal] == []
        assert [t.table for t in tables if not t.source_rows == t.target_rows > 0] == []
        assert {t.table for t in tables} == {
            "users",
            "sources",
            "claims",
            "claim_tags",
            "evidence",
            "claim_events",
            "claim_status_counts",
        }
        assert export(target, tmp_path / "second.jsonl") == first
        users = restored.scalars(select(User).order_by(User.email)).all()
        assert [(u.email, u.role, u.timezone, u.active, u.password_hash) for u in users] == [
            (DEMO_EMAIL, "admin", "UTC", False, None),
            ("second@newsroom.example", "reviewer", "Asia/Tokyo", False, None),
        ]
        assert status_counters_match(restored)


def test_the_restore_check_names_every_difference(runner, history, backend, tmp_path):
    export(runner, tmp_path / "export.jsonl")
    with empty_database(backend, tmp_path) as (target, restored):
        assert (
            target.invoke(args=["claims", "import", str(tmp_path / "export.jsonl")]).exit_code == 0
        )
        claim = restored.scalars(select(Claim).order_by(Claim.id)).first()
        claim.statement = "Changed after the restore"
        user = restored.scalars(select(User).where(User.email == DEMO_EMAIL)).one()
        user.timezone = "Europe/Paris"
        event = restored.scalars(select(ClaimEvent).order_by(ClaimEvent.id)).first()
        event.data = {**event.data, "extra": 1.0}
        restored.execute(delete(ClaimTag).where(ClaimTag.claim_id == claim.id))
        restored.add(ClaimTag(claim_id=claim.id, tag="added later"))
        restored.flush()

        found = {
            t.table: t.examples
            for t in compare_restore(history.connection(), restored.connection())
            if not t.equal
        }
        assert set(found) == {"users", "claims", "claim_tags", "claim_events"}
        assert "'Changed after the restore'" in found["claims"][0]
        assert found["claims"][0].startswith(f"id={claim.id}: statement: ")
        assert "timezone: 'UTC' != 'Europe/Paris'" in found["users"][0]
        assert any(e.endswith("only in the source database") for e in found["claim_tags"])
        assert (
            f"claim_id={claim.id}, tag='added later': only in the restored database"
            in (found["claim_tags"])
        )
        assert '"extra": 1.0' in found["claim_events"][0]


def test_after_a_restore_new_claims_get_fresh_ids(runner, history, backend, tmp_path):
    export(runner, tmp_path / "export.jsonl")
    with empty_database(backend, tmp_path) as (target, restored):
        assert (
            target.invoke(args=["claims", "import", str(tmp_path / "export.jsonl")]).exit_code == 0
        )
        writer = restored.scalars(select(User).where(User.email == DEMO_EMAIL)).one()
        writer.active = True
        claim = create_claim(
            restored, writer, NOW, {"statement": "New", "window_end": "2027-01-01"}
        ).claim
        assert claim.id == max(c.id for c in history.scalars(select(Claim))) + 1
        assert status_counters_match(restored)


def test_every_bad_line_is_named_and_nothing_is_restored(runner, history, backend, tmp_path):
    lines = export(runner, tmp_path / "good.jsonl").decode().splitlines()
    # Index in `lines` of the 1st, 2nd, ... claim record (the demo's order).
    claims = dict(enumerate((n for n, line in enumerate(lines) if '"type":"claim"' in line), 1))

    def spoil(nth, **changes):
        record = json.loads(lines[claims[nth]])
        record.update(changes)
        lines[claims[nth]] = json.dumps(record)

    spoil(1, first_seen_url="javascript:alert(1)")
    spoil(2, statement="")
    spoil(3, status="rumoured")
    record = json.loads(lines[claims[4]])
    record["evidence"][0]["url"] = "javascript:void(0)"
    lines[claims[4]] = json.dumps(record)
    lines[claims[5]] = lines[claims[5]][:40]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with empty_database(backend, tmp_path) as (target, restored):
        result = target.invoke(args=["claims", "import", str(bad)])
        assert result.exit_code == 1
        numbers = {nth: line + 1 for nth, line in claims.items()}
        for expected in (
            f"line {numbers[1]}: first_seen_url: must be an http or https URL",
            f"line {numbers[2]}: statement: is required",
            f"line {numbers[3]}: status: must be one of",
            f"line {numbers[4]}: evidence[0].url: must be an http or https URL",
            f"line {numbers[5]}: line: is not valid JSON",
        ):
            assert expected in result.output
        assert f"line {numbers[6]}" not in result.output
        assert set(counts(restored).values()) == {0}


def test_a_restore_refuses_ids_that_are_already_taken(runner, history, tmp_path):
    export(runner, tmp_path / "export.jsonl")
    before = counts(history)
    result = runner.invoke(args=["claims", "import", str(tmp_path / "export.jsonl")])
    assert result.exit_code == 1
    first_id = min(c.id for c in history.scalars(select(Claim)))
    assert f"claim {first_id} already exists in this database" in result.output
    assert counts(history) == before


def test_a_file_that_is_not_an_export_is_refused_at_its_first_line(runner, session, tmp_path):
    path = tmp_path / "other.jsonl"
    path.write_text('{"hello": "world"}\n{"type": "claim"}\n', encoding="utf-8")
    result = runner.invoke(args=["claims", "import", str(path)])
    assert result.exit_code == 1
    assert "line 1: type: the first line must be the claimwatch-export header" in result.output


def test_a_cut_short_file_is_refused(runner, history, backend, tmp_path):
    lines = export(runner, tmp_path / "full.jsonl").decode().splitlines()
    short = tmp_path / "short.jsonl"
    short.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    with empty_database(backend, tmp_path) as (target, restored):
        result = target.invoke(args=["claims", "import", str(short)])
        assert result.exit_code == 1
        assert "the header announces 6 claims but the file has 5" in result.output
        assert counts(restored)["claims"] == 0


def test_the_export_names_users_but_never_their_secrets(runner, history, tmp_path):
    text = export(runner, tmp_path / "export.jsonl").decode()
    users = [json.loads(line) for line in text.splitlines() if '"type":"user"' in line]
    assert {tuple(sorted(user)) for user in users} == {
        ("email", "name", "role", "timezone", "type")
    }
    assert "argon2" not in text


def test_values_of_the_wrong_type_are_reported_not_crashed_on(runner, history, backend, tmp_path):
    lines = export(runner, tmp_path / "good.jsonl").decode().splitlines()
    number = next(n for n, line in enumerate(lines) if '"type":"claim"' in line)
    record = json.loads(lines[number])
    record.update(first_seen_url=5, tags="ai", window_end="2026-12-11", id=2**40)
    record["evidence"][0].update(url=["x"], title=None)
    record["events"][0].update(kind="renamed", data=[])
    lines[number] = json.dumps(record)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with empty_database(backend, tmp_path) as (target, restored):
        result = target.invoke(args=["claims", "import", str(bad)])
        assert result.exit_code == 1, result.output
        for field in (
            "first_seen_url",
            "tags",
            "window_end",
            "id",
            "evidence[0].url",
            "events[0].kind",
            "events[0].data",
        ):
            assert f"line {number + 1}: {field}: " in result.output
        assert counts(restored)["claims"] == 0


def test_a_user_with_letters_outside_ascii_before_the_at_is_refused_on_import(
    runner, history, backend, tmp_path
):
    lines = export(runner, tmp_path / "good.jsonl").decode().splitlines()
    number = next(n for n, line in enumerate(lines) if "second@newsroom.example" in line)
    lines[number] = lines[number].replace("second@newsroom.example", "jörg@newsroom.example")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with empty_database(backend, tmp_path) as (target, restored):
        result = target.invoke(args=["claims", "import", str(bad)])
        assert result.exit_code == 1, result.output
        assert f"line {number + 1}: email: must have only ASCII letters before the @" in (
            result.output
        )
        assert counts(restored)["claims"] == 0

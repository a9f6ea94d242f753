"""`flask claims import FILE.csv`: every bad row named, all rows or none, through the domain."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from app.demo import DEMO_EMAIL, load_demo
from app.models import Claim, ClaimEvent
from tests.conftest import NOW
from tests.io_helpers import counts, status_counters_match

HEADER = (
    "statement,subject,tags,source,first_seen_url,claimed_on,window_end,expected_within,"
    "status,resolution_note,known_at,evidence_url,evidence_title,evidence_stance,assignee\n"
)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def importer(factory):
    return factory.user(role="reviewer", email="desk@newsroom.example")


def write(tmp_path, body, name="claims.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


def run_import(runner, path, *extra):
    return runner.invoke(args=["claims", "import", path, "--as", "desk@newsroom.example", *extra])


def test_bad_rows_are_all_named_and_nothing_is_imported(runner, session, importer, tmp_path):
    path = write(
        tmp_path,
        "Fine claim,,ai,The Decoder,https://ok.example/,2026-11-20,,P3W,,,,,,,\n"
        "Script link,,,,javascript:alert(1),2026-11-20,,P3W,,,,,,,\n"
        ",No statement,,,,2026-11-20,,P3W,,,,,,,\n"
        "Bad date,,,,,2026-13-45,,P3W,,,,,,,\n"
        "Odd status,,,,,2026-11-20,,P3W,rumoured,,,,,,\n"
        "Evil evidence,,,,,2026-11-20,,P3W,,,,javascript:void(0),x,supports,\n",
    )
    before = counts(session)
    result = run_import(runner, path)
    assert result.exit_code == 1
    for expected in (
        "row 3: first_seen_url: must be an http or https URL",
        "row 4: statement: is required",
        "row 5: claimed_on: must be a date",
        "row 6: status: 'rumoured' is not a status",
        "row 7: evidence_url: must be an http or https URL",
        "nothing was imported",
    ):
        assert expected in result.output
    assert "row 2" not in result.output
    assert counts(session) == before


def test_a_state_rule_refused_by_the_domain_names_its_row(
    runner, session, factory, importer, tmp_path
):
    factory.user(role="viewer", email="reader@newsroom.example")
    path = write(
        tmp_path,
        "Good one,,,,,2026-11-20,,P3W,,,,,,,\n"
        "Confirmed with no link,,,,,2026-11-20,,P3W,confirmed,Announced,,,,,\n"
        "Known tomorrow,,,,,2026-11-20,,P3W,void,Dropped,2026-11-21T10:00:00Z,,,,\n"
        "Given to a viewer,,,,,2026-11-20,,P3W,,,,,,,reader@newsroom.example\n",
    )
    before = counts(session)
    result = run_import(runner, path)
    assert result.exit_code == 1
    assert "row 3: evidence_url: a confirmed claim needs evidence" in result.output
    assert "row 4: known_at: may not be in the future" in result.output
    assert "row 5: assignee: must be an active reviewer or admin" in result.output
    assert counts(session) == before


def test_dry_run_reports_what_it_would_import_and_changes_nothing(
    runner, session, importer, tmp_path
):
    path = write(
        tmp_path,
        "One,,ai;chips,The Decoder,,2026-11-20,,P3W,,,,,,,\n"
        "Two,,,,,2026-11-20,2026-12-24,,,,,https://news.example/a,A,supports,\n",
    )
    before = counts(session)
    result = run_import(runner, path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run: would import 2 claims, 1 evidence items, 3 events" in result.output
    assert counts(session) == before


def test_good_rows_become_claims_with_their_window_and_truthful_history(
    runner, session, importer, tmp_path
):
    path = write(
        tmp_path,
        "DeepSeek V4 runs on Ascend,DeepSeek V4,AI; chips,The Decoder,,2026-11-20,,P3W,,,,,,,"
        "desk@newsroom.example\n"
        "Lisbon region,Contoso,cloud,,,2026-10-01,,P2W,confirmed,Announced,2026-10-10,"
        "https://example.com/lisbon,Announcement,supports,\n"
        "Past its window,,,,,2026-10-01,2026-10-20,,overdue,,,,,,\n",
    )
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    assert "imported 3 claims, 1 evidence items, 7 events, 1 new sources" in result.output
    claims = {c.statement: c for c in session.scalars(select(Claim))}
    deepseek = claims["DeepSeek V4 runs on Ascend"]
    assert deepseek.window_end == datetime(2026, 12, 12, tzinfo=UTC)
    assert deepseek.tags == ["ai", "chips"]
    assert deepseek.source.name == "The Decoder"
    assert deepseek.assignee.email == "desk@newsroom.example"
    lisbon = claims["Lisbon region"]
    assert lisbon.status == "confirmed"
    assert lisbon.known_at == datetime(2026, 10, 10, tzinfo=UTC)
    assert lisbon.resolved_at == NOW
    overdue = claims["Past its window"]
    assert (overdue.status, overdue.flagged_at) == ("overdue", NOW)

    def kinds(claim):
        events = session.scalars(
            select(ClaimEvent).where(ClaimEvent.claim_id == claim.id).order_by(ClaimEvent.id)
        ).all()
        assert {event.actor_id for event in events} == {importer.id}
        return [event.kind for event in events]

    assert kinds(deepseek) == ["created", "assigned"]
    assert kinds(lisbon) == ["created", "evidence_added", "resolved"]
    assert kinds(overdue) == ["created", "flagged_overdue"]
    assert status_counters_match(session)


def test_a_formula_cell_stays_text_through_export_and_import(runner, session, importer, tmp_path):
    formula = '=HYPERLINK("https://evil.example","click")'
    path = tmp_path / "formula.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [["statement", "claimant", "window_end"], [formula, "+1 insider", "2026-12-31"]]
        )
    assert run_import(runner, str(path)).exit_code == 0

    exported = tmp_path / "export.csv"
    result = runner.invoke(args=["claims", "export", str(exported)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(exported.open(encoding="utf-8-sig", newline="")))
    assert rows[0]["statement"] == "'" + formula
    assert rows[0]["claimant"] == "'+1 insider"

    assert run_import(runner, str(exported)).exit_code == 0
    statements = session.scalars(select(Claim.statement).order_by(Claim.id)).all()
    assert statements == [formula, formula]
    assert session.scalars(select(Claim.claimant)).all() == ["+1 insider"] * 2


def test_semicolon_spreadsheets_and_friendly_headers_are_read(runner, session, importer, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text(
        "\ufeffStatement;Window End;Tags\nEuropean export;2026-12-31;a, b\n", encoding="utf-8"
    )
    result = run_import(runner, str(path))
    assert result.exit_code == 0, result.output
    claim = session.scalars(select(Claim)).one()
    assert (claim.statement, claim.tags) == ("European export", ["a", "b"])


def test_an_unknown_column_is_refused_rather_than_dropped(runner, session, importer, tmp_path):
    path = tmp_path / "typo.csv"
    path.write_text("statement,window_end,statment_note\nX,2026-12-31,y\n", encoding="utf-8")
    result = run_import(runner, str(path))
    assert result.exit_code == 1
    assert "row 1: statment_note: is not a column Claimwatch knows" in result.output


def test_a_csv_import_needs_a_reviewer_to_name_in_the_history(runner, factory, tmp_path):
    factory.user(role="viewer", email="reader@newsroom.example")
    path = write(tmp_path, "One,,,,,2026-11-20,,P3W,,,,,,,\n")
    missing = runner.invoke(args=["claims", "import", path])
    assert missing.exit_code == 2
    assert "--as EMAIL" in missing.output
    viewer = runner.invoke(args=["claims", "import", path, "--as", "reader@newsroom.example"])
    assert viewer.exit_code == 2
    assert "cannot change claims" in viewer.output


def test_a_file_that_is_not_utf8_is_refused_with_advice(runner, session, importer, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("statement,window_end\nCaf\u00e9 opens,2026-12-31\n".encode("latin-1"))
    result = run_import(runner, str(path))
    assert result.exit_code == 2
    assert "is not UTF-8 text" in result.output
    assert counts(session)["claims"] == 0


def test_an_exported_sheet_imports_as_the_same_claims(runner, session, tmp_path):
    load_demo(session, NOW)
    session.flush()
    exported = tmp_path / "demo.csv"
    assert runner.invoke(args=["claims", "export", str(exported)]).exit_code == 0
    result = runner.invoke(args=["claims", "import", str(exported), "--as", DEMO_EMAIL])
    assert result.exit_code == 0, result.output
    claims = session.scalars(select(Claim).order_by(Claim.id)).all()
    originals, copies = claims[:5], claims[5:]

    def visible(claim):
        standing = [e.url for e in claim.evidence if not e.withdrawn][:1]
        return (
            claim.statement,
            claim.subject,
            claim.details,
            list(claim.tags),
            claim.claimant,
            claim.source.name if claim.source else None,
            claim.claimed_on,
            claim.window_start,
            claim.window_end,
            claim.status,
            claim.resolution_note,
            claim.known_at,
            claim.assignee_id,
            standing,
        )

    assert [visible(c) for c in copies] == [visible(c) for c in originals]
    assert status_counters_match(session)

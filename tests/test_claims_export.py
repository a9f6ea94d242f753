"""`flask claims export`: CSV for spreadsheets (formula-safe), JSON Lines to stdout or a file."""

from __future__ import annotations

import csv
import io
import json

import pytest

from app.claims import withdraw_evidence
from app.claims_io.cells import escape_cell, unescape_cell
from app.claims_io.csv_columns import EXPORT_COLUMNS


@pytest.mark.parametrize(
    ("stored", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-5% in a week", "'-5% in a week"),
        ("@channel said so", "'@channel said so"),
        ("'=already quoted", "''=already quoted"),
        ("'just quoted'", "'just quoted'"),
        ("plain text", "plain text"),
        ("", ""),
    ],
)
def test_formula_cells_are_quoted_and_the_quote_is_removed_again(stored, written):
    assert escape_cell(stored) == written
    assert unescape_cell(written) == stored


def test_csv_export_goes_to_stdout_with_the_first_standing_evidence(runner, factory):
    claim = factory.claim(statement="Export me", tags=["ai", "chips"], source="The Decoder")
    withdrawn = factory.evidence(claim, url="https://news.example/first")
    factory.evidence(claim, url="https://news.example/second", title="Second")
    withdraw_evidence(factory.session, factory.reviewer, factory.now, claim.id, withdrawn.id, "x")
    result = runner.invoke(args=["claims", "export"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    (row,) = rows
    assert row["statement"] == "Export me"
    assert row["tags"] == "ai; chips"
    assert row["source"] == "The Decoder"
    assert (row["evidence_url"], row["evidence_title"]) == ("https://news.example/second", "Second")
    assert row["evidence_count"] == "2"
    assert row["window_end"].endswith("Z")


def test_jsonl_export_to_stdout_starts_with_its_header(runner, factory):
    factory.claim(statement="One")
    result = runner.invoke(args=["claims", "export", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0] == {
        "type": "header",
        "format": "claimwatch-export",
        "version": 1,
        "users": 1,
        "sources": 0,
        "claims": 1,
    }
    assert [record["type"] for record in records] == ["header", "user", "claim"]
    assert records[2]["events"][0]["kind"] == "created"


def test_a_jsonl_dry_run_reports_and_changes_nothing(runner, factory, tmp_path):
    factory.claim(statement="One")
    path = tmp_path / "export.jsonl"
    assert runner.invoke(args=["claims", "export", str(path)]).exit_code == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[-1])
    record["id"] += 1000  # free ids, so the only thing stopping the import is --dry-run
    record["events"] = [{**e, "id": e["id"] + 1000} for e in record["events"]]
    path.write_text("\n".join([*lines[:-1], json.dumps(record)]) + "\n", encoding="utf-8")
    before = runner.invoke(args=["claims", "export", "--format", "jsonl"]).stdout
    result = runner.invoke(args=["claims", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run: would import 1 claims, 0 evidence items, 1 events" in result.output
    assert runner.invoke(args=["claims", "export", "--format", "jsonl"]).stdout == before

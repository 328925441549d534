"""The asc-assure command as an analyst uses it: JSON reports, exit codes, help on every command."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from asc_assure.cli import app
from conftest import REFERRAL_HEADER, referral, write_csv

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize(
    "command",
    [[], ["templates"], ["ingest"], ["synth"], ["demo"], ["store"], ["store", "summary"], ["store", "errors"],
     ["store", "query"], ["store", "reveal"], ["store", "audit"], ["contracts"], ["contracts", "list"],
     ["contracts", "doc"]],
)
def test_every_command_has_help(command):
    result = run(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_ingest_json_reports_each_file(tmp_path):
    store = tmp_path / "store"
    good = write_csv(tmp_path / "referrals.csv", REFERRAL_HEADER, [referral("R1"), referral("R2", received="x")])
    result = run("ingest", good, "--store", store, "--as-of", "2025-03-31", "--json")
    assert result.exit_code == 0, result.output
    [report] = json.loads(result.output)
    assert {k: report[k] for k in ("file", "kind", "rows_read", "rows_loaded", "rows_quarantined",
                                   "duplicate_file")} == {
        "file": "referrals.csv", "kind": "referrals", "rows_read": 2, "rows_loaded": 1, "rows_quarantined": 1,
        "duplicate_file": False}
    assert report["errors"][0] | {"message": None} == {
        "file": "referrals.csv", "row": 3, "column": "received_date", "value": "x", "rule": "date_format",
        "message": None, "severity": "error"}
    again = json.loads(run("ingest", good, "--store", store, "--json").output)
    assert again[0]["duplicate_file"] is True and again[0]["rows_read"] == 0


def test_ingest_exits_2_naming_an_unreadable_file_and_writes_nothing(tmp_path):
    store = tmp_path / "store"
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4 junk")
    result = run("ingest", bad, "--store", store)
    assert result.exit_code == 2
    assert "scan.pdf" in result.output and "PDF" in result.output
    assert not store.exists()


def test_ingest_report_csv_lists_every_problem(tmp_path):
    store = tmp_path / "store"
    path = write_csv(tmp_path / "referrals.csv", REFERRAL_HEADER,
                     [referral("R1", received="x"), referral("R2", priority="soon")])
    report = tmp_path / "problems.csv"
    result = run("ingest", path, "--store", store, "--as-of", "2025-03-31", "--report", report)
    assert result.exit_code == 0
    lines = report.read_text().splitlines()
    assert lines[0] == "file,row,column,value,rule,message,severity"
    assert len(lines) == 3 and lines[1].startswith("referrals.csv,2,received_date,x,date_format,")


def test_unknown_kind_and_bad_dates_are_usage_errors(tmp_path):
    path = write_csv(tmp_path / "r.csv", REFERRAL_HEADER, [referral("R1")])
    assert run("ingest", path, "--store", tmp_path / "s", "--kind", "nonsense").exit_code == 2
    assert run("ingest", path, "--store", tmp_path / "s", "--as-of", "last week").exit_code == 2


def test_store_summary_query_errors_audit_and_reveal(tmp_path):
    store = tmp_path / "store"
    path = write_csv(tmp_path / "referrals.csv", REFERRAL_HEADER,
                     [referral("R1", "MOSAIC-1"), referral("R2", received="bad")])
    run("ingest", path, "--store", store, "--as-of", "2025-03-31")
    summary = json.loads(run("store", "summary", "--store", store, "--json").output)
    assert summary["kinds"]["referrals"]["current_rows"] == 1
    assert summary["kinds"]["referrals"]["by_as_of"] == {
        "2025-03-31": {"loads": 1, "rows_loaded": 1, "rows_quarantined": 1}}
    rows = json.loads(run("store", "query", "--store", store, "--json",
                          "SELECT person_id, team FROM referrals").output)
    assert rows[0]["team"] == "North Locality Team"
    pseudonym = rows[0]["person_id"]
    out = tmp_path / "errors.csv"
    assert run("store", "errors", "--store", store, "--out", out).exit_code == 0
    assert "received_date" in out.read_text()
    revealed = run("store", "reveal", pseudonym, "--store", store, "--user", "tm", "--reason", "allocation")
    assert revealed.exit_code == 0 and "MOSAIC-1" in revealed.output
    assert run("store", "reveal", "P-0000", "--store", store, "--user", "tm", "--reason", "x").exit_code == 1
    log = json.loads(run("store", "audit", "--store", store, "--json").output)
    assert [e["event"] for e in log] == ["load", "restricted_lookup", "restricted_lookup"]
    assert run("store", "audit", "--store", store, "--verify").exit_code == 0


def test_store_commands_on_a_missing_store_fail_clearly(tmp_path):
    result = run("store", "summary", "--store", tmp_path / "nowhere")
    assert result.exit_code == 2 and "not an ASC Assure store" in result.output


def test_templates_and_contract_listing(tmp_path):
    result = run("templates", "--out", tmp_path, "--kind", "referrals", "--json")
    assert json.loads(result.output) == [str(tmp_path / "referrals.csv")]
    assert run("templates", "--out", tmp_path, "--kind", "nope").exit_code == 2
    kinds = json.loads(run("contracts", "list", "--json").output)
    assert kinds[0]["kind"] == "cld" and "received_date" in kinds[1]["required"]


def test_synth_command_writes_a_council(tmp_path):
    result = run("synth", "--out", tmp_path / "out", "--people", "20000", "--start", "2024-01-01",
                 "--end", "2024-06-30", "--seed", "4", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    [council] = summary["councils"]
    assert (tmp_path / "out" / council["folder"] / "referrals.csv").exists()
    assert run("synth", "--out", tmp_path / "x", "--start", "2024-06-30", "--end", "2024-01-01").exit_code == 2


def test_demo_builds_a_loaded_store(tmp_path):
    result = run("demo", "--dir", tmp_path / "demo", "--people", "20000", "--no-pack")
    assert result.exit_code == 0, result.output
    summary = json.loads(run("store", "summary", "--store", tmp_path / "demo" / "store", "--json").output)
    kinds = summary["kinds"]
    assert {"cld", "referrals", "safeguarding_concerns", "dols_applications", "workforce"} <= set(kinds)
    assert kinds["referrals"]["current_rows"] > 100
    assert sum(k["rows_quarantined"] for k in kinds.values()) > 0  # the demo's deliberate faults
    assert (tmp_path / "demo" / "pseudonym.key").exists()

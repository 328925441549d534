"""The assurance overview: each area's standing in a sentence, and what needs attention."""

from __future__ import annotations

import datetime as dt
import json

from typer.testing import CliRunner

from asc_assure.assurance import evidence, scores
from asc_assure.assurance.overview import workspace_overview
from asc_assure.assurance.workspace import Workspace
from asc_assure.cli import app

TODAY = dt.date(2025, 3, 31)


def test_an_empty_workspace_says_what_has_not_been_started(tmp_path):
    data = workspace_overview(Workspace.for_store(tmp_path), TODAY)
    assert data["status"]["Case tracking"] == "No cases proposed yet."
    assert data["status"]["Scores"] == "no self-assessed scores yet"
    assert data["status"]["Timeline and tasks"].startswith("No assessment timeline yet")
    assert "0 items" in data["status"]["Evidence library"]
    assert {"section": "Evidence coverage", "text": "Evidence coverage: 36 gaps (statement and category with no "
            "evidence)"} in data["attention"]


def test_overview_counts_evidence_gaps_and_stale_items_as_of_the_day(tmp_path):
    ws = Workspace.for_store(tmp_path)
    evidence.add_item(ws, actor="sam", title="Safeguarding audit", category="processes",
                      statements=["safeguarding"], source_type="case audit", owner="sam",
                      evidence_date=dt.date(2024, 1, 10), review_by=dt.date(2025, 1, 10),
                      link="https://intranet.example.gov.uk/audit")
    status = workspace_overview(ws, TODAY)["status"]["Evidence library"]
    assert status.startswith("1 item (0 current, 1 past review)")
    texts = [a["text"] for a in workspace_overview(ws, TODAY)["attention"]]
    assert "Evidence coverage: 1 cell backed only by evidence past review" in texts
    earlier = workspace_overview(ws, dt.date(2024, 12, 31))["status"]["Evidence library"]
    assert earlier.startswith("1 item (1 current, 0 past review)")


def test_overview_sets_self_assessed_scores_beside_cqcs(tmp_path):
    ws = Workspace.for_store(tmp_path)
    published = dict.fromkeys(("assessing-needs", "supporting-healthier-lives", "equity-in-experience-and-outcomes",
                               "care-provision-integration-continuity"), 2)
    published |= dict.fromkeys(("partnerships-and-communities", "safe-pathways-systems-transitions", "safeguarding",
                                "governance-management-sustainability", "learning-improvement-innovation"), 3)
    scores.set_self_scores(ws, dict.fromkeys(published, 3), "Our judgement", "lead", TODAY)
    scores.record_actual(ws, published, dt.date(2025, 1, 17), "lead")
    status = workspace_overview(ws, TODAY)["status"]["Scores"]
    assert status == ("self-assessed 27/36 (75%), Good; CQC 23/36 (64%), Good; 5 of 9 statements scored the same")


def test_cli_overview_prints_the_same_figures(tmp_path):
    Workspace.for_store(tmp_path)
    result = CliRunner().invoke(app, ["cqc", "overview", "--store", str(tmp_path), "--today", "2025-03-31",
                                      "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["today"] == "2025-03-31" and data["status"]["Case tracking"] == "No cases proposed yet."
    missing = CliRunner().invoke(app, ["cqc", "overview", "--store", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "does not exist" in missing.output

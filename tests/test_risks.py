"""The risk register: scoring, bands, escalation at the threshold, direction of travel from history, the
heat map, the monthly report's interface, settings overrides and the CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from asc_assure.assurance import risks
from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError
from asc_assure.cli import app
from asc_assure.domain import risk_rules as rr

TODAY = dt.date(2025, 3, 31)
runner = CliRunner()


@pytest.fixture
def ws(tmp_path):
    return Workspace.for_store(tmp_path / "store")


def add(ws, il=4, ii=4, rl=3, ri=3, **over):
    fields = {"title": "Workforce capacity", "cause": "Vacancies", "effect": "Delays to assessment",
              "owner": "Deputy Director", "scored_on": dt.date(2025, 1, 31)}
    fields.update(over)
    return risks.add_risk(ws, actor="alex", today=TODAY, inherent_likelihood=il, inherent_impact=ii,
                          residual_likelihood=rl, residual_impact=ri, **fields)


# -- rules ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("score", "band"), [(1, "Low"), (4, "Low"), (5, "Medium"), (9, "Medium"), (10, "High"),
                                             (14, "High"), (15, "Very high"), (25, "Very high")])
def test_default_bands_at_their_edges(score, band):
    assert risks.risk_settings().band(score).name == band


@pytest.mark.parametrize(("history", "expected"), [
    ([12], "New"), ([16, 12], "Improving"), ([12, 16], "Worsening"), ([12, 12], "Stable"),
    ([20, 9, 12], "Worsening"), ([9, 20, 20], "Stable")])
def test_direction_of_travel_compares_the_last_two_residual_scores(history, expected):
    assert rr.direction(history) == expected


@pytest.mark.parametrize("bad", [0, 6, "3.5", "", None, "high"])
def test_likelihood_and_impact_are_whole_numbers_from_1_to_5(bad):
    with pytest.raises(ValueError, match="1 to 5"):
        rr.check_rating(bad, "likelihood")


def test_bands_must_cover_every_score_without_gaps():
    with pytest.raises(ValueError, match="no gap"):
        rr.parse_bands([{"name": "Low", "from": 1, "to": 4}, {"name": "High", "from": 6, "to": 25}])
    with pytest.raises(ValueError, match="end at 25"):
        rr.parse_bands([{"name": "Low", "from": 1, "to": 20}])


# -- register -------------------------------------------------------------------------------------------
def test_a_new_risk_gets_the_next_reference_scores_band_and_is_new(ws):
    r = add(ws)
    assert r["ref"] == "R001"
    assert (r["inherent_score"], r["residual_score"], r["band"], r["direction"], r["escalated"]) == (
        16, 9, "Medium", "New", False)
    assert add(ws, title="Market")["ref"] == "R002"
    assert ws.changes("risk", "R001")[0]["action"] == "create"


def test_escalated_exactly_at_the_threshold_not_below(ws):
    below = add(ws, il=5, ii=5, rl=3, ri=4, title="below")  # 12: the highest score under 15
    assert below["escalated"] is False
    at = add(ws, il=5, ii=5, rl=3, ri=5, title="at")  # 15, the default threshold
    assert at["escalated"] is True and at["band"] == "Very high"
    r = risks.rescore(ws, at["ref"], actor="alex", today=TODAY, residual_likelihood=2, residual_impact=5)
    assert r["escalated"] is False and r["escalation"] == "de-escalated"
    r = risks.rescore(ws, at["ref"], actor="alex", today=TODAY, residual_likelihood=4, residual_impact=4)
    assert r["escalation"] == "escalated"
    assert [c["action"] for c in ws.changes("risk", at["ref"])][:2] == ["escalate", "rescore"]


def test_rescoring_appends_history_and_recomputes_direction(ws):
    r = add(ws, rl=4, ri=4)  # 16 on 31 Jan
    r = risks.rescore(ws, r["ref"], actor="sam", today=TODAY, residual_likelihood=3, residual_impact=4,
                      on=dt.date(2025, 2, 28), note="Agency reduction")
    assert r["direction"] == "Improving" and r["previous_residual_score"] == 16
    r = risks.rescore(ws, r["ref"], actor="sam", today=TODAY, residual_likelihood=3, residual_impact=4)
    assert r["direction"] == "Stable"
    r = risks.rescore(ws, r["ref"], actor="sam", today=TODAY, residual_likelihood=4, residual_impact=4)
    assert r["direction"] == "Worsening"
    assert [h["residual_score"] for h in r["history"]] == [16, 12, 12, 16]
    assert r["history"][1]["note"] == "Agency reduction" and r["history"][1]["actor"] == "sam"
    assert r["inherent_score"] == 16  # kept when not re-scored


def test_the_register_as_it_stood_on_a_past_date(ws):
    r = add(ws, rl=4, ri=4)
    risks.rescore(ws, r["ref"], actor="sam", today=TODAY, residual_likelihood=2, residual_impact=4,
                  on=dt.date(2025, 3, 15))
    feb = risks.top_risks(ws, dt.date(2025, 2, 28))
    assert feb[0]["residual_score"] == 16 and feb[0]["direction"] == "New"
    assert risks.top_risks(ws, dt.date(2025, 1, 1)) == []  # not yet on the register
    assert risks.top_risks(ws, TODAY)[0]["direction"] == "Improving"


def test_bad_scores_and_dates_are_refused_with_the_field_named(ws):
    with pytest.raises(WorkspaceError, match="residual impact must be a whole number from 1 to 5"):
        add(ws, ri=6)
    with pytest.raises(WorkspaceError, match="cannot be higher than the inherent score"):
        add(ws, il=2, ii=2, rl=3, ri=3)
    with pytest.raises(WorkspaceError, match="owner is required"):
        add(ws, owner=" ")
    r = add(ws)
    with pytest.raises(WorkspaceError, match="before the last scoring"):
        risks.rescore(ws, r["ref"], actor="a", today=TODAY, residual_likelihood=2, residual_impact=2,
                      on=dt.date(2025, 1, 1))
    with pytest.raises(WorkspaceError, match="in the future"):
        risks.rescore(ws, r["ref"], actor="a", today=TODAY, residual_likelihood=2, residual_impact=2,
                      on=dt.date(2025, 4, 1))
    with pytest.raises(NotFound):
        risks.get_risk(ws, "R999")
    with pytest.raises(WorkspaceError, match="already in use"):
        add(ws, ref="R001")


def test_top_risks_has_the_monthly_report_keys_highest_residual_first_and_open_only(ws, monkeypatch):
    monkeypatch.setattr(risks, "_plan_checker", lambda: lambda _ws, ref: ref in {"A1", "A2"})
    add(ws, rl=2, ri=2, title="low")
    high = add(ws, il=5, ii=5, rl=4, ri=4, title="high", linked_actions="A1, A2")
    closed = add(ws, il=5, ii=5, rl=5, ri=5, title="closed")
    risks.update_risk(ws, closed["ref"], actor="alex", today=TODAY, status="closed")
    top = risks.top_risks(ws, TODAY, n=10)
    assert [t["title"] for t in top] == ["high", "low"]
    assert set(top[0]) == {"ref", "title", "owner", "inherent_likelihood", "inherent_impact", "inherent_score",
                           "residual_likelihood", "residual_impact", "residual_score", "band", "direction",
                           "escalated", "controls", "linked_actions"}
    assert top[0]["linked_actions"] == ["A1", "A2"] and top[0]["ref"] == high["ref"]
    assert len(risks.top_risks(ws, TODAY, n=1)) == 1


def test_heat_map_counts_open_risks_by_likelihood_then_impact(ws):
    add(ws, il=5, ii=4, rl=4, ri=2)
    add(ws, il=5, ii=4, rl=4, ri=2, title="two")
    add(ws, il=3, ii=5, rl=1, ri=5, title="three")
    grid = risks.heat_map(ws)
    assert grid[3][1] == 2 and grid[0][4] == 1 and sum(map(sum, grid)) == 3
    inherent = risks.heat_map(ws, "inherent")
    assert inherent[4][3] == 2 and inherent[2][4] == 1
    with pytest.raises(WorkspaceError):
        risks.heat_map(ws, "both")


def test_filters_by_band_owner_and_escalation(ws):
    add(ws, il=5, ii=5, rl=4, ri=4, owner="Head of Safeguarding")
    add(ws, rl=2, ri=2, owner="Deputy Director")
    assert [r["owner"] for r in risks.list_risks(ws, TODAY, escalated=True)] == ["Head of Safeguarding"]
    assert len(risks.list_risks(ws, TODAY, band="low")) == 1
    assert len(risks.list_risks(ws, TODAY, owner="deputy director")) == 1
    with pytest.raises(WorkspaceError, match="band 'Severe'"):
        risks.list_risks(ws, TODAY, band="Severe")


def test_update_changes_only_given_fields_and_logs_what_changed(ws):
    r = add(ws)
    out = risks.update_risk(ws, r["ref"], actor="alex", today=TODAY, owner="Head of Commissioning", title=None)
    assert out["changed"] == ["owner"] and out["owner"] == "Head of Commissioning"
    log = ws.changes("risk", r["ref"])[0]
    assert log["action"] == "update" and log["detail"]["owner"] == {"from": "Deputy Director",
                                                                    "to": "Head of Commissioning"}
    closed = risks.update_risk(ws, r["ref"], actor="alex", today=TODAY, status="closed")
    assert closed["status"] == "closed" and closed["closed_on"] == TODAY.isoformat()
    with pytest.raises(WorkspaceError, match="closed"):
        risks.rescore(ws, r["ref"], actor="a", today=TODAY, residual_likelihood=1, residual_impact=1)
    with pytest.raises(WorkspaceError, match="re-scoring"):
        risks.update_risk(ws, r["ref"], actor="a", today=TODAY, residual_impact=2)


def test_linked_actions_are_checked_against_the_plan_when_it_exists(ws, monkeypatch):
    monkeypatch.setattr(risks, "_plan_checker", lambda: lambda _ws, ref: ref == "IP-1")
    assert add(ws, linked_actions=["IP-1"])["linked_actions"] == ["IP-1"]
    with pytest.raises(WorkspaceError, match="'IP-9' is not in the improvement plan"):
        add(ws, linked_actions="IP-1, IP-9")


def test_a_store_can_set_its_own_threshold_and_bands(ws):
    r = add(ws, il=5, ii=5, rl=4, ri=4)  # 16
    assert r["escalated"] is True
    risks.settings_override_path(ws).write_text(
        "risk:\n  escalation_threshold: 20\n  bands:\n    - {name: Green, from: 1, to: 8, colour: green}\n"
        "    - {name: Amber, from: 9, to: 15, colour: yellow}\n    - {name: Red, from: 16, to: 25, colour: red}\n")
    again = risks.get_risk(ws, r["ref"])
    assert again["escalated"] is False and again["band"] == "Red"
    risks.settings_override_path(ws).write_text("risk:\n  escalation_threshold: 40\n")
    with pytest.raises(WorkspaceError, match="escalation_threshold must be from 1 to 25"):
        risks.get_risk(ws, r["ref"])


def test_demo_register_is_realistic_and_deterministic(tmp_path):
    ws = Workspace.for_store(tmp_path / "s")
    risks.seed_demo(ws, tmp_path / "s", TODAY)
    risks.seed_demo(ws, tmp_path / "s", TODAY)  # second run adds nothing
    found = risks.list_risks(ws, TODAY)
    assert len(found) == 12
    assert all(2 <= len(r["history"]) <= 3 for r in found)
    assert {r["direction"] for r in found} >= {"Improving", "Stable", "Worsening"}
    assert any(r["escalated"] for r in found)


# -- CLI ------------------------------------------------------------------------------------------------
def cli(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("sub", ["add", "list", "show", "rescore", "update", "heatmap"])
def test_every_risks_command_has_help(sub):
    result = cli("risks", sub, "--help")
    assert result.exit_code == 0 and "Usage" in result.output


def test_cli_journey(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    out = cli("risks", "add", "--store", store, "--title", "DoLS backlog", "--cause", "Demand", "--effect",
              "Unlawful detention", "--owner", "Head of DoLS", "--inherent-likelihood", 5, "--inherent-impact", 4,
              "--residual-likelihood", 4, "--residual-impact", 4, "--today", "2025-02-01", "--actor", "alex", "--json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["escalated"] is True
    out = cli("risks", "rescore", "R001", "--store", store, "--residual-likelihood", 3, "--residual-impact", 4,
              "--today", "2025-03-01")
    assert out.exit_code == 0 and "no longer escalated" in out.output
    shown = json.loads(cli("risks", "show", "R001", "--store", store, "--json").output)
    assert shown["direction"] == "Improving" and len(shown["history"]) == 2
    listed = json.loads(cli("risks", "list", "--store", store, "--json", "--today", "2025-03-01").output)
    assert [r["ref"] for r in listed] == ["R001"]
    grid = json.loads(cli("risks", "heatmap", "--store", store, "--json").output)
    assert grid[2][3] == 1
    bad = cli("risks", "rescore", "R001", "--store", store, "--residual-likelihood", 9, "--residual-impact", 1)
    assert bad.exit_code == 2 and "residual likelihood must be a whole number from 1 to 5" in bad.output
    missing = cli("risks", "show", "R404", "--store", store)
    assert missing.exit_code == 2 and "no risk 'R404'" in missing.output

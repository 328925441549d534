"""The improvement plan: how actions are rated, what the plan refuses, the log, the summary, the CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from asc_assure.assurance import plan
from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError
from asc_assure.cli import app
from asc_assure.domain.plan_rag import action_rag, find_cycle, reasons, time_elapsed_percent

TODAY = dt.date(2025, 3, 31)
runner = CliRunner()


def d(days: int) -> dt.date:
    return TODAY + dt.timedelta(days=days)


# -- the RAG rule at its boundaries -------------------------------------------------------------------------
@pytest.mark.parametrize(("due", "expected"), [(-1, "red"), (0, "amber"), (-30, "red")])
def test_overdue_means_due_before_today_so_due_today_is_not_red(due, expected):
    # 50% complete, so due today is Amber (due within 14 days and under 75%), not Red
    assert action_rag("in progress", 50, None, d(due), TODAY) == expected


@pytest.mark.parametrize(("due", "percent", "expected"), [
    (14, 74, "amber"),   # last day of the 14-day window, under 75%
    (15, 74, "green"),   # just outside the window
    (14, 75, "green"),   # exactly 75% is not "under 75%"
    (0, 74, "amber"),
])
def test_due_within_14_days_and_under_75_percent_is_amber(due, percent, expected):
    assert action_rag("in progress", percent, None, d(due), TODAY) == expected


@pytest.mark.parametrize(("start", "expected"), [(-1, "amber"), (0, "green"), (5, "green")])
def test_not_started_is_amber_only_after_its_start_date(start, expected):
    assert action_rag("not started", 0, d(start), d(200), TODAY) == expected


def test_progress_behind_time_elapsed_by_more_than_25_points_is_amber():
    start, due = d(-50), d(50)  # half the time gone
    assert time_elapsed_percent(start, due, TODAY) == 50
    assert action_rag("in progress", 25, start, due, TODAY) == "green"  # exactly 25 points behind
    assert action_rag("in progress", 24, start, due, TODAY) == "amber"  # 26 points behind
    _rag, why = reasons("in progress", 24, start, due, TODAY)
    assert why == ["24% complete with 50% of the time gone"]


def test_on_hold_is_amber_complete_is_complete_and_cancelled_has_no_rag():
    assert action_rag("on hold", 90, None, d(100), TODAY) == "amber"
    assert action_rag("complete", 100, None, d(-100), TODAY) == "complete"  # complete late is still complete
    assert action_rag("cancelled", 0, None, d(-100), TODAY) is None
    assert action_rag("on hold", 90, None, d(-1), TODAY) == "red"  # overdue outranks on hold


def test_a_red_dependency_makes_an_action_red_but_an_amber_one_does_not():
    assert action_rag("in progress", 90, None, d(100), TODAY, ["red"]) == "red"
    assert action_rag("in progress", 90, None, d(100), TODAY, ["amber", None, "complete"]) == "green"


def test_unknown_status_is_refused():
    with pytest.raises(ValueError, match="status must be one of"):
        action_rag("finished", 100, None, d(1), TODAY)


def test_find_cycle_names_the_loop():
    assert find_cycle({"a": ["b"], "b": ["c"], "c": []}) is None
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]


# -- the plan in the workspace ------------------------------------------------------------------------------
@pytest.fixture
def ws(tmp_path):
    ws = Workspace.for_store(tmp_path / "store")
    plan.save_workstream(ws, "lead", ref="WS1", name="Assessment timeliness", lead="Head of Localities",
                         sponsor="Deputy Director")
    plan.save_workstream(ws, "lead", ref="WS2", name="Safeguarding", lead="Head of Safeguarding")
    return ws


def add(ws, ref, due=30, status="in progress", percent=50, ws_ref="WS1", owner="team-manager", start=None,
        depends_on="", statements="assessing-needs", evidence=""):
    return plan.save_action(ws, "lead", ref=ref, workstream_ref=ws_ref, description=f"Action {ref}", owner=owner,
                            start_date=d(start) if start is not None else None, due_date=d(due), status=status,
                            percent_complete=percent, depends_on=depends_on, statements=statements,
                            evidence=evidence)


def test_a_late_action_turns_the_actions_that_depend_on_it_red(ws):
    add(ws, "1.1", due=-3)
    add(ws, "1.2", due=100, depends_on="1.1")
    add(ws, "1.3", due=100, depends_on="1.2")
    rated = {a["ref"]: a for a in plan.list_actions(ws, TODAY)}
    assert [rated[r]["rag"] for r in ("1.1", "1.2", "1.3")] == ["red", "red", "red"]
    assert rated["1.3"]["rag_reasons"] == ["an action it depends on is Red"]
    assert rated["1.1"]["days_overdue"] == 3 and not rated["1.2"]["overdue"]


def test_unknown_dependencies_and_loops_are_refused(ws):
    add(ws, "1.1")
    with pytest.raises(WorkspaceError, match=r"depends on '9\.9', which is not an action"):
        add(ws, "1.2", depends_on="9.9")
    add(ws, "1.2", depends_on="1.1")
    with pytest.raises(WorkspaceError, match=r"loop: 1\.1 -> 1\.2 -> 1\.1"):
        add(ws, "1.1", depends_on="1.2")
    with pytest.raises(WorkspaceError, match="cannot depend on itself"):
        add(ws, "1.1", depends_on="1.1")
    assert plan.get_action(ws, "1.1", TODAY)["depends_on"] == []


@pytest.mark.parametrize(("field", "value", "message"), [
    ("status", "finished", "status 'finished' is not one of"),
    ("percent", "120", "must be from 0 to 100"),
    ("percent", "lots", "is not a number"),
    ("statements", "assessing-needs, kindness", "unknown CQC quality statement 'kindness'"),
    ("ws_ref", "WS9", "workstream 'WS9' is not in the plan"),
])
def test_bad_values_are_refused_with_the_field_and_value(ws, field, value, message):
    with pytest.raises(WorkspaceError, match=message):
        add(ws, "1.1", **{field: value})
    assert not plan.action_exists(ws, "1.1")


def test_due_before_start_and_bad_dates_are_refused(ws):
    with pytest.raises(WorkspaceError, match="due date 30/03/2025 is before the start date 31/03/2025"):
        add(ws, "1.1", start=0, due=-1)
    with pytest.raises(WorkspaceError, match="due date '31/02/2025' is not a date"):
        plan.save_action(ws, "lead", ref="1.1", workstream_ref="WS1", description="x", due_date="31/02/2025")


def test_complete_needs_evidence_and_means_100_percent(ws):
    with pytest.raises(WorkspaceError, match="no evidence of completion"):
        add(ws, "1.1", status="complete", percent=80)
    add(ws, "1.1", status="complete", percent=80, evidence="Minutes of the board, 3 March")
    assert plan.get_action(ws, "1.1", TODAY)["percent_complete"] == 100


def test_owner_progress_updates_are_logged_with_status_and_percent_at_the_time(ws):
    add(ws, "1.1", percent=10)
    plan.update_progress(ws, "team-manager", "1.1", d(-7), percent_complete=40, note="Half the teams trained")
    plan.update_progress(ws, "team-manager", "1.1", TODAY, status="on hold", note="Waiting for budget")
    with pytest.raises(WorkspaceError, match="nothing to record"):
        plan.update_progress(ws, "team-manager", "1.1", TODAY)
    with pytest.raises(WorkspaceError, match="give the evidence of completion"):
        plan.update_progress(ws, "team-manager", "1.1", TODAY, status="complete")
    action = plan.get_action(ws, "1.1", TODAY)
    assert [(e["on_date"], e["who"], e["status"], e["percent_complete"], e["note"]) for e in action["log"]] == [
        ("2025-03-31", "team-manager", "on hold", 40, "Waiting for budget"),
        ("2025-03-24", "team-manager", "in progress", 40, "Half the teams trained"),
    ]
    assert action["rag"] == "amber"
    changes = [(c["actor"], c["action"], c["detail"]) for c in plan_changes(ws, "1.1")]
    assert ("team-manager", "update", {"status": {"old": "in progress", "new": "on hold"}}) in changes


def plan_changes(ws, ref):
    return ws.changes("plan_action", ref)


def test_unknown_action_is_not_found(ws):
    with pytest.raises(NotFound):
        plan.get_action(ws, "7.7", TODAY)
    with pytest.raises(NotFound):
        plan.update_progress(ws, "x", "7.7", TODAY, note="hello")
    assert plan.action_exists(ws, "7.7") is False


def test_views_by_statement_owner_overdue_and_due_soon(ws):
    add(ws, "1.1", due=-10, owner="team-manager", statements="assessing-needs")
    add(ws, "1.2", due=30, owner="assurance-lead", statements="safeguarding, assessing-needs")
    add(ws, "1.3", due=31, owner="assurance-lead", statements="")
    add(ws, "2.1", due=-2, ws_ref="WS2", status="cancelled", statements="safeguarding")
    overdue = plan.list_actions(ws, TODAY, view="overdue")
    assert [a["ref"] for a in overdue] == ["1.1"]  # cancelled actions are never overdue
    assert [a["ref"] for a in plan.list_actions(ws, TODAY, view="due-soon")] == ["1.2"]  # 30 days in, 31 out
    assert [a["ref"] for a in plan.list_actions(ws, TODAY, owner="assurance-lead")] == ["1.2", "1.3"]
    by_statement = {g["key"]: [a["ref"] for a in g["actions"]] for g in plan.grouped(ws, TODAY, "statement")}
    assert by_statement["assessing-needs"] == ["1.1", "1.2"]
    assert by_statement["safeguarding"] == ["1.2", "2.1"]
    assert by_statement[""] == ["1.3"]
    by_owner = {g["key"]: g["counts"]["actions"] for g in plan.grouped(ws, TODAY, "owner")}
    assert by_owner == {"assurance-lead": 2, "team-manager": 1}  # the cancelled 2.1 is not counted


def test_plan_summary_keeps_the_monthly_report_interface(ws):
    add(ws, "1.1", due=-10, percent=60)
    add(ws, "1.2", due=5, percent=20)
    add(ws, "1.3", due=200, percent=10, start=-5)
    add(ws, "1.4", due=-50, status="complete", evidence="Signed off")
    add(ws, "2.1", due=20, ws_ref="WS2", percent=90)
    add(ws, "2.2", due=-20, ws_ref="WS2", status="cancelled")
    s = plan.plan_summary(ws, TODAY)
    assert s["as_of"] == "2025-03-31"
    assert s["totals"] == {"actions": 5, "complete": 1, "red": 1, "amber": 1, "green": 2, "overdue": 1,
                           "due_30_days": 2}
    assert s["workstreams"] == [
        {"name": "Assessment timeliness", "lead": "Head of Localities", "actions": 4, "complete": 1, "red": 1,
         "amber": 1, "green": 1, "overdue": 1},
        {"name": "Safeguarding", "lead": "Head of Safeguarding", "actions": 1, "complete": 0, "red": 0, "amber": 0,
         "green": 1, "overdue": 0}]
    assert s["overdue"] == [{"ref": "1.1", "description": "Action 1.1", "owner": "team-manager", "due": "2025-03-21",
                             "workstream": "Assessment timeliness", "days_overdue": 10, "status": "in progress",
                             "percent_complete": 60}]
    assert [x["ref"] for x in s["due_soon"]] == ["1.2", "2.1"]
    assert set(s["due_soon"][0]) == {"ref", "description", "owner", "due", "workstream", "status",
                                     "percent_complete"}


def test_success_measures_check_the_registry_and_findings(ws):
    plan.save_finding(ws, "lead", ref="CQC-1", text="People waited too long", statement="assessing-needs",
                      source="CQC report 2025")
    with pytest.raises(WorkspaceError, match=r"'waiting\.nonsense' is not in the measure registry"):
        plan.save_success_measure(ws, "lead", ref="SM1", workstream_ref="WS1", description="x",
                                  measure_id="waiting.nonsense")
    with pytest.raises(WorkspaceError, match="finding 'CQC-9' is not in the plan"):
        plan.save_success_measure(ws, "lead", ref="SM1", workstream_ref="WS1", description="x",
                                  measure_id="waiting_list.count", findings="CQC-9")
    with pytest.raises(WorkspaceError, match="a target needs a measure id"):
        plan.save_success_measure(ws, "lead", ref="SM1", workstream_ref="WS1", description="x", target="3")
    plan.save_success_measure(ws, "lead", ref="SM1", workstream_ref="WS1", description="Fewer people waiting",
                              measure_id="waiting_list.count", target="3", target_date="31/03/2026",
                              statements="assessing-needs", findings="CQC-1")
    [m] = plan.list_success_measures(ws)  # no store: no live value, nothing made up
    assert m["current"] is None and m["target"] == 3.0 and m["target_date"] == "2026-03-31"
    assert m["statements"] == ["assessing-needs"] and m["findings"][0]["source"] == "CQC report 2025"


def test_success_measures_show_the_live_value_from_the_store(tmp_path):
    from extracts import build_figures_store

    store = build_figures_store(tmp_path)
    ws = Workspace.for_store(store)
    plan.save_workstream(ws, "lead", ref="WS1", name="Waiting")
    plan.save_success_measure(ws, "lead", ref="SM1", workstream_ref="WS1", description="Fewer waiting",
                              measure_id="waiting_list.count", target=3)
    [m] = plan.list_success_measures(ws, store)
    assert m["current"] == 4 and m["current_as_of"] == "2025-03-31" and m["target_met"] is False


def test_seed_demo_gives_a_mix_of_states_and_is_safe_to_run_twice(tmp_path):
    ws = Workspace.for_store(tmp_path)
    plan.seed_demo(ws, tmp_path, TODAY)
    plan.seed_demo(ws, tmp_path, TODAY)
    s = plan.plan_summary(ws, TODAY)
    assert len(s["workstreams"]) == 6 and 28 <= s["totals"]["actions"] <= 32
    assert all(s["totals"][k] > 0 for k in ("complete", "red", "amber", "green", "overdue", "due_30_days"))
    assert plan.action_log(ws) and plan.list_success_measures(ws)
    owners = {a["owner"] for a in plan.list_actions(ws, TODAY)}
    assert owners <= {"assurance-lead", "performance-analyst", "team-manager"}


# -- the command line -------------------------------------------------------------------------------------
def test_cli_status_export_import_and_update(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    plan.seed_demo(Workspace.for_store(store), store, TODAY)
    r = runner.invoke(app, ["plan", "status", "--store", str(store), "--today", "2025-03-31", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == plan.plan_summary(Workspace.for_store(store), TODAY)
    r = runner.invoke(app, ["plan", "status", "--store", str(store), "--today", "2025-03-31", "--view", "overdue"])
    assert r.exit_code == 0 and "overdue" in r.output and "1.2 " in r.output
    r = runner.invoke(app, ["plan", "status", "--store", str(store), "--view", "sideways"])
    assert r.exit_code == 2 and "--view 'sideways'" in r.output
    out = tmp_path / "plan.xlsx"
    r = runner.invoke(app, ["plan", "export", "--store", str(store), "--out", str(out), "--today", "2025-03-31"])
    assert r.exit_code == 0 and out.exists()
    r = runner.invoke(app, ["plan", "import", str(out), "--store", str(store), "--actor", "sam", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["changed"] == 0
    r = runner.invoke(app, ["plan", "update", "1.3", "--store", str(store), "--percent", "70", "--note", "Audit done",
                            "--actor", "team-manager", "--today", "2025-03-31"])
    assert r.exit_code == 0 and "70% complete" in r.output
    r = runner.invoke(app, ["plan", "update", "1.3", "--store", str(store), "--status", "complete"])
    assert r.exit_code == 2 and "evidence of completion" in r.output


@pytest.mark.parametrize("command", [["plan"], ["plan", "import"], ["plan", "export"], ["plan", "status"],
                                     ["plan", "update"]])
def test_every_plan_command_has_help(command):
    r = runner.invoke(app, [*command, "--help"])
    assert r.exit_code == 0 and "Usage" in r.output

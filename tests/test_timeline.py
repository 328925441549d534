"""The assessment timeline: Oxfordshire's real dates come out of the default rules; changing a date moves
open tasks and says which; overdue and due-soon tasks are flagged; users add their own tasks."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from asc_assure.assurance import timeline as tl
from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError

D = dt.date


@pytest.fixture
def ws(tmp_path) -> Workspace:
    return Workspace(tmp_path / "workspace")


def dues(result) -> dict[str, str]:
    return {m["key"]: m["due_date"] for m in result["milestones"]}


def test_default_rules_reproduce_oxfordshires_timeline(ws):
    result = tl.generate(ws, actor="lead", notified=D(2024, 7, 15))
    assert result["anchors"]["onsite_notified"] == {"date": "2024-11-04", "given": False}
    assert result["anchors"]["onsite_start"] == {"date": "2025-01-13", "given": False}
    assert dues(result) == {
        "information_return_due": "2024-08-02", "onsite_dates_notified": "2024-11-04",
        "staff_groups_sent": "2024-11-11", "case_list_due": "2024-11-18", "pen_pictures_due": "2024-12-03",
        "leadership_presentation": "2024-12-13", "logistics_meeting": "2024-12-17", "onsite_week": "2025-01-13",
        "initial_feedback": "2025-01-23"}
    onsite = next(m for m in result["milestones"] if m["key"] == "onsite_week")
    assert onsite["end_date"] == "2025-01-17"
    first = result["milestones"][0]
    assert first["rule"] == "14 working days after notification of assessment" and "three weeks" in first["source"]
    assert result["created"] == len(tl.list_tasks(ws, D(2024, 7, 15))) > 15


def test_working_days_skip_bank_holidays_both_ways():
    assert tl.shift(D(2024, 12, 20), 3, "working") == D(2024, 12, 27)  # 23, 24, 27: Christmas and Boxing Day skipped
    assert tl.shift(D(2024, 12, 27), -2, "working") == D(2024, 12, 23)
    assert tl.shift(D(2025, 1, 13), -31, "calendar") == D(2024, 12, 13)
    with pytest.raises(WorkspaceError, match="'fortnights'"):
        tl.shift(D(2025, 1, 1), 1, "fortnights")


def test_regenerating_moves_open_tasks_and_says_which(ws):
    tl.generate(ws, actor="lead", notified=D(2024, 7, 15))
    tasks = {t["key"]: t for t in tl.list_tasks(ws, D(2024, 7, 15))}
    tl.update_task(ws, tasks["cases_propose"]["id"], actor="lead", today=D(2024, 11, 8), status="done")
    mine = tl.add_task(ws, actor="lead", title="Book rooms for case tracking calls", due_date=D(2024, 11, 15),
                       milestone="case_list_due")
    loose = tl.add_task(ws, actor="lead", title="Buy biscuits", due_date=D(2024, 11, 15))
    result = tl.generate(ws, actor="lead", notified=D(2024, 7, 15), onsite_notified=D(2024, 11, 11))
    moved = {t["title"]: (t["from"], t["to"]) for t in result["moved"]}
    assert moved["Submit the list of 50 cases"] == ("2024-11-18", "2024-11-25")
    assert moved["Book rooms for case tracking calls"] == ("2024-11-15", "2024-11-22")  # moved with its milestone
    assert "Submit the information return and self-assessment" not in moved  # its anchor did not change
    assert [k["title"] for k in result["kept"]] == ["Propose 50 cases from the data with the documented mix"]
    assert tl.get_task(ws, tasks["cases_propose"]["id"])["due_date"] == tasks["cases_propose"]["due_date"]
    assert tl.get_task(ws, loose)["due_date"] == "2024-11-15" and tl.get_task(ws, mine)["due_date"] == "2024-11-22"
    assert result["created"] == 0
    assert ws.changes("assessment_task", mine)[0]["action"] == "move"


def test_overdue_and_due_soon_flags(ws):
    tl.generate(ws, actor="lead", notified=D(2024, 7, 15))
    data = tl.show(ws, D(2024, 8, 5))
    submit = next(t for t in data["tasks"] if t["key"] == "ir_submit")
    assert submit["overdue"] and submit["days_overdue"] == 3 and not submit["due_soon"]
    soon = next(t for t in data["tasks"] if t["key"] == "logistics_plan")
    assert not soon["overdue"] and not soon["due_soon"]
    assert tl.show(ws, D(2024, 11, 1))["tasks"][-1]["due_soon"] is False
    staff = next(t for t in tl.show(ws, D(2024, 11, 5))["tasks"] if t["key"] == "staff_groups")
    assert staff["due_soon"] and not staff["overdue"]
    tl.update_task(ws, submit["id"], actor="lead", today=D(2024, 8, 5), status="done")
    done = tl.get_task(ws, submit["id"])
    assert done["completed_on"] == "2024-08-05"
    assert not next(t for t in tl.show(ws, D(2024, 8, 5))["tasks"] if t["id"] == submit["id"])["overdue"]
    assert tl.show(ws, D(2024, 8, 5))["overdue"] == data["overdue"] - 1


def test_users_add_and_update_their_own_tasks(ws):
    tl.generate(ws, actor="lead", notified=D(2024, 7, 15))
    task_id = tl.add_task(ws, actor="lead", title="Brief councillors", due_date="2024-12-01", owner="sam")
    assert [t["title"] for t in tl.list_tasks(ws, D(2024, 7, 15), owner="sam")] == ["Brief councillors"]
    with pytest.raises(WorkspaceError, match="'nope' is not on the timeline"):
        tl.add_task(ws, actor="lead", title="x", due_date="2024-12-01", milestone="nope")
    with pytest.raises(WorkspaceError, match="due date '31/31/2024'"):
        tl.add_task(ws, actor="lead", title="x", due_date="31/31/2024")
    with pytest.raises(WorkspaceError, match="status 'finished'"):
        tl.update_task(ws, task_id, actor="sam", today=D(2024, 7, 15), status="finished")
    with pytest.raises(NotFound):
        tl.get_task(ws, 9999)
    changed = tl.update_task(ws, task_id, actor="sam", today=D(2024, 7, 15), status="in_progress", notes="draft")
    assert (changed["status"], changed["notes"]) == ("in_progress", "draft")
    assert ws.changes("assessment_task", task_id)[0]["actor"] == "sam"


def test_anchor_dates_must_be_in_order(ws):
    with pytest.raises(WorkspaceError, match="before the notification date"):
        tl.generate(ws, actor="lead", notified=D(2024, 7, 15), onsite_notified=D(2024, 7, 1))


runner = CliRunner()


def cli(*args):
    from asc_assure.cli import app

    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("command", [["timeline"], ["timeline", "generate"], ["timeline", "show"],
                                     ["timeline", "task"], ["timeline", "task", "add"], ["timeline", "task", "update"]])
def test_every_timeline_command_has_help(command):
    r = cli("cqc", *command, "--help")
    assert r.exit_code == 0 and "Usage" in r.output


def test_cli_generate_show_and_tasks(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    r = cli("cqc", "timeline", "generate", "--store", store, "--notified", "15/07/2024", "--owner", "lead")
    assert r.exit_code == 0, r.output
    assert "2024-08-02  Information return and self-assessment submitted to CQC" in r.output
    r = cli("cqc", "timeline", "task", "add", "--store", store, "Brief councillors", "--due", "2024-08-01")
    assert r.exit_code == 0 and "task #" in r.output
    shown = json.loads(cli("cqc", "timeline", "show", "--store", store, "--today", "2024-08-05", "--json").output)
    assert shown["overdue"] >= 2 and shown["anchors"]["notified"]["date"] == "2024-07-15"
    r = cli("cqc", "timeline", "task", "update", "--store", store, "1", "--status", "done", "--today", "2024-07-20")
    assert r.exit_code == 0 and "[done]" in r.output
    r = cli("cqc", "timeline", "task", "update", "--store", store, "1", "--status", "finished")
    assert r.exit_code == 2 and "status 'finished'" in r.output
    r = cli("cqc", "timeline", "generate", "--store", store, "--notified", "2024-07-15", "--onsite-notified",
            "2024-11-11")
    assert r.exit_code == 0 and "moved: #" in r.output

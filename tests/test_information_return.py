"""The information-return checklist: default items with sources, owners and statuses, due dates from the
timeline, not applicable only with a reason, and links to evidence that must exist."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from asc_assure.assurance import information_return as ir
from asc_assure.assurance import timeline as tl
from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError
from asc_assure.domain.cqc import load_framework

D = dt.date


@pytest.fixture
def ws(tmp_path) -> Workspace:
    return Workspace(tmp_path / "workspace")


def test_default_items_are_sourced_and_map_to_quality_statements(ws):
    items = ir.list_items(ws, D(2024, 7, 20))
    slugs = set(load_framework().slugs)
    assert len(items) == sum(len(s["items"]) for s in ir.load_items()["sections"]) >= 25
    assert {i["kind"] for i in items} == {"document", "data"}
    assert all(i["status"] == "not_started" and i["due_date"] is None for i in items)
    for i in items:
        assert set(i["quality_statements"]) <= slugs, i["id"]
        assert i["quality_statements"], i["id"]
    assert items[0]["id"] == "self_assessment" and "three weeks" in items[0]["source"]
    assert "Oxfordshire supplied: IR30 - 1" in ir.get_item(ws, "improvement_plan")["source"]
    assert "cqc.org.uk" in ir.load_items()["source"]


def test_reading_the_checklist_writes_nothing(ws):
    ir.list_items(ws, D(2024, 7, 20))
    assert ws.changes() == []


def test_due_dates_come_from_the_timeline_and_overdue_is_flagged(ws):
    tl.generate(ws, actor="lead", notified=D(2024, 7, 15))
    items = ir.list_items(ws, D(2024, 8, 5))
    assert {i["due_date"] for i in items} == {"2024-08-02"}
    assert all(i["overdue"] for i in items)
    ir.update_item(ws, "self_assessment", actor="lead", status="submitted")
    ir.update_item(ws, "market_sustainability", actor="lead", status="ready")
    overdue = {i["id"] for i in ir.list_items(ws, D(2024, 8, 5)) if i["overdue"]}
    assert "self_assessment" not in overdue and "market_sustainability" not in overdue and "psw_report" in overdue
    assert ir.summary(ws, D(2024, 8, 5))["finished"] == 2


def test_owner_status_notes_and_filters(ws):
    row = ir.update_item(ws, "waiting_data", actor="lead", owner="priya", status="in_progress", notes="from extracts")
    assert (row["owner"], row["status_text"], row["notes"]) == ("priya", "In progress", "from extracts")
    assert [i["id"] for i in ir.list_items(ws, D(2024, 8, 1), owner="priya")] == ["waiting_data"]
    assert [i["id"] for i in ir.list_items(ws, D(2024, 8, 1), status="in_progress")] == ["waiting_data"]
    assert ir.owners(ws) == ["priya"]
    change = ws.changes("information_return_item", "waiting_data")[0]
    assert change["actor"] == "lead" and change["detail"]["status"] == {"from": "not_started", "to": "in_progress"}
    with pytest.raises(WorkspaceError, match="status 'done'"):
        ir.update_item(ws, "waiting_data", actor="lead", status="done")
    with pytest.raises(NotFound, match="'no_such_item'"):
        ir.update_item(ws, "no_such_item", actor="lead", status="ready")


def test_not_applicable_needs_a_reason(ws):
    with pytest.raises(WorkspaceError, match="say why item 'transitions_protocol' is not applicable"):
        ir.update_item(ws, "transitions_protocol", actor="lead", status="not_applicable")
    row = ir.update_item(ws, "transitions_protocol", actor="lead", status="not_applicable",
                         na_reason="In the joint Preparing for Adulthood policy")
    assert row["na_reason"].startswith("In the joint")
    assert ir.update_item(ws, "transitions_protocol", actor="lead", status="ready")["na_reason"] == ""


def test_evidence_links_are_checked(ws):
    with pytest.raises(WorkspaceError, match="evidence"):
        ir.update_item(ws, "psw_report", actor="lead", add_evidence=[12345])
    with pytest.raises(WorkspaceError, match="evidence id 'abc' is not a number"):
        ir.update_item(ws, "psw_report", actor="lead", add_evidence=["abc"])
    assert ir.get_item(ws, "psw_report")["evidence"] == []


def test_linking_real_evidence_items(ws):
    evidence = pytest.importorskip("asc_assure.assurance.evidence")
    eid = evidence.add_item(ws, actor="lead", title="PSW annual report 2024", category="processes",
                            statements=["learning-improvement-innovation"], source_type="policy", owner="lead",
                            evidence_date=D(2024, 6, 30), link="https://example.org/psw-report")
    row = ir.update_item(ws, "psw_report", actor="lead", add_evidence=[eid, eid])
    assert row["evidence"] == [eid]
    assert ir.update_item(ws, "psw_report", actor="lead", remove_evidence=[eid])["evidence"] == []
    with pytest.raises(WorkspaceError, match=f"evidence item {eid + 99} does not exist"):
        ir.update_item(ws, "psw_report", actor="lead", add_evidence=[eid + 99])


def test_extra_items_cqc_asks_for_later(ws):
    item_id = ir.add_item(ws, actor="lead", title="Updated waiting list to end of March", kind="data")
    assert ir.get_item(ws, item_id)["section"] == "Further requests"
    with pytest.raises(WorkspaceError, match="kind 'video'"):
        ir.add_item(ws, actor="lead", title="x", kind="video")


runner = CliRunner()


def cli(*args):
    from asc_assure.cli import app

    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("command", [["return"], ["return", "list"], ["return", "update"]])
def test_every_return_command_has_help(command):
    r = cli("cqc", *command, "--help")
    assert r.exit_code == 0 and "Usage" in r.output


def test_cli_list_and_update(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    r = cli("cqc", "return", "update", "--store", store, "self_assessment", "--owner", "lead", "--status", "ready")
    assert r.exit_code == 0 and "Ready, owner lead" in r.output
    listed = json.loads(cli("cqc", "return", "list", "--store", store, "--status", "ready", "--json").output)
    assert [i["id"] for i in listed] == ["self_assessment"]
    r = cli("cqc", "return", "update", "--store", store, "psw_report", "--status", "not_applicable")
    assert r.exit_code == 2 and "not applicable" in r.output
    r = cli("cqc", "return", "update", "--store", store, "psw_report", "--evidence", "77")
    assert r.exit_code == 2 and "evidence" in r.output

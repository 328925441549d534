"""The plan workbook: a lossless round trip, idempotent re-import, and bad rows reported precisely."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook, load_workbook

from asc_assure.assurance import plan
from asc_assure.assurance.plan_excel import SHEETS, export_plan, export_rows, import_plan
from asc_assure.assurance.workspace import Workspace, WorkspaceError

TODAY = dt.date(2025, 3, 31)


@pytest.fixture
def demo(tmp_path):
    ws = Workspace.for_store(tmp_path / "demo")
    plan.seed_demo(ws, tmp_path, TODAY)
    return ws


def workbook_values(path):
    book = load_workbook(path)
    return {name: [[c.value for c in row] for row in book[name].iter_rows()] for name in SHEETS}


def test_export_import_export_is_lossless(demo, tmp_path):
    first = export_plan(demo, tmp_path / "first.xlsx", TODAY)
    fresh = Workspace.for_store(tmp_path / "fresh")
    report = import_plan(fresh, first, "sam")
    assert report.errors == [] and report.missing_sheets == []
    assert report.sheets["Actions"]["created"] == len(plan.list_actions(demo, TODAY))
    second = export_plan(fresh, tmp_path / "second.xlsx", TODAY)
    assert workbook_values(first) == workbook_values(second)
    assert export_rows(fresh, TODAY) == export_rows(demo, TODAY)
    assert plan.plan_summary(fresh, TODAY) == plan.plan_summary(demo, TODAY)


def test_reimporting_the_same_file_changes_nothing(demo, tmp_path):
    path = export_plan(demo, tmp_path / "plan.xlsx", TODAY)
    before = len(demo.changes(limit=100_000))
    report = import_plan(demo, path, "sam")
    assert report.changed == 0 and report.errors == []
    assert all(c["created"] == c["updated"] == 0 for c in report.sheets.values())
    assert len(demo.changes(limit=100_000)) == before


def test_export_shape_headers_and_calculated_rag(demo, tmp_path):
    book = load_workbook(export_plan(demo, tmp_path / "plan.xlsx", TODAY))
    assert book.sheetnames == ["About", *SHEETS]
    actions = book["Actions"]
    headers = [c.value for c in actions[1]]
    assert headers == [h for _, h, _ in SHEETS["Actions"]]
    rows = {r[0]: dict(zip(headers, r, strict=True)) for r in actions.iter_rows(min_row=2, values_only=True)}
    assert rows["1.2"]["RAG (calculated)"] == "Red" and rows["4.5"]["RAG (calculated)"] == "No rating"
    assert rows["1.2"]["Due date"] == dt.datetime(2025, 3, 1)
    assert rows["3.5"]["Depends on"] == "3.1, 3.2"


def test_rag_column_is_not_read_and_edits_are_upserted_by_ref(demo, tmp_path):
    path = export_plan(demo, tmp_path / "plan.xlsx", TODAY)
    book = load_workbook(path)
    sheet = book["Actions"]
    headers = [c.value for c in sheet[1]]
    col = {h: i + 1 for i, h in enumerate(headers)}
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "1.3")
    sheet.cell(row, col["RAG (calculated)"]).value = "Green, honestly"
    sheet.cell(row, col["% complete"]).value = 65
    book.save(path)
    report = import_plan(demo, path, "sam")
    assert report.errors == []
    assert report.sheets["Actions"]["updated"] == 1 and report.changed == 1
    action = plan.get_action(demo, "1.3", TODAY)
    assert action["percent_complete"] == 65
    [change] = [c for c in demo.changes("plan_action", "1.3") if c["actor"] == "sam"]
    assert change["detail"] == {"percent_complete": {"old": 40, "new": 65}}


def council_workbook(path, actions, log=(), workstreams=(("WS1", "Timeliness", "Head of Service", ""),)):
    """A workbook as a council might keep it: its own header wording, percentages formatted as %."""
    book = Workbook()
    book.active.title = "Workstreams"
    book["Workstreams"].append(["Workstream ref", "Workstream name", "Lead officer", "Sponsor"])
    for w in workstreams:
        book["Workstreams"].append(list(w))
    sheet = book.create_sheet("Actions")
    sheet.append(["Action ref", "Workstream", "Action description", "Action owner", "Start", "Deadline", "Status",
                  "Progress", "Dependencies", "Quality statements", "Evidence"])
    for a in actions:
        sheet.append(list(a))
    for row in sheet.iter_rows(min_row=2, min_col=8, max_col=8):
        if isinstance(row[0].value, float):
            row[0].number_format = "0%"
    log_sheet = book.create_sheet("Action log")
    log_sheet.append(["Action", "Date", "Who", "Note", "% complete", "Status"])
    for entry in log:
        log_sheet.append(list(entry))
    for row in log_sheet.iter_rows(min_row=2, min_col=5, max_col=5):
        if isinstance(row[0].value, float):
            row[0].number_format = "0%"
    book.save(path)
    return path


def test_bad_rows_are_reported_by_sheet_row_and_column_and_good_rows_still_load(tmp_path):
    ws = Workspace.for_store(tmp_path / "store")
    path = council_workbook(tmp_path / "council.xlsx", [
        ("1", "WS1", "Appointment setting", "team-manager", dt.datetime(2025, 1, 1), dt.datetime(2025, 6, 30),
         "In Progress", 0.5, None, "Assessing-Needs", None),
        ("2", "WS1", "Journey mapping", "assurance-lead", None, "31/13/2025", "in progress", 10, None, None, None),
        ("3", "WS9", "Unknown workstream", "x", None, dt.datetime(2025, 6, 30), "in progress", 10, None, None, None),
        ("4", "WS1", "Finished", "x", None, dt.datetime(2025, 2, 1), "Completed", 100, None, None, None),
        ("5", "WS1", "Waits for 1", "x", None, dt.datetime(2025, 6, 30), "not started", 0, "1", None, None),
        ("6", "WS1", "Waits for nothing real", "x", None, dt.datetime(2025, 6, 30), "not started", 0, "99", None,
         None),
        ("7", "WS1", "Loop A", "x", None, dt.datetime(2025, 6, 30), "not started", 0, "8", None, None),
        ("8", "WS1", "Loop B", "x", None, dt.datetime(2025, 6, 30), "not started", 0, "7", None, None),
        ("1", "WS1", "Duplicate ref", "x", None, dt.datetime(2025, 6, 30), "not started", 0, None, None, None),
        (None, None, None, None, None, None, None, None, None, None, None),  # blank rows are skipped
        ("9", "WS1", "Odd status", "x", None, dt.datetime(2025, 6, 30), "parked", 0, None, None, None),
    ], log=[("1", dt.datetime(2025, 3, 1), "team-manager", "Pilot started", 0.3, "in progress"),
            ("42", dt.datetime(2025, 3, 1), "team-manager", "No such action", 10, "in progress")])
    report = import_plan(ws, path, "sam")
    errors = {(e["sheet"], e["row"], e["column"]): e["reason"] for e in report.errors}
    assert "is not a date" in errors[("Actions", 3, "Due date")]
    assert "workstream 'WS9' is not in the plan" in errors[("Actions", 4, "Workstream")]
    assert "no evidence of completion" in errors[("Actions", 5, "Evidence of completion")]
    assert "'99', which is not an action" in errors[("Actions", 7, "Depends on")]
    assert "loop" in errors[("Actions", 8, "Depends on")] and "loop" in errors[("Actions", 9, "Depends on")]
    assert "used again (first on row 2)" in errors[("Actions", 10, "Ref")]
    assert "'parked' is not one of" in errors[("Actions", 12, "Status")]
    assert "action '42' is not in the plan" in errors[("Action log", 3, "Action")]
    assert len(report.errors) == 9
    loaded = {a["ref"]: a for a in plan.list_actions(ws, TODAY)}
    assert sorted(loaded) == ["1", "5"]
    assert loaded["1"]["percent_complete"] == 50 and loaded["1"]["statements"] == ["assessing-needs"]
    assert loaded["1"]["start_date"] == "2025-01-01" and loaded["5"]["depends_on"] == ["1"]
    assert [(e["percent_complete"], e["note"]) for e in plan.action_log(ws)] == [(30, "Pilot started")]


def test_missing_required_column_and_wrong_file_are_explained(tmp_path):
    ws = Workspace.for_store(tmp_path / "store")
    book = Workbook()
    book.active.title = "Actions"
    book["Actions"].append(["Ref", "Description"])
    book["Actions"].append(["1", "No workstream or due date columns"])
    book.save(tmp_path / "thin.xlsx")
    report = import_plan(ws, tmp_path / "thin.xlsx", "sam")
    assert {(e["sheet"], e["row"], e["column"]) for e in report.errors} == {
        ("Actions", 1, "Workstream"), ("Actions", 1, "Due date")}
    assert "Workstreams" in report.missing_sheets and report.changed == 0
    other = Workbook()
    other.active.title = "Budget"
    other.save(tmp_path / "budget.xlsx")
    with pytest.raises(WorkspaceError, match="has none of the plan's sheets"):
        import_plan(ws, tmp_path / "budget.xlsx", "sam")
    (tmp_path / "notes.xlsx").write_text("not a workbook")
    with pytest.raises(WorkspaceError, match=r"could not read notes\.xlsx as an Excel workbook"):
        import_plan(ws, tmp_path / "notes.xlsx", "sam")

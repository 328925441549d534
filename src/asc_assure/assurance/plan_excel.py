"""The improvement plan in and out of Excel, in the shape councils keep it today.

Councils run their improvement plans in spreadsheets, so the plan goes both ways: one workbook with
sheets Workstreams, Findings, Actions, Success measures and Action log (plus an "About" sheet that is
ignored on import).

* Import upserts by ref: a row whose ref is new is added, a known ref is updated, and a row that
  matches what is held changes nothing, so importing the same file twice changes nothing.
* Valid rows load; each bad row is reported with its sheet, row, column and the reason, and left out.
* Export writes the same shape, with the computed RAG as a grey, read-only column (ignored on import),
  so exporting, importing into an empty workspace and exporting again gives the same workbook.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from asc_assure.assurance import plan
from asc_assure.assurance.workspace import Workspace, WorkspaceError, rows
from asc_assure.domain import plan_rag

# sheet -> [(field, header, other headers accepted on import)]
SHEETS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "Workstreams": [
        ("ref", "Ref", ("workstream ref", "reference", "no", "number")),
        ("name", "Name", ("workstream", "workstream name", "title")),
        ("lead", "Lead", ("lead officer", "workstream lead")),
        ("sponsor", "Sponsor", ("senior sponsor", "sro")),
        ("description", "Description", ("aim", "scope")),
    ],
    "Findings": [
        ("ref", "Ref", ("finding ref", "reference")),
        ("text", "Finding", ("text", "finding text", "area for improvement")),
        ("statement", "Quality statement", ("statement", "cqc quality statement")),
        ("source", "Source", ()),
    ],
    "Actions": [
        ("ref", "Ref", ("action ref", "action", "reference", "no")),
        ("workstream_ref", "Workstream", ("workstream ref",)),
        ("description", "Description", ("action description",)),
        ("owner", "Owner", ("action owner", "lead")),
        ("start_date", "Start date", ("start",)),
        ("due_date", "Due date", ("due", "deadline", "target date")),
        ("status", "Status", ()),
        ("percent_complete", "% complete", ("percent complete", "% done", "progress")),
        ("rag", "RAG (calculated)", ("rag", "rag rating")),
        ("depends_on", "Depends on", ("dependencies", "dependency")),
        ("statements", "Quality statements", ("quality statement", "cqc quality statements")),
        ("evidence", "Evidence of completion", ("evidence",)),
    ],
    "Success measures": [
        ("ref", "Ref", ("reference",)),
        ("workstream_ref", "Workstream", ("workstream ref",)),
        ("description", "Description", ("success measure",)),
        ("measure_id", "Measure id", ("measure", "registry measure")),
        ("target", "Target", ()),
        ("target_date", "Target date", ("by",)),
        ("statements", "Quality statements", ("quality statement",)),
        ("findings", "Findings", ("finding refs", "finding")),
    ],
    "Action log": [
        ("action_ref", "Action", ("action ref", "ref")),
        ("on_date", "Date", ("update date", "when")),
        ("who", "Who", ("updated by", "by")),
        ("note", "Note", ("update", "comment", "notes")),
        ("percent_complete", "% complete", ("percent complete", "progress")),
        ("status", "Status", ()),
    ],
}
REQUIRED = {"Workstreams": {"ref", "name"}, "Findings": {"ref", "text"},
            "Actions": {"ref", "workstream_ref", "description", "due_date"},
            "Success measures": {"ref", "workstream_ref", "description"},
            "Action log": {"action_ref", "on_date", "who"}}
READ_ONLY = {"rag"}
DATE_FIELDS = {"start_date", "due_date", "target_date", "on_date"}
PERCENT_FIELDS = {"percent_complete"}
HEADER_FONT = Font(bold=True)
GREY = PatternFill("solid", fgColor="DDDDDD")


@dataclass
class ImportReport:
    """What an import did: per sheet, rows created, updated and unchanged, and every bad row."""

    file: str
    sheets: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    missing_sheets: list[str] = field(default_factory=list)

    def count(self, sheet: str, outcome: str) -> None:
        self.sheets.setdefault(sheet, {"created": 0, "updated": 0, "unchanged": 0})[outcome] += 1

    def error(self, sheet: str, row: int, column: str, reason: str) -> None:
        self.errors.append({"sheet": sheet, "row": row, "column": column, "reason": reason})

    @property
    def changed(self) -> int:
        return sum(c["created"] + c["updated"] for c in self.sheets.values())

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sheets": self.sheets, "changed": self.changed, "errors": self.errors,
                "missing_sheets": self.missing_sheets}


def _norm(text: Any) -> str:
    return " ".join(str(text or "").strip().lower().replace("_", " ").split())


def _headers(sheet_name: str, header_row: tuple[Any, ...]) -> dict[str, int]:
    """field -> column index, matching headers by name (any order; unknown columns are ignored)."""
    wanted = {}
    for fld, header, others in SHEETS[sheet_name]:
        for name in (header, *others):
            wanted.setdefault(_norm(name), fld)
    found: dict[str, int] = {}
    for i, cell in enumerate(header_row):
        fld = wanted.get(_norm(cell))
        if fld and fld not in found:
            found[fld] = i
    return found


def _column_label(sheet_name: str, fld: str) -> str:
    """The header a user sees for a field (the sheet's first column if the field is not on the sheet)."""
    return next((h for f, h, _ in SHEETS[sheet_name] if f == fld), SHEETS[sheet_name][0][1])


def _value(cell: Any, fld: str) -> Any:
    value = cell.value
    if isinstance(value, str):
        value = value.strip()
    if fld in PERCENT_FIELDS and isinstance(value, int | float) and "%" in (cell.number_format or ""):
        value = value * 100  # a cell formatted as a percentage holds 0.5 for 50%
    if fld in DATE_FIELDS and isinstance(value, dt.datetime):
        value = value.date()
    return value


def _rows(book: Any, sheet_name: str, report: ImportReport) -> list[tuple[int, dict[str, Any]]] | None:
    """(Excel row number, {field: value}) for each non-blank row, or None if the sheet is absent or unusable."""
    match = next((n for n in book.sheetnames if _norm(n) == _norm(sheet_name)), None)
    if match is None:
        report.missing_sheets.append(sheet_name)
        return None
    sheet = book[match]
    it = sheet.iter_rows()
    header = next(it, None)
    cols = _headers(sheet_name, tuple(c.value for c in header or ()))
    missing = [f for f in REQUIRED[sheet_name] if f not in cols]
    if missing:
        for f in sorted(missing):
            report.error(sheet_name, 1, _column_label(sheet_name, f),
                         f"column {_column_label(sheet_name, f)!r} is missing, so nothing was loaded from this sheet")
        return None
    out = []
    for cells in it:
        values = {f: _value(cells[i], f) for f, i in cols.items() if i < len(cells) and f not in READ_ONLY}
        if all(v is None or v == "" for v in values.values()):
            continue
        out.append((cells[0].row, values))
    return out


def _load_simple(con: Any, actor: str, report: ImportReport, sheet: str, items: list[tuple[int, dict[str, Any]]],
                 clean: Any, write: Any) -> None:
    seen: dict[str, int] = {}
    for row, raw in items:
        con.execute("SAVEPOINT plan_row")
        try:
            data = clean(raw)
            key = data.get("ref")
            if key is not None and key in seen:
                raise plan.FieldError("ref", f"ref {key!r} is used again (first on row {seen[key]})")
            outcome = write(con, actor, data)
            if key is not None:
                seen[key] = row
        except WorkspaceError as exc:
            con.execute("ROLLBACK TO plan_row")
            report.error(sheet, row, _column_label(sheet, getattr(exc, "field", "ref")), str(exc))
        else:
            report.count(sheet, outcome)
        con.execute("RELEASE plan_row")


def _load_actions(con: Any, actor: str, report: ImportReport, items: list[tuple[int, dict[str, Any]]]) -> None:
    sheet = "Actions"
    cleaned: dict[str, tuple[int, dict[str, Any]]] = {}
    for row, raw in items:
        try:
            data = plan.clean_action(raw)
            if data["ref"] in cleaned:
                raise plan.FieldError("ref", f"ref {data['ref']!r} is used again (first on row "
                                             f"{cleaned[data['ref']][0]})")
        except WorkspaceError as exc:
            report.error(sheet, row, _column_label(sheet, getattr(exc, "field", "ref")), str(exc))
            continue
        cleaned[data["ref"]] = (row, data)
    # Dependencies may point at actions already held or at other good rows in this sheet; a row whose
    # dependency is unknown or makes a loop is refused (which may in turn refuse rows that depend on it).
    held = {r[0] for r in con.execute("SELECT ref FROM plan_actions")}
    changed = True
    while changed:
        changed = False
        for ref, (row, data) in list(cleaned.items()):
            unknown = [d for d in data["depends_on"] if d not in cleaned and d not in held]
            if unknown:
                report.error(sheet, row, _column_label(sheet, "depends_on"),
                             f"action {ref} depends on {unknown[0]!r}, which is not an action in the plan")
                del cleaned[ref]
                changed = True
        graph = {**plan._graph(con), **{ref: data["depends_on"] for ref, (_, data) in cleaned.items()}}
        loop = plan_rag.find_cycle(graph)
        if loop:
            culprits = [r for r in dict.fromkeys(loop) if r in cleaned]
            if not culprits:  # pragma: no cover - the held plan never contains a loop
                break
            for ref in culprits:
                report.error(sheet, cleaned[ref][0], _column_label(sheet, "depends_on"),
                             f"dependencies would go round in a loop: {' -> '.join(loop)}")
                del cleaned[ref]
            changed = True
    written: dict[str, str] = {}
    for ref, (row, data) in cleaned.items():
        con.execute("SAVEPOINT plan_row")
        try:
            written[ref] = plan.write_action(con, actor, data, check_deps=False, with_dependencies=False)
        except WorkspaceError as exc:
            con.execute("ROLLBACK TO plan_row")
            report.error(sheet, row, _column_label(sheet, getattr(exc, "field", "ref")), str(exc))
        con.execute("RELEASE plan_row")
    for ref, outcome in written.items():
        data = cleaned[ref][1]
        deps = [d for d in data["depends_on"] if d in written or d in held]
        if deps != data["depends_on"]:
            missing = next(d for d in data["depends_on"] if d not in deps)
            report.error(sheet, cleaned[ref][0], _column_label(sheet, "depends_on"),
                         f"action {ref} depends on {missing!r}, which could not be loaded; dependencies left as "
                         "they were")
            report.count(sheet, outcome)
            continue
        if plan.write_dependencies(con, actor, ref, deps) and outcome == "unchanged":
            outcome = "updated"
        report.count(sheet, outcome)


def import_plan(ws: Workspace, path: Path | str, actor: str) -> ImportReport:
    """Load a plan workbook. Good rows are saved; bad rows are reported (sheet, row, column, reason)."""
    path = Path(path)
    try:
        book = load_workbook(path, data_only=True, read_only=False)
    except Exception as exc:
        raise WorkspaceError(f"could not read {path.name} as an Excel workbook (.xlsx): {exc}") from None
    report = ImportReport(file=path.name)
    sheets = {name: _rows(book, name, report) for name in SHEETS}
    if all(v is None for v in sheets.values()) and len(report.missing_sheets) == len(SHEETS):
        raise WorkspaceError(f"{path.name} has none of the plan's sheets ({', '.join(SHEETS)}); "
                             f"it has: {', '.join(book.sheetnames)}")
    with ws.transaction() as con:
        if sheets["Workstreams"]:
            _load_simple(con, actor, report, "Workstreams", sheets["Workstreams"], plan.clean_workstream,
                         plan.write_workstream)
        if sheets["Findings"]:
            _load_simple(con, actor, report, "Findings", sheets["Findings"], plan.clean_finding, plan.write_finding)
        if sheets["Actions"]:
            _load_actions(con, actor, report, sheets["Actions"])
        if sheets["Success measures"]:
            _load_simple(con, actor, report, "Success measures", sheets["Success measures"],
                         plan.clean_success_measure, plan.write_success_measure)
        if sheets["Action log"]:
            _load_simple(con, actor, report, "Action log", sheets["Action log"], plan.clean_log_entry,
                         plan.write_log_entry)
        if report.changed:
            Workspace.log(con, actor, "plan_import", path.name, "import", changed=report.changed,
                          errors=len(report.errors))
    return report


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def export_rows(ws: Workspace, today: dt.date) -> dict[str, list[list[Any]]]:
    """The plan as sheet rows (no headers), in the order the workbook shows them."""
    titles = plan.statement_titles()
    order = list(titles)
    with ws.read() as con:
        measure_links = rows(con.execute("SELECT * FROM plan_success_measure_statements"))
        finding_links = rows(con.execute("SELECT * FROM plan_success_measure_findings"))
        measures = rows(con.execute(
            "SELECT m.* FROM plan_success_measures m JOIN plan_workstreams w ON w.ref = m.workstream_ref "
            "ORDER BY w.position, m.ref"))
    measures.sort(key=lambda m: plan._ref_key(m["ref"]))
    out: dict[str, list[list[Any]]] = {}
    out["Workstreams"] = [[w["ref"], w["name"], w["lead"], w["sponsor"], w["description"]]
                          for w in plan.list_workstreams(ws)]
    out["Findings"] = [[f["ref"], f["text"], f["statement"], f["source"]] for f in plan.list_findings(ws)]
    out["Actions"] = [[a["ref"], a["workstream_ref"], a["description"], a["owner"], _date(a["start_date"]),
                       _date(a["due_date"]), a["status"], a["percent_complete"], a["rag_label"],
                       ", ".join(a["depends_on"]), ", ".join(a["statements"]), a["evidence"]]
                      for a in plan.list_actions(ws, today)]
    out["Success measures"] = [
        [m["ref"], m["workstream_ref"], m["description"], m["measure_id"], m["target"], _date(m["target_date"]),
         ", ".join(sorted((s["statement"] for s in measure_links if s["measure_ref"] == m["ref"]),
                          key=lambda s: order.index(s) if s in order else 99)),
         ", ".join(sorted(f["finding_ref"] for f in finding_links if f["measure_ref"] == m["ref"]))]
        for m in measures]
    out["Action log"] = [[e["action_ref"], _date(e["on_date"]), e["who"], e["note"], e["percent_complete"],
                          e["status"]] for e in plan.action_log(ws)]
    return out


def export_plan(ws: Workspace, path: Path | str, today: dt.date) -> Path:
    """Write the plan workbook (RAG as at ``today``, calculated and not read back on import)."""
    path = Path(path)
    book = Workbook()
    about = book.active
    about.title = "About"
    about.append(["Improvement plan", f"exported {today:%d/%m/%Y}"])
    about.append(["RAG", "Calculated from status and dates as at the export date; changing it has no effect. "
                         "Cancelled actions have no RAG."])
    about.append(["Status", "One of: " + ", ".join(plan_rag.STATUSES)])
    about.append(["Lists", "Depends on, Quality statements and Findings hold refs or slugs separated by commas."])
    about.append(["Quality statements", ", ".join(plan.statement_titles())])
    about.column_dimensions["A"].width = 20
    about.column_dimensions["B"].width = 110
    for row in about.iter_rows(max_col=1):
        row[0].font = HEADER_FONT
    data = export_rows(ws, today)
    for name, columns in SHEETS.items():
        sheet = book.create_sheet(name)
        sheet.append([header for _, header, _ in columns])
        for cell in sheet[1]:
            cell.font = HEADER_FONT
        for row in data[name]:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        for idx, (fld, header, _) in enumerate(columns, 1):
            letter = sheet.cell(row=1, column=idx).column_letter
            width = 60 if fld in {"description", "text", "evidence", "note"} else max(12, len(header) + 2)
            sheet.column_dimensions[letter].width = width
            if fld in DATE_FIELDS:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=idx, max_col=idx):
                    cell.number_format = "DD/MM/YYYY"
            if fld in READ_ONLY:
                sheet.cell(row=1, column=idx).comment = Comment(
                    "Calculated from status and dates when exported; not read on import.", "ASC Assure")
                for (cell,) in sheet.iter_rows(min_row=1, min_col=idx, max_col=idx):
                    cell.fill = GREY
            if fld == "status":
                check = DataValidation(type="list", formula1='"' + ",".join(plan_rag.STATUSES) + '"',
                                       allow_blank=True, showErrorMessage=True,
                                       errorTitle="Status", error="Choose one of: " + ", ".join(plan_rag.STATUSES))
                sheet.add_data_validation(check)
                check.add(f"{letter}2:{letter}2000")
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path

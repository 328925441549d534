"""The CLD pre-submission validation report as an Excel workbook or a self-contained HTML page.

The Excel workbook is what the performance team works through and sends to the case-recording
system team: a Summary sheet (file, period, counts by rule) and an Issues sheet with every problem,
a header row and an autofilter so they can filter by rule or field. The HTML page is the same report
to read or attach to an email: GOV.UK-like styling, no external assets, tables with captions and
header cells, severity as a text tag (never colour alone).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from asc_assure.data.cld_validate import EXCEL_MAX_ISSUES, HTML_MAX_ISSUES, RULE_TITLES, CldValidation

ISSUE_HEADERS = ("Row", "Field", "Rule", "Severity", "Value", "Message")


def _overview(result: CldValidation) -> list[tuple[str, str]]:
    def day(d: dt.date | None) -> str:
        return d.strftime("%d/%m/%Y") if d else "not known"

    source = {"given": "as given", "file": "as stated in the file"}.get(result.period_source or "", "")
    rows = [
        ("File", result.file),
        ("Result", {"clean": "No problems found", "warnings": "Warnings only: the file can be submitted",
                    "errors": "Errors found: fix them before submitting",
                    "unreadable": "The file could not be read"}[result.status]),
        ("Rows checked", f"{result.rows:,}"),
        ("Errors", f"{result.errors:,}"),
        ("Warnings", f"{result.warnings:,}"),
        ("Reporting period", f"{day(result.period_start)} to {day(result.period_end)} {source}".strip()),
        ("Format", f"{(result.format or '').upper()} {result.encoding or ''}".strip() or "not known"),
    ]
    if result.blank_rows:
        rows.append(("Blank rows skipped", f"{result.blank_rows:,}"))
    if result.reason:
        rows.append(("Why it could not be read", result.reason))
    return rows


def write_excel(result: CldValidation, out: Path) -> Path:
    """Summary and Issues sheets; the Issues sheet has a header row, frozen panes and an autofilter."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    summary = wb.create_sheet("Summary")
    summary.column_dimensions["A"].width = 28
    summary.column_dimensions["B"].width = 60
    summary.column_dimensions["C"].width = 12
    summary.column_dimensions["D"].width = 12
    summary.column_dimensions["E"].width = 40

    def header_cells(sheet: object, values: tuple[str, ...]) -> list[WriteOnlyCell]:
        cells = []
        for v in values:
            c = WriteOnlyCell(sheet, value=v)  # type: ignore[arg-type]
            c.font = bold
            cells.append(c)
        return cells

    title = WriteOnlyCell(summary, value="CLD pre-submission validation")
    title.font = Font(bold=True, size=14)
    summary.append([title])
    for label, value in _overview(result):
        summary.append([label, value])
    summary.append([])
    summary.append(header_cells(summary, ("Rule", "What it means", "Severity", "Count", "Fields")))
    for s in result.summary():
        summary.append([s["rule"], s["title"], s["severity"], s["count"], s["fields"]])

    issues = wb.create_sheet("Issues")
    widths = {"A": 9, "B": 30, "C": 30, "D": 10, "E": 30, "F": 90}
    for col, w in widths.items():
        issues.column_dimensions[col].width = w
    issues.freeze_panes = "A2"
    df = result.sorted_issues()
    shown = min(df.height, EXCEL_MAX_ISSUES)
    issues.auto_filter.ref = f"A1:F{shown + 1}"
    issues.append(header_cells(issues, ISSUE_HEADERS))
    for row in df.head(shown).iter_rows():
        issues.append(list(row))
    if df.height > shown:
        summary.append([])
        summary.append([f"The Issues sheet shows the first {shown:,} of {df.height:,} issues (an Excel sheet's "
                        "limit); the summary counts all of them."])
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _environment() -> Environment:
    return Environment(loader=PackageLoader("asc_assure.reports", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_html(result: CldValidation, limit: int = HTML_MAX_ISSUES) -> str:
    """One self-contained page: overview, counts by rule, then the first ``limit`` issues."""
    issues = result.issue_rows(limit)
    return _environment().get_template("cld_validation.html.j2").render(
        result=result, overview=_overview(result), summary=result.summary(), issues=issues,
        total=result.issues.height, rule_titles=RULE_TITLES,
        generated=dt.datetime.now().strftime("%d/%m/%Y %H:%M"))


def write_report(result: CldValidation, out: Path) -> Path:
    """Write the report in the format the file name asks for (.xlsx or .html)."""
    suffix = out.suffix.lower()
    if suffix == ".xlsx":
        return write_excel(result, out)
    if suffix in {".html", ".htm"}:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_html(result), encoding="utf-8")
        return out
    raise ValueError(f"the report must be .xlsx or .html, not {out.name!r}")


def save_reports(result: CldValidation, folder: Path) -> dict[str, Path]:
    """Both reports in ``folder`` (report.xlsx and report.html), for the web page's download links.

    Only the reports are kept (identifiers in them are masked); the uploaded file itself is not.
    """
    folder.mkdir(parents=True, exist_ok=True)
    return {"xlsx": write_excel(result, folder / "report.xlsx"),
            "html": write_report(result, folder / "report.html")}

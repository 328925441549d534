"""The monthly Business Management and Monitoring Report for adult social care: data, HTML, PDF and Word.

It follows the council's own monthly report (seeds 003, "Business Management and Monitoring
Report"): a summary of how the measures are rated, the KPI table, then *performance exceptions* —
measures Red this month, or Amber for two months or more — each with the service's commentary; then
the improvement plan, the top risks with the heat map, the budget, and the Dynamic Support Register's
counts by RAG (suppressed; no person-level data).

How the figures are made:

* The KPIs are the registry's headline measures, computed by the measures engine for period
  ``month`` at each calendar month end (:func:`kpi_rows`). The engine steps back a month from a given
  day, which from 28 February gives 28 January; so the month ends are named explicitly and computed
  in one engine run, and the rating history, exception and direction of travel are worked out here
  from those month-end results with :mod:`asc_assure.domain.rag`.
* The report for a month reads the extracts as they stood at that month end, so a March report
  shows the same figures whenever it is produced. If the latest data falls inside the month, the
  month is measured to that date and the report says so.
* Commentary comes from :mod:`asc_assure.assurance.commentary` (written in the web app).
* The plan, risk and budget sections call their own modules; one that is not installed is reported
  as "not available" rather than failing the whole report.

``build_report`` returns plain data (it is also what ``--json`` prints); ``render_html``,
``render_docx`` and ``write_report`` only present it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from asc_assure.assurance import commentary as cm
from asc_assure.assurance.workspace import Workspace, WorkspaceError
from asc_assure.domain import rag as ragrules
from asc_assure.reports import formatting as fmt

#: Months of ratings looked back over to say how long a measure has been Amber.
HISTORY_MONTHS = 12
#: Months shown beside each KPI (this month and the two before it).
SHOWN_MONTHS = 3
TOP_RISKS = 10
DIRECTION_WORDS = {"improving": "Improving", "worsening": "Worsening", "stable": "No change",
                   "increasing": "Increasing", "decreasing": "Decreasing"}
DIRECTION_ARROWS = {"improving": "▲", "worsening": "▼", "stable": "▶", "increasing": "▲", "decreasing": "▼"}
FORMATS = (".html", ".pdf", ".docx")


class ReportError(WorkspaceError):
    """The report cannot be produced as asked (no data for the month, an unknown output format...)."""


# -- KPIs ----------------------------------------------------------------------------------------------------
def latest_data_date(store_dir: Path | str) -> dt.date | None:
    """The date of the newest operational extract loaded (targets and reference lists do not count)."""
    from asc_assure.data.store import Store, StoreError

    try:
        manifests = Store(store_dir).manifests()
    except (StoreError, OSError):
        return None
    dates = [m["as_of"] for m in manifests if m["kind"] not in {"teams", "targets", "areas"}]
    return dt.date.fromisoformat(max(dates)) if dates else None


def month_as_of(store_dir: Path | str, month: str) -> dt.date:
    """The date a month is measured at: its last day, or the latest data if that falls inside it."""
    first, last = cm.month_bounds(month)
    latest = latest_data_date(store_dir)
    if latest is None:
        raise ReportError("no extracts have been loaded into this store, so there is nothing to report")
    if latest < first:
        raise ReportError(f"month {month!r} ({cm.month_label(month)}) has no data: the latest extract loaded "
                          f"is dated {fmt.format_date(latest.isoformat())}")
    return min(last, latest)


def _month_ends(month: str, as_of: dt.date) -> list[tuple[str, dt.date]]:
    """(month, date measured) for the history months and the report month, oldest first."""
    out = [(m, cm.month_bounds(m)[1]) for m in (cm.shift_month(month, -k) for k in range(HISTORY_MONTHS, 0, -1))]
    return [*out, (month, as_of)]


def _value_text(value: Any, unit: str | None) -> str | None:
    return fmt.format_value(value, unit)


def _exception_reason(flag: ragrules.ExceptionFlag) -> str | None:
    """The rule's reason in the report's words: periods are months here."""
    if not flag.reason:
        return None
    return flag.reason.replace("consecutive periods", "consecutive months")


def kpi_rows(store_dir: Path | str, month: str, as_of: dt.date | None = None,
             definitions: Path | None = None) -> list[dict[str, Any]]:
    """Every headline measure for ``month``: value, target, RAG, direction, recent months, exception.

    ``as_of`` is the date the month is measured at (default: :func:`month_as_of`).
    """
    from asc_assure.measures.engine import run_many
    from asc_assure.measures.registry import load_registry

    month = cm.parse_month(month)
    as_of = as_of or month_as_of(store_dir, month)
    registry = load_registry(definitions)
    ids = [m.id for m in registry.values() if m.headline]
    if not ids:
        return []
    ends = _month_ends(month, as_of)
    results = run_many(store_dir, [d for _, d in ends], "month", ids=ids, definitions=definitions, trend_points=1)
    by_date = {d: {r["id"]: r for r in results[d]} for _, d in ends}
    out = []
    for mid in ids:
        measure = registry[mid]
        series = [{"month": m, "as_of": d.isoformat(), **_point(by_date[d][mid], measure.unit)} for m, d in ends]
        now, before = series[-1], series[-2]
        flag = ragrules.exception([p["rag"] for p in series])
        direction = ragrules.direction(now["value"], before["value"], measure.polarity)
        result = by_date[as_of][mid]
        out.append({
            "id": mid, "title": measure.title, "group": measure.group, "definition": measure.definition,
            "unit": measure.unit, "polarity": measure.polarity,
            "value": now["value"], "value_text": now["value_text"],
            "reason": result.get("reason") or "No data for this month",
            "target": now["target"], "target_text": _value_text(now["target"], measure.unit) or "No target",
            "amber_tolerance": result.get("amber_tolerance"),
            "rag": now["rag"], "rag_text": fmt.rag_label(now["rag"]),
            "previous": before["value"], "previous_rag": before["rag"],
            "change_pct": ragrules.change_pct(now["value"], before["value"]),
            "direction": direction, "direction_text": DIRECTION_WORDS.get(direction or "", "Not available"),
            "direction_arrow": DIRECTION_ARROWS.get(direction or "", ""),
            "exception": flag.is_exception, "exception_reason": _exception_reason(flag),
            "recent": [{**p, "label": cm.month_label(p["month"])} for p in series[-SHOWN_MONTHS:]],
            "history": series,
            "data_as_of": result.get("data_as_of"), "source": measure.source,
        })
    return out


def _point(result: dict[str, Any], unit: str) -> dict[str, Any]:
    value = result.get("value")
    target = result.get("target")
    return {"value": value, "value_text": _value_text(value, unit) or "No data", "target": target,
            "target_text": _value_text(target, unit) or "No target",
            "rag": result.get("rag"), "rag_text": fmt.rag_label(result.get("rag"))}


# -- the other sections ---------------------------------------------------------------------------------------
def _call(module: str, function: str, *args: Any, **kwargs: Any) -> tuple[Any, str | None]:
    """Call another area's function; (None, why) when that area is not installed yet."""
    try:
        mod = importlib.import_module(f"asc_assure.assurance.{module}")
    except ModuleNotFoundError as exc:
        if exc.name != f"asc_assure.assurance.{module}":
            raise
        return None, "not available: this installation has no " + module.replace("_", " ") + " module"
    func = getattr(mod, function, None)
    if func is None:
        return None, f"not available: the {module} module has no {function}()"
    try:
        return func(*args, **kwargs), None
    except WorkspaceError as exc:
        return None, f"not available: {exc}"


def money(value: Any) -> str:
    """Pounds as the council writes them in tables: £1,234,567 (negative as -£1,234)."""
    if not fmt.is_number(value):
        return "–"
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.0f}"


def _pct(value: Any) -> str:
    return f"{value:,.1f}%" if fmt.is_number(value) else "–"


def plan_section(ws: Workspace, today: dt.date) -> dict[str, Any]:
    data, note = _call("plan", "plan_summary", ws, today)
    if data is None:
        return {"available": False, "note": note}
    overdue = [{**a, "due_text": fmt.format_date(a.get("due"), short=True)} for a in data.get("overdue") or []]
    return {"available": True, "note": None, "as_of": data.get("as_of"),
            "as_of_text": fmt.format_date(data.get("as_of")), "totals": data.get("totals") or {},
            "workstreams": data.get("workstreams") or [], "overdue": overdue,
            "due_soon": data.get("due_soon") or []}


def risks_section(ws: Workspace, today: dt.date) -> dict[str, Any]:
    top, note = _call("risks", "top_risks", ws, today, n=TOP_RISKS)
    if top is None:
        return {"available": False, "note": note}
    cells, _ = _call("risks", "heat_map_cells", ws, "residual", today)
    if cells is None:
        grid, note = _call("risks", "heat_map", ws, "residual")
        grid = grid or [[0] * 5 for _ in range(5)]
        cells = [{"likelihood": lk, "label": str(lk), "cells": [
            {"impact": im, "count": grid[lk - 1][im - 1], "score": lk * im, "band": None, "band_colour": None}
            for im in range(1, 6)]} for lk in range(5, 0, -1)]
    from asc_assure.domain.risk_rules import IMPACT_LABELS

    risks = [{**r, "linked_text": ", ".join(r.get("linked_actions") or []) or "None",
              "escalated_text": "Yes" if r.get("escalated") else "No"} for r in top]
    return {"available": True, "note": None, "as_of": today.isoformat(), "as_of_text": fmt.format_date(today),
            "top": risks, "heat_map": cells, "impacts": [{"impact": i, "label": IMPACT_LABELS[i]} for i in range(1, 6)],
            "open_total": sum(c["count"] for row in cells for c in row["cells"])}


def _money_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "budget_text": money(row.get("budget")), "forecast_text": money(row.get("forecast")),
            "variance_text": money(row.get("variance")), "variance_pct_text": _pct(row.get("variance_pct")),
            "rag_text": fmt.rag_label(row.get("rag"))}


def budget_section(ws: Workspace, month: str) -> dict[str, Any]:
    data, note = _call("budget", "month_summary", ws, month)
    if data is None:
        return {"available": False, "note": note}
    savings = [{**s, "target_text": money(s.get("target")), "delivered_text": money(s.get("delivered")),
                "forecast_text": money(s.get("forecast")), "rag_text": fmt.rag_label(s.get("rag"))}
               for s in data.get("savings") or []]
    trend = [{**t, "label": cm.month_label(t["month"]) if re.match(r"^\d{4}-\d{2}$", str(t.get("month"))) else
              str(t.get("month")), "budget_text": money(t.get("budget")), "forecast_text": money(t.get("forecast")),
              "variance_text": money(t.get("variance"))} for t in data.get("trend") or []]
    lines = [_money_row(r) for r in data.get("lines") or []]
    totals = _money_row(data.get("totals") or {}) if data.get("totals") else None
    return {"available": True, "note": None, "lines": lines, "totals": totals, "savings": savings, "trend": trend,
            "has_figures": bool(lines or savings)}


def dsr_section(ws: Workspace, position: dt.date) -> dict[str, Any]:
    """People on the Dynamic Support Register by RAG at this month end and the months before, worked out from
    the register's RAG history and suppressed for publishing (no person-level data)."""
    try:
        from asc_assure.operations import dsr

        data = dsr.published_counts(ws, position, dsr.REPORT_MONTHS)
    except (ModuleNotFoundError, WorkspaceError) as exc:
        return {"available": False, "note": f"not available: {exc}"}
    months = [{**m, "label": cm.month_label(m["month"]), "as_of_text": fmt.format_date(m["as_of"])}
              for m in data["months"]]
    return {"available": True, "note": None, "months": months, "current": months[-1], "rule": data["rule"],
            "has_entries": any(m["total"] != 0 for m in months)}


def workforce_section(store_dir: Path | str, as_of: dt.date) -> dict[str, Any]:
    """The workforce tables by team and the caseloads over or near their ceiling, at the month's date."""
    from asc_assure.measures.workforce import report_section

    return report_section(store_dir, as_of)


def equity_section(store_dir: Path | str, as_of: dt.date) -> dict[str, Any]:
    """Groups significantly different from the council average, and data completeness, at the month's date."""
    from asc_assure.reports.equity_view import report_section

    return report_section(store_dir, as_of)


# -- the report ----------------------------------------------------------------------------------------------
def _status_changes(kpis: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Measures whose RAG changed since last month, grouped as the council's "Status changes" table."""
    groups: dict[tuple[str, str], list[str]] = {}
    for k in kpis:
        if k["previous_rag"] and k["rag"] and k["previous_rag"] != k["rag"]:
            groups.setdefault((k["previous_rag"], k["rag"]), []).append(k["title"])
    order = [(a, b) for a in ("red", "amber", "green") for b in ("green", "amber", "red") if a != b]
    return [{"change": f"{fmt.rag_label(a)} to {fmt.rag_label(b)}", "measures": groups[(a, b)]}
            for a, b in order if (a, b) in groups]


def _summary(kpis: list[dict[str, Any]]) -> dict[str, Any]:
    total = len(kpis)

    def share(n: int) -> str:
        return f"{round(100 * n / total)}%" if total else "–"

    counts = {r: sum(1 for k in kpis if k["rag"] == r) for r in ("green", "amber", "red")}
    no_rating = total - sum(counts.values())
    exceptions = [k for k in kpis if k["exception"]]
    rows = [{"rag": r, "label": fmt.rag_label(r), "count": counts[r], "share": share(counts[r])}
            for r in ("green", "amber", "red")]
    rows.append({"rag": None, "label": "No rating (monitoring only or no data)", "count": no_rating,
                 "share": share(no_rating)})
    return {
        "total": total, "rows": rows, **counts, "no_rating": no_rating,
        "exceptions": len(exceptions), "red_exceptions": sum(1 for k in exceptions if k["rag"] == "red"),
        "amber_exceptions": sum(1 for k in exceptions if k["rag"] == "amber"),
        "missing_commentary": sum(1 for k in exceptions if k["commentary"] is None),
        "changes": _status_changes(kpis),
    }


def _with_commentary(kpis: list[dict[str, Any]], notes: dict[str, dict[str, Any]]) -> None:
    for k in kpis:
        note = notes.get(k["id"])
        k["commentary"] = None if note is None else {
            "text": note["text"], "author": note["author"], "written_at": note["written_at"],
            "written_text": fmt.format_datetime(note["written_at"], short=True), "version": note["version"],
            "versions": note["versions"], "paragraphs": [p.strip() for p in note["text"].split("\n\n") if p.strip()]}
        k["commentary_required"] = bool(k["exception"] and note is None)


def _data_dates(store_dir: Path | str, kpis: list[dict[str, Any]]) -> list[dict[str, str]]:
    from asc_assure.data.contracts import get_contract

    seen: dict[str, str | None] = {}
    for k in kpis:
        seen.setdefault(k["source"], k["data_as_of"])
    return [{"extract": get_contract(kind).title, "as_of": d or "", "as_of_text": fmt.format_date(d) if d else
             "not loaded"} for kind, d in seen.items()]


def build_report(store_dir: Path | str, month: str, today: dt.date, council: str | None = None,
                 definitions: Path | None = None) -> dict[str, Any]:
    """Everything the monthly report shows for ``month`` (``YYYY-MM``), as plain data.

    ``today`` is when the report is produced; the plan and risks are shown as they stood at the
    month end or on ``today`` if that is earlier (a report drafted mid-month shows today's position).
    """
    from asc_assure.data.store import Store

    month = cm.parse_month(month)
    as_of = month_as_of(store_dir, month)
    first, last = cm.month_bounds(month)
    ws = Workspace.for_store(store_dir)
    kpis = kpi_rows(store_dir, month, as_of, definitions)
    _with_commentary(kpis, cm.latest_commentary(ws, month))
    exceptions = sorted((k for k in kpis if k["exception"]), key=lambda k: 0 if k["rag"] == "red" else 1)
    position = min(last, today)
    name = council or Store(store_dir).meta.get("council") or "Adult social care"
    return {
        "council": name,
        "title": "Business Management and Monitoring Report",
        "subtitle": "Adult social care",
        "month": month, "month_label": cm.month_label(month),
        "as_of": as_of.isoformat(), "as_of_text": fmt.format_date(as_of.isoformat()),
        "part_month": as_of < last,
        "period_text": f"{fmt.format_date(first.isoformat())} to {fmt.format_date(as_of.isoformat())}",
        "previous_month_label": cm.month_label(cm.shift_month(month, -1)),
        "recent_labels": [cm.month_label(cm.shift_month(month, -k)) for k in range(SHOWN_MONTHS - 1, -1, -1)],
        "position_date": position.isoformat(), "position_text": fmt.format_date(position.isoformat()),
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "kpis": kpis,
        "exceptions": exceptions,
        "missing_commentary": [k["id"] for k in exceptions if k["commentary"] is None],
        "summary": _summary(kpis),
        "plan": plan_section(ws, position),
        "risks": risks_section(ws, position),
        "budget": budget_section(ws, month),
        "dsr": dsr_section(ws, position),
        "workforce": workforce_section(store_dir, as_of),
        "equity": equity_section(store_dir, as_of),
        "data_dates": _data_dates(store_dir, kpis),
    }


# -- HTML and PDF --------------------------------------------------------------------------------------------
@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("asc_assure.reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )


def _charts(data: dict[str, Any]) -> dict[str, Any]:
    """A year's trend chart for each exception (SVG with its own text alternative)."""
    from asc_assure.reports.charts import trend_chart

    charts = {}
    for k in data["exceptions"]:
        points = [{"as_of": p["as_of"], "value": p["value"], "target": p["target"], "rag": p["rag"]}
                  for p in k["history"]]
        slug = re.sub(r"[^a-z0-9]+", "-", k["id"].lower()).strip("-")
        charts[k["id"]] = trend_chart(f"chart-{slug}", f"{k['title']}: month ends", points, k["unit"], "month",
                                      width=420, height=140, short_span=True)
    return charts


def render_html(data: dict[str, Any], charts: bool = True) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG; nothing is fetched)."""
    template = _environment().get_template("monthly/report.html.j2")
    return template.render(r=data, charts=_charts(data) if charts else {}, summary_sentence=summary_sentence(data),
                           doc_title=f"{data['council']}: {data['title']}, {data['month_label']}")


# -- Word ----------------------------------------------------------------------------------------------------
def _commentary_words(k: dict[str, Any]) -> str:
    c = k["commentary"]
    if c is None:
        return "Commentary required" if k["exception"] else ""
    return c["text"]


def render_docx(data: dict[str, Any], out: Path) -> Path:
    """The report as a Word document with real headings and tables (councils edit and circulate Word)."""
    from asc_assure.reports import word

    doc = word.new_document(f"{data['title']}: {data['month_label']}", author=data["council"],
                            subject=f"{data['subtitle']}, {data['month_label']}")
    doc.add_paragraph(f"{data['council']} · {data['subtitle']}")
    s = data["summary"]
    word.paragraphs(doc, f"Data as at {data['as_of_text']} ({data['period_text']}). Plan and risks as at "
                         f"{data['position_text']}.")
    if data["part_month"]:
        word.paragraphs(doc, f"Part month: the latest data is dated {data['as_of_text']}.")
    word.heading(doc, "Summary", 1)
    word.paragraphs(doc, summary_sentence(data))
    word.table(doc, ["Rating", "Measures", "Share"], [[r["label"], r["count"], r["share"]] for r in s["rows"]])
    if s["changes"]:
        word.heading(doc, f"Status changes: {data['previous_month_label']} to {data['month_label']}", 2)
        word.table(doc, ["Change", "Measures"], [[c["change"], "; ".join(c["measures"])] for c in s["changes"]])

    word.heading(doc, "Key performance indicators", 1)
    labels = data["recent_labels"]
    word.table(doc, ["Measure", "Target", *labels, "RAG", "Direction of travel", "Exception", "Commentary"], [
        [k["title"], k["target_text"], *[p["value_text"] + f" ({p['rag_text']})" for p in k["recent"]],
         k["rag_text"], k["direction_text"], k["exception_reason"] or "No", _commentary_words(k)]
        for k in data["kpis"]])

    word.heading(doc, "Performance exceptions", 1)
    if not data["exceptions"]:
        word.paragraphs(doc, "No measure is Red this month, and none has been Amber for two months in a row.")
    for k in data["exceptions"]:
        word.heading(doc, k["title"], 2)
        word.paragraphs(doc, f"Why it is an exception: {k['exception_reason']}. This month "
                             f"{k['value_text'] if k['value'] is not None else k['reason']} against a target of "
                             f"{k['target_text']} ({k['rag_text']}); direction of travel: {k['direction_text']}.")
        word.table(doc, ["Month", "Value", "RAG"], [[p["label"], p["value_text"], p["rag_text"]] for p in k["recent"]])
        c = k["commentary"]
        if c is None:
            word.paragraphs(doc, "Commentary required: no commentary has been written for this exception.")
        else:
            word.paragraphs(doc, c["text"])
            word.paragraphs(doc, f"Commentary by {c['author']}, {c['written_text']} (version {c['version']}).")

    _docx_plan(doc, word, data["plan"])
    _docx_risks(doc, word, data["risks"])
    _docx_budget(doc, word, data["budget"])
    _docx_dsr(doc, word, data.get("dsr"))
    _docx_workforce(doc, word, data.get("workforce"))
    _docx_equity(doc, word, data.get("equity"))
    word.heading(doc, "Data as at", 1)
    word.table(doc, ["Extract", "Data as at"], [[d["extract"], d["as_of_text"]] for d in data["data_dates"]])
    word.paragraphs(doc, f"Generated {fmt.format_datetime(data['generated_at'])} by ASC Assure.")
    return word.save(doc, out)


def _docx_plan(doc: Any, word: Any, plan: dict[str, Any]) -> None:
    word.heading(doc, "Improvement plan", 1)
    if not plan["available"]:
        word.paragraphs(doc, f"Improvement plan {plan['note']}.")
        return
    t = plan["totals"]
    word.paragraphs(doc, f"Position as at {plan['as_of_text']}: {t.get('actions', 0)} actions, "
                         f"{t.get('complete', 0)} complete, {t.get('overdue', 0)} overdue and "
                         f"{t.get('due_30_days', 0)} due in the next 30 days.")
    word.table(doc, ["Workstream", "Lead", "Actions", "Complete", "Red", "Amber", "Green", "Overdue"], [
        [w["name"], w["lead"], w["actions"], w["complete"], w["red"], w["amber"], w["green"], w["overdue"]]
        for w in plan["workstreams"]])
    word.heading(doc, "Overdue actions", 2)
    if not plan["overdue"]:
        word.paragraphs(doc, "No action is overdue.")
    else:
        word.table(doc, ["Ref", "Action", "Owner", "Due", "Days overdue", "Status", "% complete"], [
            [a["ref"], a["description"], a["owner"], a["due_text"], a["days_overdue"], a["status"],
             a.get("percent_complete")] for a in plan["overdue"]])


def _docx_risks(doc: Any, word: Any, risks: dict[str, Any]) -> None:
    word.heading(doc, "Top risks", 1)
    if not risks["available"]:
        word.paragraphs(doc, f"Risk register {risks['note']}.")
        return
    if not risks["top"]:
        word.paragraphs(doc, f"No open risks were on the register on {risks['as_of_text']}.")
    else:
        word.table(doc, ["Ref", "Risk", "Owner", "Inherent", "Residual", "Band", "Direction", "Escalated"], [
            [r["ref"], r["title"], r["owner"], r["inherent_score"], r["residual_score"], r["band"], r["direction"],
             r["escalated_text"]] for r in risks["top"]])
    word.heading(doc, "Heat map of residual risk", 2)
    word.table(doc, ["Likelihood \\ Impact", *[f"{i['impact']} {i['label']}" for i in risks["impacts"]]], [
        [f"{row['likelihood']} {row['label']}", *[_cell_words(c) for c in row["cells"]]] for row in risks["heat_map"]])


def _cell_words(cell: dict[str, Any]) -> str:
    band = f", {cell['band']}" if cell.get("band") else ""
    return f"{cell['count']} (score {cell['score']}{band})"


def _docx_budget(doc: Any, word: Any, budget: dict[str, Any]) -> None:
    word.heading(doc, "Budget", 1)
    if not budget["available"]:
        word.paragraphs(doc, f"Budget monitoring {budget['note']}.")
        return
    if not budget["has_figures"]:
        word.paragraphs(doc, "No budget or forecast has been entered for this month.")
        return
    rows = [[r["service_area"], r["budget_text"], r["forecast_text"], r["variance_text"], r["variance_pct_text"],
             r["rag_text"]] for r in budget["lines"]]
    if budget["totals"]:
        t = budget["totals"]
        rows.append(["Total", t["budget_text"], t["forecast_text"], t["variance_text"], t["variance_pct_text"],
                     t["rag_text"]])
    word.table(doc, ["Service area", "Budget", "Forecast", "Variance", "Variance %", "RAG"], rows)
    if budget["savings"]:
        word.heading(doc, "Savings", 2)
        word.table(doc, ["Saving", "Target", "Delivered", "Forecast", "RAG"], [
            [s["name"], s["target_text"], s["delivered_text"], s["forecast_text"], s["rag_text"]]
            for s in budget["savings"]])
    if budget["trend"]:
        word.heading(doc, "Forecast trend", 2)
        word.table(doc, ["Month", "Budget", "Forecast", "Variance"], [
            [t["label"], t["budget_text"], t["forecast_text"], t["variance_text"]] for t in budget["trend"]])


def _docx_dsr(doc: Any, word: Any, section: dict[str, Any] | None) -> None:
    if section is None:
        return
    word.heading(doc, "Dynamic Support Register", 1)
    if not section["available"]:
        word.paragraphs(doc, f"Dynamic Support Register {section['note']}.")
        return
    if not section["has_entries"]:
        word.paragraphs(doc, "No one was on the register in these months.")
        return
    word.paragraphs(doc, "People with a learning disability and autistic people at risk of admission to a mental "
                         f"health hospital, by RAG rating at each month end. {section['rule']}")
    word.table(doc, ["Month end", "Red", "Amber", "Green", "Total", "Review overdue"], [
        [m["as_of_text"], m["red"], m["amber"], m["green"], m["total"], m["overdue_reviews"]]
        for m in section["months"]])


def _docx_workforce(doc: Any, word: Any, section: dict[str, Any] | None) -> None:
    if section is None:
        return
    word.heading(doc, "Workforce", 1)
    if not section["available"]:
        word.paragraphs(doc, f"Workforce figures not available: {section['note']}.")
        return
    cols = section["report_columns"]
    word.paragraphs(doc, f"From the workforce snapshot of {section['snapshot_text']}. {section['ceiling_sentence']}")
    word.table(doc, ["Team", *[c["label"] for c in cols], "Caseload against ceiling"], [
        [t["team"], *[_workforce_cell(t["cells"].get(c["id"])) for c in cols], t["status_text"]]
        for t in section["teams"]])
    rows = section["caseload_flagged"] + section["roles_near_ceiling"]
    if rows:
        word.table(doc, ["Team", "Role", "Open cases", "FTE in post", "Cases per FTE", "Ceiling", "Status"], [
            [r["team"], r["role"], r["open_cases_text"], r["fte_text"], r["caseload_text"], r["ceiling_text"],
             r["status_text"]] for r in rows])


def _workforce_cell(cell: dict[str, Any] | None) -> str:
    if cell is None:
        return "–"
    return cell["text"] + (f" ({cell['rag_text']})" if cell.get("rag") else "")


def _docx_equity(doc: Any, word: Any, eq: dict[str, Any] | None) -> None:
    if not eq:
        return
    word.heading(doc, "Equity", 1)
    word.paragraphs(doc, f"{eq['measures']} measures broken down by {eq['dimensions']}, as at {eq['as_of_text']}. "
                         "Listed are only the groups significantly different from the council average (the 95% "
                         "confidence interval of the ratio excludes 1).")
    if eq.get("note"):
        word.paragraphs(doc, eq["note"])
    elif not eq["flags"]:
        word.paragraphs(doc, "No group is significantly different from the council average in these breakdowns.")
    else:
        word.table(doc, ["Measure", "Breakdown", "Group", "Group (95% CI)", "Council", "Ratio (95% CI)", "Compared"],
                   [[f["measure"], f["dimension"], f["group"], f"{f['value']} ({f['ci']})", f["council"], f["ratio"],
                     f["flag_text"]] for f in eq["flags"]])
    if eq["completeness"]:
        word.heading(doc, "Data completeness", 2)
        word.table(doc, ["Measure", "Value", "Target", "RAG"],
                   [[c["title"], c["value"], c["target"], c["rag_text"]] for c in eq["completeness"]])


def summary_sentence(data: dict[str, Any]) -> str:
    """One paragraph saying how the KPIs are rated and how many exceptions still need commentary."""
    s = data["summary"]
    n = s["exceptions"]
    text = (f"{s['total']} key performance indicators were reported for {data['month_label']}: {s['green']} Green, "
            f"{s['amber']} Amber, {s['red']} Red and {s['no_rating']} with no rating. There "
            f"{'is' if n == 1 else 'are'} {n} exception{'s' if n != 1 else ''}"
            f" ({s['red_exceptions']} Red, {s['amber_exceptions']} Amber for two months or more).")
    if s["missing_commentary"]:
        text += f" {s['missing_commentary']} exception{'s' if s['missing_commentary'] != 1 else ''} still " \
                f"need{'s' if s['missing_commentary'] == 1 else ''} commentary."
    return text


# -- writing files ------------------------------------------------------------------------------------------
def write_report(data: dict[str, Any], out: Path) -> Path:
    """Write the report to ``out``: ``.html``, ``.pdf`` (tagged, A4) or ``.docx``, chosen by the suffix.

    The file is written aside and renamed into place, so a failed render never leaves half a report.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ReportError(f"the report is written as .html, .pdf or .docx, not {out.suffix or 'no extension'!r} "
                          f"({out.name})")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.partial{suffix}")
    try:
        if suffix == ".docx":
            render_docx(data, tmp)
        elif suffix == ".pdf":
            from asc_assure.reports.pdf import html_to_pdf  # WeasyPrint loads system libraries: only when asked

            tmp.write_bytes(html_to_pdf(render_html(data)))
        else:
            tmp.write_text(render_html(data), encoding="utf-8")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out

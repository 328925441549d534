"""Budget monitoring: monthly budget lines by service area, variance RAG, savings schemes and trend.

Each month finance produce the forecast outturn against budget for each service area. That export is
loaded here (CSV or Excel) as the month's budget lines; loading the same month again replaces that
month's lines in one transaction, so a corrected export never leaves a mix of old and new figures.
Rows with problems are reported with the file, row, column and reason, and the other rows still load.

Money is held in whole pence and every variance percentage and RAG is computed exactly from those
figures (:mod:`asc_assure.domain.budget_rules`); rounding happens only when a figure is displayed.
The RAG thresholds are the council's (``risk_budget_settings.yaml``; see
:func:`asc_assure.assurance.risks.load_settings` for per-store overrides).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asc_assure.assurance.risks import load_settings
from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError, rows, utc_now
from asc_assure.domain import budget_rules as br

ENTITY_MONTH = "budget_month"
ENTITY_SAVINGS = "savings_scheme"
MAX_ERRORS_SHOWN = 200

# Header names finance exports use, normalised (lower case, non-letters to "_"), for each field.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "service_area": ("service_area", "service", "area", "directorate", "budget_line", "cost_centre", "line"),
    "budget": ("budget", "latest_budget", "net_budget", "net_budget_latest_estimate", "current_budget",
               "annual_budget", "budget_latest_estimate"),
    "forecast": ("forecast", "forecast_outturn", "forecast_spend", "projected_full_year_spend", "outturn",
                 "projected_outturn", "forecast_out_turn", "projected_spend"),
    "month": ("month", "period", "reporting_month"),
}
_UNIT_MARKERS = (("£000", "thousands"), ("£k", "thousands"), ("£m", "millions"))


def thresholds(ws: Workspace) -> tuple[br.VarianceThresholds, br.SavingsThresholds]:
    try:
        return br.parse_budget_settings(load_settings(ws).get("budget"))
    except ValueError as exc:
        raise WorkspaceError(f"budget settings: {exc}") from None


def _month(value: Any, field: str = "month") -> str:
    try:
        return br.parse_month(value, field)
    except ValueError as exc:
        raise WorkspaceError(str(exc)) from None


def _money(value: Any, field: str, units: str = "pounds") -> int:
    try:
        return br.to_pence(value, units)
    except ValueError as exc:
        raise WorkspaceError(f"{field} {exc}") from None


# -- loading a month's lines ----------------------------------------------------------------------------
@dataclass
class ImportResult:
    """What an import did: counts, every row problem, and whether it replaced an earlier load."""

    file: str
    month: str
    units: str
    rows_read: int = 0
    rows_loaded: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    replaced_lines: int | None = None  # None: the month had no lines before

    @property
    def rows_rejected(self) -> int:
        return len({e["row"] for e in self.errors})

    @property
    def message(self) -> str:
        label = br.month_label(self.month)
        if not self.rows_loaded:
            return (f"{self.file}: nothing loaded for {label} ({self.rows_rejected} row(s) with problems); "
                    "the month's existing lines were kept")
        text = f"{self.file}: loaded {self.rows_loaded} line(s) for {label}"
        if self.replaced_lines is not None:
            text += f", replacing the {self.replaced_lines} line(s) loaded before"
        if self.errors:
            text += f"; {self.rows_rejected} row(s) not loaded because of problems"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "month": self.month, "units": self.units, "rows_read": self.rows_read,
                "rows_loaded": self.rows_loaded, "rows_rejected": self.rows_rejected,
                "replaced": self.replaced_lines is not None, "replaced_lines": self.replaced_lines,
                "errors": self.errors, "message": self.message}


def _normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")


def _map_header(header: list[str]) -> tuple[dict[str, str], str | None]:
    """Which file column holds each field, and the units its headings declare (e.g. "Budget £000")."""
    found: dict[str, str] = {}
    units: set[str] = set()
    for col in header:
        low = col.lower().replace(" ", "")
        for marker, unit in _UNIT_MARKERS:
            if marker in low:
                units.add(unit)
        key = _normalise(re.sub(r"\(?£\s*(000|k|m)\)?", "", col, flags=re.IGNORECASE))
        key = re.sub(r"_?(gbp|pounds)$", "", key)
        for fld, aliases in COLUMN_ALIASES.items():
            if fld not in found and key in aliases:
                found[fld] = col
    return found, (units.pop() if len(units) == 1 else ("mixed" if units else None))


def read_lines(path: Path, month: str, units: str | None = None,
               sheet: str | None = None) -> tuple[list[dict[str, Any]], ImportResult]:
    """Read and check a finance export; returns the valid lines and a result listing every problem.

    Raises WorkspaceError (naming the file) when the file cannot be used at all: unreadable, or a
    required column missing.
    """
    from asc_assure.data.readers import ROW, UnreadableFile, open_extract

    month = _month(month, "--month")
    path = Path(path)
    try:
        ext = open_extract(path, sheet=sheet)
    except UnreadableFile as exc:
        raise WorkspaceError(f"{path.name}: {exc.reason}") from None
    columns, declared = _map_header(ext.header)
    missing = [f for f in ("service_area", "budget", "forecast") if f not in columns]
    if missing:
        names = {"service_area": "service area", "budget": "budget", "forecast": "forecast outturn"}
        raise WorkspaceError(f"{path.name}: no {' or '.join(names[m] for m in missing)} column in the header "
                             f"(found: {', '.join(h for h in ext.header if h)}); expected columns such as "
                             "service_area, budget, forecast")
    if declared == "mixed":
        raise WorkspaceError(f"{path.name}: the column headings mix £, £000 and £m; use one unit for every figure")
    if units is not None and units not in br.UNITS:
        raise WorkspaceError(f"units must be one of {', '.join(br.UNITS)}, not {units!r}")
    if units is not None and declared is not None and units != declared:
        raise WorkspaceError(f"{path.name}: the headings say the figures are in {br.UNIT_LABELS[declared]} but "
                             f"--units {units} was given")
    units = units or declared or "pounds"
    result = ImportResult(file=path.name, month=month, units=units)
    lines: list[dict[str, Any]] = []
    seen: dict[str, int] = {}

    def problem(row: int, column: str | None, value: Any, reason: str) -> None:
        result.errors.append({"file": path.name, "row": row, "column": column, "value": value, "reason": reason})

    for batch in ext.batches:
        for rec in batch.to_pylist():
            result.rows_read += 1
            rownum = rec[ROW]
            ok = True
            area = (rec.get(columns["service_area"]) or "").strip()
            if not area:
                problem(rownum, columns["service_area"], "", "service area is blank")
                ok = False
            elif area.lower() in seen:
                problem(rownum, columns["service_area"], area,
                        f"service area appears twice (first on row {seen[area.lower()]})")
                ok = False
            figures: dict[str, int] = {}
            for fld in ("budget", "forecast"):
                raw = rec.get(columns[fld])
                try:
                    figures[fld] = br.to_pence(raw, units)
                except ValueError as exc:
                    problem(rownum, columns[fld], raw, f"{'forecast outturn' if fld == 'forecast' else fld} {exc}")
                    ok = False
            if "month" in columns:
                raw = (rec.get(columns["month"]) or "").strip()
                if raw and raw[:7] != month:
                    problem(rownum, columns["month"], raw, f"row is for {raw}, not {month}")
                    ok = False
            if ok:
                seen[area.lower()] = rownum
                lines.append({"service_area": area, "budget_pence": figures["budget"],
                              "forecast_pence": figures["forecast"], "position": len(lines) + 1})
    for bad in ext.malformed:
        result.rows_read += 1
        problem(bad.row, None, bad.text, bad.reason)
    result.errors.sort(key=lambda e: (e["row"], e["column"] or ""))
    return lines, result


def load_lines(ws: Workspace, month: str, lines: list[dict[str, Any]], *, actor: str, source: str,
               units: str = "pounds", result: ImportResult | None = None) -> ImportResult:
    """Replace ``month``'s budget lines with ``lines`` (service_area, budget_pence, forecast_pence), atomically.

    Nothing is replaced when there are no valid lines: an export that failed entirely never wipes a month.
    """
    month = _month(month)
    result = result or ImportResult(file=source, month=month, units=units, rows_read=len(lines))
    if not lines:
        with ws.transaction() as con:
            Workspace.log(con, actor, ENTITY_MONTH, month, "import_rejected", file=source,
                          rows_read=result.rows_read, rows_rejected=result.rows_rejected)
        return result
    with ws.transaction() as con:
        before = con.execute("SELECT COUNT(*) FROM budget_lines WHERE month = ?", (month,)).fetchone()[0]
        con.execute("DELETE FROM budget_lines WHERE month = ?", (month,))
        cur = con.execute(
            "INSERT INTO budget_imports (month, source, units, rows_read, rows_loaded, rows_rejected, "
            "replaced_lines, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (month, source, result.units, result.rows_read, len(lines), result.rows_rejected, before, actor,
             utc_now()))
        import_id = cur.lastrowid
        con.executemany(
            "INSERT INTO budget_lines (month, service_area, budget_pence, forecast_pence, position, import_id) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(month, ln["service_area"], int(ln["budget_pence"]), int(ln["forecast_pence"]),
              ln.get("position", i + 1), import_id) for i, ln in enumerate(lines)])
        result.rows_loaded = len(lines)
        result.replaced_lines = before if before else None
        Workspace.log(con, actor, ENTITY_MONTH, month, "replace" if before else "import", file=source,
                      units=result.units, rows_read=result.rows_read, rows_loaded=len(lines),
                      rows_rejected=result.rows_rejected, replaced_lines=before)
    return result


def import_file(ws: Workspace, path: Path, month: str, *, actor: str, units: str | None = None,
                sheet: str | None = None, source: str | None = None) -> ImportResult:
    """Read a finance export and load its valid rows as ``month``'s budget lines (see :func:`load_lines`)."""
    lines, result = read_lines(path, month, units, sheet)
    if source:
        result.file = source
        for e in result.errors:
            e["file"] = source
    return load_lines(ws, result.month, lines, actor=actor, source=result.file, units=result.units, result=result)


# -- reading ---------------------------------------------------------------------------------------------
def _figures(budget: int, forecast: int, vt: br.VarianceThresholds) -> dict[str, Any]:
    pct = br.variance_pct(budget, forecast)
    return {"budget": br.pounds(budget), "forecast": br.pounds(forecast),
            "variance": br.pounds(br.variance(budget, forecast)),
            "variance_pct": None if pct is None else float(pct), "rag": br.variance_rag(budget, forecast, vt)}


def months(ws: Workspace) -> list[str]:
    """Months that have budget lines, oldest first."""
    with ws.read() as con:
        return [r[0] for r in con.execute("SELECT DISTINCT month FROM budget_lines ORDER BY month")]


def latest_month(ws: Workspace) -> str | None:
    found = months(ws)
    return found[-1] if found else None


def _month_totals(con: sqlite3.Connection, month_list: list[str]) -> dict[str, tuple[int, int]]:
    marks = ",".join("?" * len(month_list)) or "NULL"
    return {r["month"]: (r["b"], r["f"]) for r in con.execute(
        f"SELECT month, SUM(budget_pence) AS b, SUM(forecast_pence) AS f FROM budget_lines "
        f"WHERE month IN ({marks}) GROUP BY month", month_list)}


def trend(ws: Workspace, financial_year: str | None = None, upto: str | None = None) -> list[dict[str, Any]]:
    """Total budget, forecast outturn and variance for each month with lines, oldest first.

    ``financial_year`` (e.g. 2024/25) limits it to that year; ``upto`` (YYYY-MM) stops at that month.
    """
    vt, _ = thresholds(ws)
    with ws.read() as con:
        wanted = months(ws)
        if financial_year is not None:
            try:
                fy_months = set(br.financial_year_months(financial_year))
            except ValueError as exc:
                raise WorkspaceError(str(exc)) from None
            wanted = [m for m in wanted if m in fy_months]
        if upto is not None:
            wanted = [m for m in wanted if m <= _month(upto)]
        totals = _month_totals(con, wanted)
    return [{"month": m, **_figures(*totals[m], vt)} for m in wanted]


def month_lines(ws: Workspace, month: str) -> list[dict[str, Any]]:
    """The month's lines as loaded, in the source file's order, with variance, variance % and RAG."""
    vt, _ = thresholds(ws)
    with ws.read() as con:
        found = rows(con.execute("SELECT * FROM budget_lines WHERE month = ? ORDER BY position, id",
                                 (_month(month),)))
    return [{"service_area": r["service_area"], **_figures(r["budget_pence"], r["forecast_pence"], vt)}
            for r in found]


def month_summary(ws: Workspace, month: str) -> dict[str, Any]:
    """Everything the monthly report shows for a month's budget: lines, totals, savings and the year's trend.

    Keys: month, lines [{service_area, budget, forecast, variance, variance_pct, rag}], totals {budget,
    forecast, variance, variance_pct, rag} (None when the month has no lines), savings [{name, target,
    delivered, forecast, rag}] and trend [{month, budget, forecast, variance}] for the financial year up
    to this month. Money is in pounds; variance_pct is unrounded.
    """
    month = _month(month)
    vt, _ = thresholds(ws)
    with ws.read() as con:
        total = con.execute("SELECT COUNT(*) AS n, SUM(budget_pence) AS b, SUM(forecast_pence) AS f "
                            "FROM budget_lines WHERE month = ?", (month,)).fetchone()
    lines = month_lines(ws, month)
    totals = _figures(total["b"], total["f"], vt) if total["n"] else None
    return {
        "month": month,
        "lines": lines,
        "totals": totals,
        "savings": [{k: s[k] for k in ("name", "target", "delivered", "forecast", "rag")} for s in savings(ws, month)],
        "trend": [{k: t[k] for k in ("month", "budget", "forecast", "variance")}
                  for t in trend(ws, br.financial_year(month), upto=month)],
    }


def imports(ws: Workspace, month: str | None = None) -> list[dict[str, Any]]:
    """The import history (newest first), for one month or all."""
    with ws.read() as con:
        if month is None:
            return rows(con.execute("SELECT * FROM budget_imports ORDER BY id DESC"))
        return rows(con.execute("SELECT * FROM budget_imports WHERE month = ? ORDER BY id DESC", (_month(month),)))


# -- savings -----------------------------------------------------------------------------------------------
def add_scheme(ws: Workspace, *, actor: str, name: str, financial_year: str, target: Any,
               service_area: str = "") -> dict[str, Any]:
    """Add a savings scheme with its target for the year (in pounds, e.g. "250,000")."""
    name = (name or "").strip()
    if not name:
        raise WorkspaceError("savings scheme name is required")
    try:
        fy = br.parse_financial_year(financial_year)
    except ValueError as exc:
        raise WorkspaceError(str(exc)) from None
    target_p = _money(target, "target")
    if target_p <= 0:
        raise WorkspaceError(f"target must be more than £0, not {target!r}")
    with ws.transaction() as con:
        if con.execute("SELECT 1 FROM savings_schemes WHERE financial_year = ? AND name = ?", (fy, name)).fetchone():
            raise WorkspaceError(f"there is already a savings scheme called {name!r} in {fy}")
        cur = con.execute("INSERT INTO savings_schemes (name, service_area, financial_year, target_pence, created_at, "
                          "created_by) VALUES (?, ?, ?, ?, ?, ?)",
                          (name, (service_area or "").strip(), fy, target_p, utc_now(), actor))
        Workspace.log(con, actor, ENTITY_SAVINGS, cur.lastrowid, "create", name=name, financial_year=fy,
                      target=br.pounds(target_p), service_area=service_area or None)
        scheme_id = cur.lastrowid
    return get_scheme(ws, scheme_id)


def record_progress(ws: Workspace, scheme_id: int, *, actor: str, month: str, delivered: Any, forecast: Any,
                    note: str = "") -> dict[str, Any]:
    """Record a scheme's position at the end of ``month``: delivered to date and forecast delivery by year end.

    Recording the same month again replaces that month's figures (and is logged).
    """
    month = _month(month)
    delivered_p = _money(delivered, "delivered to date")
    forecast_p = _money(forecast, "forecast delivery")
    if delivered_p < 0 or forecast_p < 0:
        raise WorkspaceError("savings delivered and forecast cannot be negative")
    if forecast_p < delivered_p:
        raise WorkspaceError(f"forecast delivery (£{forecast_p / 100:,.2f}) cannot be less than what has already "
                             f"been delivered (£{delivered_p / 100:,.2f})")
    with ws.transaction() as con:
        scheme = con.execute("SELECT * FROM savings_schemes WHERE id = ?", (scheme_id,)).fetchone()
        if scheme is None:
            raise NotFound(f"there is no savings scheme {scheme_id}")
        if month not in br.financial_year_months(scheme["financial_year"]):
            raise WorkspaceError(f"{month} is not in the scheme's financial year {scheme['financial_year']}")
        old = con.execute("SELECT * FROM savings_progress WHERE scheme_id = ? AND month = ?",
                          (scheme_id, month)).fetchone()
        con.execute("INSERT INTO savings_progress (scheme_id, month, delivered_pence, forecast_pence, note, actor, "
                    "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scheme_id, month) DO UPDATE SET "
                    "delivered_pence = excluded.delivered_pence, forecast_pence = excluded.forecast_pence, "
                    "note = excluded.note, actor = excluded.actor, recorded_at = excluded.recorded_at",
                    (scheme_id, month, delivered_p, forecast_p, (note or "").strip(), actor, utc_now()))
        Workspace.log(con, actor, ENTITY_SAVINGS, scheme_id, "progress" if old is None else "progress_replaced",
                      month=month, delivered=br.pounds(delivered_p), forecast=br.pounds(forecast_p),
                      previous=None if old is None else {"delivered": br.pounds(old["delivered_pence"]),
                                                         "forecast": br.pounds(old["forecast_pence"])})
    return get_scheme(ws, scheme_id)


def _scheme_view(s: dict[str, Any], progress: list[dict[str, Any]], month: str | None,
                 st: br.SavingsThresholds) -> dict[str, Any]:
    upto = [p for p in progress if month is None or p["month"] <= month]
    latest = upto[-1] if upto else None
    delivered = latest["delivered_pence"] if latest else None
    forecast = latest["forecast_pence"] if latest else None
    return {"id": s["id"], "name": s["name"], "service_area": s["service_area"], "financial_year": s["financial_year"],
            "target": br.pounds(s["target_pence"]), "delivered": br.pounds(delivered), "forecast": br.pounds(forecast),
            "delivered_pct": None if delivered is None else delivered * 100 / s["target_pence"],
            "forecast_pct": None if forecast is None else forecast * 100 / s["target_pence"],
            "as_at": latest["month"] if latest else None, "rag": br.savings_rag(s["target_pence"], forecast, st),
            "history": [{"month": p["month"], "delivered": br.pounds(p["delivered_pence"]),
                         "forecast": br.pounds(p["forecast_pence"]), "note": p["note"]} for p in upto]}


def _schemes(ws: Workspace, where: str = "", args: tuple = ()) -> tuple[list[dict[str, Any]], dict[int, list]]:
    with ws.read() as con:
        schemes = rows(con.execute(f"SELECT * FROM savings_schemes {where} ORDER BY financial_year, service_area, "
                                   "name", args))
        progress = rows(con.execute("SELECT * FROM savings_progress ORDER BY scheme_id, month"))
    by_scheme: dict[int, list] = {}
    for p in progress:
        by_scheme.setdefault(p["scheme_id"], []).append(p)
    return schemes, by_scheme


def savings(ws: Workspace, month: str | None = None, financial_year: str | None = None) -> list[dict[str, Any]]:
    """Savings schemes with their position as at the end of ``month`` (the schemes of that month's year).

    Without a month: every scheme (or those of ``financial_year``) at its latest recorded position.
    """
    _, st = thresholds(ws)
    if month is not None:
        month = _month(month)
        financial_year = br.financial_year(month)
    if financial_year is not None:
        try:
            financial_year = br.parse_financial_year(financial_year)
        except ValueError as exc:
            raise WorkspaceError(str(exc)) from None
        schemes, progress = _schemes(ws, "WHERE financial_year = ?", (financial_year,))
    else:
        schemes, progress = _schemes(ws)
    return [_scheme_view(s, progress.get(s["id"], []), month, st) for s in schemes]


def get_scheme(ws: Workspace, scheme_id: int) -> dict[str, Any]:
    _, st = thresholds(ws)
    schemes, progress = _schemes(ws, "WHERE id = ?", (int(scheme_id),))
    if not schemes:
        raise NotFound(f"there is no savings scheme {scheme_id}")
    return _scheme_view(schemes[0], progress.get(schemes[0]["id"], []), None, st)


# -- demo -------------------------------------------------------------------------------------------------
# Demo figures only: invented but plausible for a county council's adult social care directorate.
# (service area, annual budget in £, forecast pressure path: variance as a share of budget by month
# index 0 = April ... 11 = March)
_DEMO_AREAS: list[tuple[str, int, list[float]]] = [
    ("Older people: residential and nursing care", 118_400_000,
     [0.000, 0.002, 0.004, 0.006, 0.008, 0.010, 0.011, 0.012, 0.013, 0.014, 0.012, 0.011]),
    ("Older people: home care", 46_200_000,
     [0.000, 0.001, 0.003, 0.005, 0.008, 0.012, 0.015, 0.017, 0.018, 0.017, 0.016, 0.016]),
    ("Learning disabilities: supported living", 74_900_000,
     [0.000, 0.003, 0.006, 0.009, 0.011, 0.013, 0.014, 0.016, 0.017, 0.018, 0.019, 0.019]),
    ("Physical disabilities", 21_300_000,
     [0.000, -0.002, -0.003, -0.004, -0.004, -0.005, -0.005, -0.006, -0.006, -0.006, -0.007, -0.007]),
    ("Mental health", 17_800_000,
     [0.000, 0.001, 0.001, 0.002, 0.002, 0.003, 0.004, 0.004, 0.005, 0.005, 0.004, 0.004]),
    ("Assessment and care management", 27_200_000,
     [0.000, 0.004, 0.007, 0.009, 0.011, 0.011, 0.012, 0.012, 0.011, 0.010, 0.010, 0.009]),
    ("Safeguarding and DoLS", 4_600_000,
     [0.000, 0.005, 0.010, 0.014, 0.018, 0.021, 0.024, 0.026, 0.027, 0.028, 0.028, 0.027]),
    ("Prevention, carers and reablement", 12_900_000,
     [0.000, -0.001, -0.002, -0.003, -0.004, -0.005, -0.006, -0.008, -0.009, -0.010, -0.011, -0.012]),
]
# (name, service area, target in £, [(month index, delivered to date, forecast)])
_DEMO_SAVINGS: list[tuple[str, str, int, list[tuple[int, int, int]]]] = [
    ("Strengths-based reviews of long-term packages", "Assessment and care management", 1_800_000,
     [(2, 300_000, 1_800_000), (5, 750_000, 1_700_000), (8, 1_150_000, 1_650_000), (11, 1_600_000, 1_600_000)]),
    ("Reduce agency social workers", "Assessment and care management", 900_000,
     [(2, 100_000, 800_000), (5, 250_000, 700_000), (8, 400_000, 650_000), (11, 600_000, 600_000)]),
    ("Technology enabled care", "Prevention, carers and reablement", 600_000,
     [(2, 150_000, 600_000), (5, 300_000, 600_000), (8, 450_000, 620_000), (11, 630_000, 630_000)]),
    ("Supported living commissioning framework", "Learning disabilities: supported living", 1_200_000,
     [(2, 200_000, 1_200_000), (5, 500_000, 1_150_000), (8, 780_000, 1_120_000), (11, 1_110_000, 1_110_000)]),
    ("Reduce outstanding unsecured debt", "Older people: residential and nursing care", 100_000,
     [(5, 0, 50_000), (8, 10_000, 20_000), (11, 20_000, 20_000)]),
]


def seed_demo(ws: Workspace, store_dir: Path, today: dt.date) -> None:
    """Twelve months of demo budget lines (April to March of the year ending ``today``) and savings schemes.

    The figures are invented for the demo (a council's budget is its own input, not something the tool
    can measure) and every import is labelled "demo" in its source.
    """
    if months(ws):
        return
    end = br.financial_year(f"{today.year:04d}-{today.month:02d}")
    fy_months = br.financial_year_months(end)
    for i, month in enumerate(fy_months):
        if month > f"{today.year:04d}-{today.month:02d}":
            break
        lines = []
        for pos, (area, budget, path) in enumerate(_DEMO_AREAS, 1):
            budget_p = budget * 100
            lines.append({"service_area": area, "budget_pence": budget_p,
                          "forecast_pence": budget_p + round(budget_p * path[i] / 1000) * 1000, "position": pos})
        load_lines(ws, month, lines, actor="demo", source=f"demo budget monitoring {month} (invented figures)")
    for name, area, target, progress in _DEMO_SAVINGS:
        scheme = add_scheme(ws, actor="demo", name=name, financial_year=end, target=target, service_area=area)
        for idx, delivered, forecast in progress:
            if fy_months[idx] <= f"{today.year:04d}-{today.month:02d}":
                record_progress(ws, scheme["id"], actor="demo", month=fy_months[idx], delivered=delivered,
                                forecast=forecast, note="Demo figures (invented).")

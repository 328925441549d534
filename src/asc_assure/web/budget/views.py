"""Budget monitoring views: thin wrappers over :mod:`asc_assure.assurance.budget`.

Everyone with ``view_budget`` reads the month page, trend and savings; ``edit_budget`` imports a
month's finance export and records savings. Imports and savings changes go to the web audit log, and
every uploaded file is kept in the workspace's files folder before it is read.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import altair as alt
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import get_valid_filename
from django.views.decorators.http import require_http_methods

from asc_assure.assurance import budget
from asc_assure.assurance.workspace import NotFound, WorkspaceError
from asc_assure.domain import budget_rules as br
from asc_assure.reports import charts
from asc_assure.web.auditlog import record
from asc_assure.web.permissions import can, forbidden, requires
from asc_assure.web.workspace import actor, workspace

RAG_TEXT = {"green": "Green", "amber": "Amber", "red": "Red"}
MAX_UPLOAD_BYTES = 20 << 20


def money(value: float | None) -> str:
    """£1,234,567 (whole pounds for display; the figures held are exact to the penny)."""
    if value is None:
        return "—"
    return f"-£{-value:,.0f}" if value < 0 else f"£{value:,.0f}"


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}%"


def _line_view(line: dict[str, Any]) -> dict[str, Any]:
    return {**line, "budget_text": money(line["budget"]), "forecast_text": money(line["forecast"]),
            "variance_text": money(line["variance"]), "variance_pct_text": pct(line["variance_pct"]),
            "rag_text": RAG_TEXT.get(line["rag"], "Not rated"),
            "direction_text": ("overspend" if line["variance"] > 0 else "underspend" if line["variance"] < 0
                               else "on budget")}


def _trend_chart(trend: list[dict[str, Any]]) -> charts.TrendChart | None:
    """Forecast outturn against budget by month, as an accessible SVG (the figures are also in a table)."""
    if not trend:
        return None
    data = []
    for t in trend:
        date = f"{t['month']}-01"
        data.append({"month": date, "series": "Budget", "value": t["budget"]})
        data.append({"month": date, "series": "Forecast outturn", "value": t["forecast"]})
    first, last = trend[0], trend[-1]
    summary = (f"Forecast outturn {money(first['forecast'])} in {br.month_label(first['month'])} and "
               f"{money(last['forecast'])} in {br.month_label(last['month'])}, against a budget of "
               f"{money(last['budget'])}: a variance of {money(last['variance'])} ({pct(last['variance_pct'])}).")
    x = alt.X("month:T", scale=alt.Scale(type="utc"), axis=alt.Axis(title=None, format="%b %y", grid=False))
    y = alt.Y("value:Q", scale=alt.Scale(zero=False, nice=True),
              axis=alt.Axis(title="£ million", labelExpr="format(datum.value / 1000000, ',.1f')"))
    style = alt.Legend(title=None, orient="bottom")
    chart = alt.Chart(alt.Data(values=data)).mark_line(point=True, strokeWidth=2.5).encode(
        x=x, y=y, color=alt.Color("series:N", legend=style,
                                  scale=alt.Scale(domain=["Budget", "Forecast outturn"],
                                                  range=[charts.TEXT_COLOUR, charts.LINE_COLOUR])),
        strokeDash=alt.StrokeDash("series:N", legend=style, scale=alt.Scale(
            domain=["Budget", "Forecast outturn"], range=[[6, 4], [1, 0]])),
    ).properties(width=620, height=200, title=alt.TitleParams(
        "Forecast outturn against budget", subtitle="Dashed line: budget. Solid line: forecast outturn.",
        anchor="start", fontSize=14, color=charts.TEXT_COLOUR, subtitleColor=charts.SECONDARY_TEXT)
    ).configure(font=charts.FONT_FAMILY, background="white").configure_view(stroke=None)
    svg = charts.svg_from_spec(chart.to_dict(validate=False))
    title = "Forecast outturn against budget by month"
    return charts.TrendChart(chart_id="budget-trend", title=title, summary=summary,
                             svg=charts.accessible_svg(svg, "budget-trend", title, summary), points=())


@requires("view_budget")
def month_page(request: HttpRequest) -> HttpResponse:
    ws = workspace()
    available = budget.months(ws)
    month = request.GET.get("month", "").strip() or (available[-1] if available else "")
    errors = []
    context: dict[str, Any] = {"page_title": "Budget monitoring", "months": available, "month": month,
                               "can_edit": can(request.user, "edit_budget"), "summary": None}
    if not available:
        return render(request, "budget/month.html", context)
    if month not in available:
        errors.append({"text": f"Choose a month that has budget lines (not {month!r})", "href": "#month"})
        month = available[-1]
    s = budget.month_summary(ws, month)
    vt, _ = budget.thresholds(ws)
    full_trend = budget.trend(ws, br.financial_year(month), upto=month)
    context.update({
        "errors": errors, "month": month, "month_label": br.month_label(month),
        "financial_year": br.financial_year(month), "summary": s,
        "month_options": [(m, br.month_label(m)) for m in reversed(available)],
        "lines": [_line_view(ln) for ln in s["lines"]],
        "totals": _line_view({"service_area": "Total", **s["totals"]}),
        "savings": [{**sv, "target_text": money(sv["target"]), "delivered_text": money(sv["delivered"]),
                     "forecast_text": money(sv["forecast"]), "rag_text": RAG_TEXT.get(sv["rag"], "Not rated")}
                    for sv in budget.savings(ws, month)],
        "trend": [_line_view({"service_area": t["month"], **t, "label": br.month_label(t["month"])})
                  for t in full_trend],
        "red_above": float(vt.red_above_pct), "amber_from": float(vt.amber_from_pct),
    })
    context["chart"] = _trend_chart(full_trend)
    context["imports"] = budget.imports(ws, month)[:5]
    return render(request, "budget/month.html", context, status=400 if errors else 200)


@requires("edit_budget")
@require_http_methods(["GET", "POST"])
def import_lines(request: HttpRequest) -> HttpResponse:
    ws = workspace()
    context: dict[str, Any] = {"page_title": "Import budget lines", "errors": [], "result": None,
                               "form": {"month": request.POST.get("month", "").strip(),
                                        "units": request.POST.get("units", "").strip()},
                               "unit_options": [("", "Read from the column headings (default £)"),
                                                ("pounds", "£ (pounds)"), ("thousands", "£000 (thousands)"),
                                                ("millions", "£m (millions)")]}
    if request.method == "GET":
        return render(request, "budget/import.html", context)
    upload = request.FILES.get("file")
    month, units = context["form"]["month"], context["form"]["units"] or None
    try:
        br.parse_month(month)
    except ValueError as exc:
        context["errors"].append({"text": str(exc).capitalize(), "href": "#month"})
    if upload is None:
        context["errors"].append({"text": "Select the finance export to import (CSV or Excel)", "href": "#file"})
    elif upload.size > MAX_UPLOAD_BYTES:
        context["errors"].append({"text": "The file is larger than 20 MB", "href": "#file"})
    if units is not None and units not in br.UNITS:
        context["errors"].append({"text": "Choose the units from the list", "href": "#units"})
    if context["errors"]:
        return render(request, "budget/import.html", context, status=400)
    name = get_valid_filename(Path(upload.name).name) or "budget-upload"
    folder = ws.files_dir / "budget" / month
    folder.mkdir(parents=True, exist_ok=True)
    saved = folder / f"{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%S%f')}-{name}"
    with saved.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        result = budget.import_file(ws, saved, month, actor=actor(request), units=units, source=name)
    except WorkspaceError as exc:
        record(request, "budget_import", object=month, file=name, status="failed", reason=str(exc))
        context["errors"].append({"text": str(exc), "href": "#file"})
        return render(request, "budget/import.html", context, status=400)
    record(request, "budget_import", object=month, file=name, status="loaded" if result.rows_loaded else "rejected",
           rows_read=result.rows_read, rows_loaded=result.rows_loaded, rows_rejected=result.rows_rejected,
           replaced_lines=result.replaced_lines)
    context["result"] = result.to_dict()
    return render(request, "budget/import.html", context, status=200 if result.rows_loaded else 400)


def _scheme_view(s: dict[str, Any]) -> dict[str, Any]:
    return {**s, "target_text": money(s["target"]), "delivered_text": money(s["delivered"]),
            "forecast_text": money(s["forecast"]), "rag_text": RAG_TEXT.get(s["rag"], "Not rated"),
            "delivered_pct_text": "—" if s["delivered_pct"] is None else f"{s['delivered_pct']:.0f}%",
            "forecast_pct_text": "—" if s["forecast_pct"] is None else f"{s['forecast_pct']:.0f}%"}


@requires("view_budget")
@require_http_methods(["GET", "POST"])
def savings_page(request: HttpRequest) -> HttpResponse:
    ws = workspace()
    context: dict[str, Any] = {"page_title": "Savings schemes", "errors": [], "form": {},
                               "can_edit": can(request.user, "edit_budget")}
    status = 200
    if request.method == "POST":
        if not context["can_edit"]:
            return forbidden(request, "edit_budget")
        form = {k: request.POST.get(k, "").strip() for k in ("name", "financial_year", "target", "service_area")}
        context["form"] = form
        try:
            s = budget.add_scheme(ws, actor=actor(request), name=form["name"], financial_year=form["financial_year"],
                                  target=form["target"], service_area=form["service_area"])
        except WorkspaceError as exc:
            text = str(exc)
            href = ("#financial_year" if "financial year" in text else "#target" if "target" in text
                    else "#name")
            context["errors"] = [{"text": text[0].upper() + text[1:], "href": href}]
            status = 400
        else:
            record(request, "savings_add", object=str(s["id"]), name=s["name"], target=s["target"],
                   financial_year=s["financial_year"])
            return redirect("budget_scheme", scheme_id=s["id"])
    context["schemes"] = [_scheme_view(s) for s in budget.savings(ws)]
    return render(request, "budget/savings.html", context, status=status)


@requires("view_budget")
@require_http_methods(["GET", "POST"])
def scheme_page(request: HttpRequest, scheme_id: int) -> HttpResponse:
    ws = workspace()
    try:
        scheme = budget.get_scheme(ws, scheme_id)
    except NotFound:
        raise Http404("no such savings scheme") from None
    context: dict[str, Any] = {"page_title": scheme["name"], "errors": [], "can_edit": can(request.user, "edit_budget"),
                               "form": {}, "month_options": br.financial_year_months(scheme["financial_year"])}
    status = 200
    if request.method == "POST":
        if not context["can_edit"]:
            return forbidden(request, "edit_budget")
        form = {k: request.POST.get(k, "").strip() for k in ("month", "delivered", "forecast", "note")}
        context["form"] = form
        try:
            scheme = budget.record_progress(ws, scheme_id, actor=actor(request), month=form["month"],
                                            delivered=form["delivered"], forecast=form["forecast"], note=form["note"])
        except WorkspaceError as exc:
            text = str(exc)
            href = "#forecast" if "forecast" in text else "#delivered" if "deliver" in text else "#month"
            context["errors"] = [{"text": text[0].upper() + text[1:], "href": href}]
            status = 400
        else:
            record(request, "savings_progress", object=str(scheme_id), month=form["month"],
                   delivered=scheme["delivered"], forecast=scheme["forecast"])
            return redirect("budget_scheme", scheme_id=scheme_id)
    context["scheme"] = _scheme_view(scheme)
    context["history"] = [{**h, "delivered_text": money(h["delivered"]), "forecast_text": money(h["forecast"]),
                           "label": br.month_label(h["month"])} for h in reversed(scheme["history"])]
    return render(request, "budget/scheme.html", context, status=status)

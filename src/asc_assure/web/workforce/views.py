"""The workforce page and its CSV download.

Figures come from :func:`asc_assure.measures.workforce.build_summary` (the registry's workforce measures
and the caseload ceilings); the view only picks the date, draws the trend charts and records the visit.
The page holds team-level staffing figures, not people's records, but it is still recorded in the audit
log, and the CSV download is recorded as an export.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from asc_assure.measures import workforce as wf
from asc_assure.reports.charts import trend_chart
from asc_assure.web.auditlog import record
from asc_assure.web.dashboard import service
from asc_assure.web.dashboard.views import parse_day
from asc_assure.web.permissions import requires
from asc_assure.web.views import _csv_cell as text_cell


def _as_of(request: HttpRequest) -> tuple[dt.date | None, list[dict[str, str]], str]:
    """(date asked for, errors, what was typed): ?as_of=, else the newest workforce extract's date."""
    raw = (request.GET.get("as_of") or "").strip()
    if raw:
        day = parse_day(raw)
        if day is not None:
            return day, [], raw
        return None, [{"text": f"Enter a real date for 'as at', for example 31/3/2025 (not {raw!r})",
                       "href": "#as_of"}], raw
    try:
        return wf.default_as_of(service.store_dir()), [], ""
    except wf.WorkforceError:
        return None, [], ""


def _summary(as_of: dt.date | None) -> tuple[dict[str, Any] | None, str | None]:
    if as_of is None:
        return None, None
    try:
        return wf.build_summary(service.store_dir(), as_of), None
    except wf.WorkforceError as exc:
        return None, str(exc)


def _charts(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """A month-end trend chart per rate, each with its figures for the table beside it."""
    out = []
    for t in summary["trends"]:
        slug = re.sub(r"[^a-z0-9]+", "-", t["id"].lower()).strip("-")
        out.append({"id": t["id"], "title": t["title"],
                    "chart": trend_chart(f"chart-{slug}", f"{t['title']}: month ends", t["trend"], t["unit"],
                                         "month", width=620, height=170)})
    return out


@requires("view_workforce")
def index(request: HttpRequest) -> HttpResponse:
    as_of, errors, typed = _as_of(request)
    summary, problem = _summary(as_of)
    context: dict[str, Any] = {"page_title": "Workforce", "errors": errors, "as_of": as_of, "typed": typed,
                               "summary": summary, "problem": problem, "charts": []}
    if summary is not None:
        context["charts"] = _charts(summary)
    record(request, "view_workforce", object=request.path, as_of=as_of.isoformat() if as_of else None)
    return render(request, "workforce/index.html", context)


CSV_HEADER = ["Team", "Role", "Open cases", "FTE in post (case-holding)", "Cases per FTE", "Ceiling", "Status"]


@requires("view_workforce")
def export_csv(request: HttpRequest) -> HttpResponse:
    """The team tables and the caseload against ceiling, as CSV for a spreadsheet (recorded as an export)."""
    as_of, errors, _ = _as_of(request)
    summary, problem = _summary(as_of)
    if summary is None:
        return HttpResponse((errors[0]["text"] if errors else problem) or "No workforce extract has been loaded",
                            status=404 if not errors else 400, content_type="text/plain; charset=utf-8")
    buf = io.StringIO()
    w = csv.writer(buf)
    cols = summary["columns"]
    w.writerow([f"Workforce by team, latest snapshot {summary['snapshot_date']}"])
    w.writerow(["Team", *[c["title"] for c in cols], "Caseload against ceiling"])
    for t in summary["teams"]:
        values = [(t["cells"].get(c["id"]) or {}).get("value", "") for c in cols]
        w.writerow([text_cell(t["team"]), *values, t["status_text"]])
    w.writerow([])
    w.writerow(["Caseload against ceiling by team and role"])
    w.writerow(CSV_HEADER)
    for r in summary["caseload"]:
        w.writerow([text_cell(r["team"]), text_cell(r["role"]), r["open_cases"], r["fte"], r["caseload"],
                    "" if r["ceiling"] is None else r["ceiling"], r["status_text"]])
    name = f"workforce-{summary['as_of']}.csv"
    record(request, "export_workforce", object=name, as_of=summary["as_of"], rows=len(summary["caseload"]))
    response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

"""Plan assessment appointments for a team: the optimiser against first-in first-out, and the plan CSV.

Team managers plan only their own teams (``own_teams_only``); analysts may plan any team. Running a
plan shows person-level rows (pseudonymised keys) and downloading it exports them, so both are
written to the audit log. The plan is worked out by ``asc_assure.operations.scheduling``; the same
inputs and seed give the same plan, so the download repeats the run the page showed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings as django_settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from asc_assure.domain.working_days import next_working_day
from asc_assure.operations.scheduling import ScheduleError, load_settings, run_schedule
from asc_assure.operations.scheduling.inputs import teams_in
from asc_assure.web.auditlog import record
from asc_assure.web.dashboard import service
from asc_assure.web.dashboard.views import own_teams_only, parse_day
from asc_assure.web.permissions import forbidden, requires

MAX_WEB_DAYS = 60
WEB_TIME_LIMIT = 20.0  # seconds: a page should answer within about half a minute
SHOWN_ROWS = 100


def _store() -> Path:
    return Path(django_settings.ASC_ASSURE_STORE)


def _default_start() -> dt.date:
    latest = service.latest_as_of(service.open_store())
    return next_working_day((latest or dt.date.today()) + dt.timedelta(days=1))


def _form(request: HttpRequest) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Read and check the form; errors name the field in words a manager understands."""
    data = request.POST
    errors: list[dict[str, str]] = []
    raw_start = data.get("start", "").strip()
    start = parse_day(raw_start) if raw_start else _default_start()
    if start is None:
        errors.append({"text": "Enter the first day of the plan as a date, for example 1/4/2025", "href": "#start"})
    raw_days = data.get("days", "").strip() or "20"
    days = int(raw_days) if raw_days.isdigit() else None
    if days is None or not 1 <= days <= MAX_WEB_DAYS:
        errors.append({"text": f"Enter the number of working days to plan, from 1 to {MAX_WEB_DAYS}",
                       "href": "#days"})
    teams = data.getlist("teams")
    return {"start": start, "start_text": raw_start, "days": days, "days_text": raw_days, "teams": teams}, errors


def _context(allowed: list[str], form: dict[str, Any] | None = None) -> dict[str, Any]:
    start = _default_start()
    return {"page_title": "Plan assessment appointments", "allowed_teams": allowed,
            "form": form or {"start_text": start.strftime("%d/%m/%Y"), "days_text": "20", "teams": []},
            "max_days": MAX_WEB_DAYS, "errors": []}


def _allowed(request: HttpRequest) -> tuple[list[str], frozenset[str] | None]:
    mine = own_teams_only(request.user)
    teams = teams_in(_store(), _default_start())
    return ([t for t in teams if mine is None or t in mine], mine)


def _run(request: HttpRequest) -> tuple[Any, dict[str, Any], list[dict[str, str]], list[str], HttpResponse | None]:
    """Shared by the page and the download: check the form and permissions, then plan."""
    allowed, mine = _allowed(request)
    form, errors = _form(request)
    chosen = form["teams"] or list(allowed)
    refused = [t for t in chosen if mine is not None and t not in mine]
    if refused:
        return None, form, errors, allowed, forbidden(request, "run_schedule")
    if not chosen:
        errors.append({"text": "There is no team with a staff roster you can plan for", "href": "#teams"})
    unknown = [t for t in chosen if t not in allowed]
    if unknown:
        errors.append({"text": f"{unknown[0]} has no staff roster loaded: choose another team", "href": "#teams"})
    if errors:
        return None, form, errors, allowed, None
    settings = load_settings()
    settings = settings.with_solver(time_limit=min(settings.time_limit, WEB_TIME_LIMIT))
    try:
        result = run_schedule(_store(), form["start"], form["days"], chosen, settings)
    except ScheduleError as exc:
        return None, form, [{"text": str(exc), "href": "#start"}], allowed, None
    form["teams"] = chosen
    return result, form, [], allowed, None


@requires("run_schedule")
@require_http_methods(["GET", "POST"])
def schedule(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        allowed, _mine = _allowed(request)
        return render(request, "scheduling/schedule.html", _context(allowed))
    result, form, errors, allowed, denied = _run(request)
    if denied is not None:
        return denied
    context = {**_context(allowed, form), "errors": errors}
    if result is None:
        return render(request, "scheduling/schedule.html", context, status=400 if errors else 200)
    metrics = result.metrics()
    rows = result.rows()
    record(request, "schedule_run", object="operations/schedule", teams=form["teams"], start=metrics["from"],
           days=metrics["working_days"], people=metrics["people"], status=metrics["solver"].get("status"))
    return render(request, "scheduling/schedule.html", {
        **context, "metrics": metrics, "rows": rows[:SHOWN_ROWS], "row_count": len(rows),
        "start_iso": form["start"].isoformat(), "plan_rows": _comparison(metrics)})


@requires("run_schedule")
@require_POST
def plan_csv(request: HttpRequest) -> HttpResponse:
    result, form, errors, allowed, denied = _run(request)
    if denied is not None:
        return denied
    if result is None:
        context = {**_context(allowed, form), "errors": errors}
        return render(request, "scheduling/schedule.html", context, status=400)
    metrics = result.metrics()
    record(request, "schedule_export", object="operations/schedule/plan.csv", teams=form["teams"],
           start=metrics["from"], days=metrics["working_days"], rows=metrics["people"])
    response = HttpResponse(result.csv_text(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-plan-{metrics["from"]}.csv"'
    return response


def _comparison(m: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of the side-by-side table: label, optimiser, baseline, and which is better in words."""
    o, b = m["optimiser"], m["baseline"]
    out = []
    for label, key, unit in (("People given an appointment", "scheduled", ""),
                             ("People not scheduled", "unscheduled", ""),
                             ("Mean wait", "mean_wait", " working days"),
                             ("95th percentile wait", "p95_wait", " working days"),
                             ("Longest wait", "max_wait", " working days"),
                             ("Breaches of the target", "breaches", ""),
                             ("Visits outside the worker's base locality", "travel_visits", "")):
        ov, bv = o[key], b[key]
        if ov is None or bv is None or ov == bv:
            verdict = "Same"
        else:
            better = ov > bv if key == "scheduled" else ov < bv
            verdict = "Optimiser better" if better else "Baseline better"
        out.append({"label": label, "optimiser": "–" if ov is None else f"{ov}{unit}",
                    "baseline": "–" if bv is None else f"{bv}{unit}", "verdict": verdict})
    return out

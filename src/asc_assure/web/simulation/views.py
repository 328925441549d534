"""The demand and capacity page: pick or paste a scenario, adjust the common levers, run, read the result.

Runs are short by default (10 replications, at most 30, and a time limit) because they happen while
the user waits. Every run is written to the audit log with the scenario and the headline result. The
figures come from ``asc_assure.operations.simulation``; the view only turns form fields into a
scenario and the result into a page.
"""

from __future__ import annotations

from typing import Any

import yaml
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from asc_assure.assurance.workspace import WorkspaceError
from asc_assure.operations.simulation import RULES, ScenarioError, examples, parse_scenario, run_simulation
from asc_assure.operations.simulation import store as saved
from asc_assure.operations.simulation.chart import projection_svg, summary
from asc_assure.web.auditlog import record
from asc_assure.web.dashboard import service
from asc_assure.web.permissions import requires
from asc_assure.web.workspace import workspace

DEFAULT_REPLICATIONS = 10
MAX_REPLICATIONS = 30
TIME_LIMIT_S = 20.0
LEVERS = ("fte_change_pct", "demand_growth_pct", "push_weeks", "push_extra_per_week", "target")


def _number(form: dict[str, str], name: str, label: str, errors: list[dict[str, str]], lo: float, hi: float,
            whole: bool = False) -> float | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        errors.append({"text": f"{label} must be a number (not {raw!r})", "href": f"#{name}"})
        return None
    if not lo <= value <= hi or (whole and value != int(value)):
        kind = "a whole number" if whole else "a number"
        errors.append({"text": f"{label} must be {kind} between {lo:g} and {hi:g} (not {raw})", "href": f"#{name}"})
        return None
    return value


def _scenario_data(form: dict[str, str], errors: list[dict[str, str]]) -> dict[str, Any] | None:
    """The scenario as a dict: the pasted YAML, else the chosen example, with the levers laid over it."""
    text = form.get("scenario_yaml", "").strip()
    if not text:
        text = examples().get(form.get("example", "baseline"), "")
        if not text:
            errors.append({"text": "Choose a scenario from the list", "href": "#example"})
            return None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        errors.append({"text": f"The scenario is not valid YAML{where}", "href": "#scenario_yaml"})
        return None
    if not isinstance(data, dict):
        errors.append({"text": "The scenario must be a set of settings (name, demand, staff...)",
                       "href": "#scenario_yaml"})
        return None
    fte = _number(form, "fte_change_pct", "Change in assessing FTE", errors, -90, 200)
    demand = _number(form, "demand_growth_pct", "Change in demand", errors, -90, 200)
    weeks = _number(form, "push_weeks", "Backlog push weeks", errors, 1, 52, whole=True)
    extra = _number(form, "push_extra_per_week", "Extra assessments a week", errors, 1, 10_000)
    target = _number(form, "target", "Target", errors, 0, 1_000_000)
    rule = form.get("rule", "").strip()
    if rule and rule not in RULES:
        errors.append({"text": "Choose a prioritisation rule from the list", "href": "#rule"})
    if (weeks is None) != (extra is None) and not any(e["href"] in ("#push_weeks", "#push_extra_per_week")
                                                      for e in errors):
        missing = "push_extra_per_week" if extra is None else "push_weeks"
        errors.append({"text": "Give both the weeks and the extra assessments a week for a backlog push",
                       "href": f"#{missing}"})
    if errors:
        return None
    if fte is not None:
        data["staff"] = [*(data.get("staff") or []), {"change_pct": fte}]
    if demand is not None:
        data["demand"] = {**(data.get("demand") or {}), "growth_pct": demand}
    if rule:
        data["prioritisation"] = {**(data.get("prioritisation") or {}), "rule": rule}
    if weeks is not None and extra is not None:
        pushes = data.get("backlog_push") or []
        data["backlog_push"] = [*(pushes if isinstance(pushes, list) else [pushes]),
                                {"weeks": int(weeks), "extra_per_week": extra}]
    if target is not None:
        data["target"] = target
    return data


def _view_model(result: dict[str, Any], chart_id: str) -> dict[str, Any]:
    return {"data": result, "svg": projection_svg(result, chart_id=chart_id), "summary": summary(result)}


@requires("run_simulation")
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    form = {k: v for k, v in (request.POST if request.method == "POST" else request.GET).items()}
    form.setdefault("example", "baseline")
    errors: list[dict[str, str]] = []
    context: dict[str, Any] = {"page_title": "Demand and capacity", "errors": errors, "form": form,
                               "examples": examples(), "rules": RULES, "result": None,
                               "max_replications": MAX_REPLICATIONS}
    ws = workspace()
    baseline, backtest = saved.load(ws, "baseline"), saved.load(ws, "backtest")
    context["backtest"] = backtest
    if request.method == "POST":
        data = _scenario_data(form, errors)
        reps = _number(form, "replications", "Replications", errors, 2, MAX_REPLICATIONS, whole=True)
        weeks = _number(form, "weeks", "Weeks to project", errors, 4, 104, whole=True)
        seed = _number(form, "seed", "Seed", errors, 0, 2**31, whole=True)
        if data is not None and not errors:
            try:
                scenario = parse_scenario(data)
                result = run_simulation(service.store_dir(), scenario, weeks=int(weeks or 52),
                                        replications=int(reps or DEFAULT_REPLICATIONS), seed=int(seed or 1),
                                        time_limit_s=TIME_LIMIT_S)
            except ScenarioError as exc:
                errors.append({"text": str(exc), "href": "#scenario_yaml"})
            except WorkspaceError as exc:
                errors.append({"text": str(exc), "href": "#main-content"})
            else:
                context["result"] = _view_model(result, "simulation-run")
                record(request, "run_simulation", object=request.path, scenario=scenario.describe(),
                       weeks=result["weeks_projected"], replications=result["replications"], seed=result["seed"],
                       start=result["start"]["waiting"], end_median=result["end"]["median"],
                       target_week=result["target"].get("median_week"))
        if errors:
            record(request, "run_simulation_refused", object=request.path, errors=[e["text"] for e in errors])
    elif baseline is not None:
        context["result"] = _view_model(baseline, "simulation-saved")
        context["saved"] = True
    return render(request, "simulation/index.html", context)

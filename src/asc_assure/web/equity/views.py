"""The equity page: pick a measure and a dimension; see rates with 95% intervals, ratios to the council
average and significance flags, as a table and a chart; and data completeness by team.

Figures come from ``asc_assure.measures.equity`` (the views run no SQL). Viewers (for example
councillors) get the published version: counts rounded to 5, groups of 1 to 4 people suppressed.
Every breakdown shown is written to the audit log.
"""

from __future__ import annotations

import threading
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from asc_assure.data.store import Store
from asc_assure.measures import equity as core
from asc_assure.measures.engine import run_measures
from asc_assure.measures.registry import Measure
from asc_assure.reports import equity_view as ev
from asc_assure.reports import formatting as fmt
from asc_assure.web.auditlog import record
from asc_assure.web.dashboard import service
from asc_assure.web.dashboard.views import own_teams_only, parse_day
from asc_assure.web.permissions import can, requires

_measures_cache: dict[tuple, list[Measure]] = {}
_lock = threading.Lock()


def _breakable(store: Store) -> list[Measure]:
    """Measures that can be broken down, checked once per state of the store."""
    key = (str(store.root), service.store_state(store))
    with _lock:
        if key in _measures_cache:
            return _measures_cache[key]
    found = core.equity_measures(store.root)
    with _lock:
        _measures_cache.clear()
        _measures_cache[key] = found
    return found


def _form(request: HttpRequest, store: Store, measures: list[Measure]) -> tuple[dict[str, Any], list[dict]]:
    errors: list[dict[str, str]] = []
    ids = {m.id for m in measures}
    measure = request.GET.get("measure", "").strip()
    by = request.GET.get("by", "").strip()
    period = request.GET.get("period", core.ROLLING).strip() or core.ROLLING
    raw = request.GET.get("as_of", "").strip()
    as_of = service.latest_as_of(store)
    if raw:
        day = parse_day(raw)
        if day is None:
            errors.append({"text": f"Enter a real date for 'data as at', for example 31/3/2025 (not {raw!r})",
                           "href": "#as_of"})
        else:
            as_of = day
    if measure and measure not in ids:
        errors.append({"text": "Choose a measure from the list", "href": "#measure"})
    if by and by not in core.dimensions():
        errors.append({"text": "Choose what to break the measure down by from the list", "href": "#by"})
    if period not in core.EQUITY_PERIODS:
        errors.append({"text": "Choose a period from the list", "href": "#period"})
        period = core.ROLLING
    if measure and not by and not errors:
        errors.append({"text": "Choose what to break the measure down by", "href": "#by"})
    return {"measure": measure, "by": by, "period": period, "as_of": as_of}, errors


def _completeness(request: HttpRequest, store: Store, as_of, public: bool) -> list[dict[str, Any]]:
    """The data completeness measures for the month to the date, with the lowest team the user may see."""
    ids = [m.id for m in service.registry().values() if m.group == ev.COMPLETENESS_GROUP]
    if not ids:
        return []
    results = run_measures(store.root, as_of, "month", ids=ids, trend_points=1, public=public)
    mine = own_teams_only(request.user)
    rows = ev.completeness_rows(results)
    for row, m in zip(rows, results, strict=True):
        teams = [b for b in m["breakdowns"].get("team", []) if fmt.is_number(b["value"])
                 and (mine is None or b["key"] in mine)]
        row["worst"] = sorted(teams, key=lambda b: b["value"])[:1]
    return rows


@requires("view_equity")
def index(request: HttpRequest) -> HttpResponse:
    public = not can(request.user, "view_internal_figures")
    store = service.open_store()
    context: dict[str, Any] = {"page_title": "Equity", "public": public, "errors": [], "store": store,
                               "dimensions": list(core.dimensions().values()), "periods": core.EQUITY_PERIODS,
                               "period_words": core.PERIOD_WORDS, "result": None, "measures": []}
    if store is None or service.latest_as_of(store) is None:
        record(request, "view_equity", object=request.path, loaded=False)
        return render(request, "equity/index.html", {**context, "form": {}})
    measures = _breakable(store)
    form, errors = _form(request, store, measures)
    context.update({"form": form, "errors": errors, "measures": measures,
                    "as_of_text": fmt.format_date(form["as_of"].isoformat()),
                    "completeness": _completeness(request, store, form["as_of"], public)})
    if form["measure"] and form["by"] and not errors:
        try:
            result = core.breakdown(store.root, form["measure"], form["by"], form["as_of"], period=form["period"],
                                    public=public)
        except core.EquityError as exc:
            errors.append({"text": str(exc), "href": "#measure"})
        else:
            context.update({"result": result, "rows": ev.rows(result), "chart": ev.chart(result),
                            "period_text": result["period_text"]})
            context["page_title"] = f"Equity: {result['measure']['title']} by {result['dimension']['label'].lower()}"
    record(request, "view_equity", object=form["measure"] or request.path, by=form["by"] or None,
           as_of=form["as_of"].isoformat(), period=form["period"], public=public)
    return render(request, "equity/index.html", context, status=400 if errors else 200)

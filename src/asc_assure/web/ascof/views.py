"""The council's ASCOF figures derived from the CLD: thin view over :mod:`asc_assure.measures.ascof`.

Everyone may read the page (``view_ascof``); people without ``view_internal_figures`` (viewers such as
councillors) see the published form, with small numbers suppressed by ``asc_assure.domain.suppression``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from asc_assure.data.store import StoreError
from asc_assure.domain.suppression import public_count, public_figures
from asc_assure.measures.ascof import cache, engine
from asc_assure.measures.ascof.catalogue import DHSC_COMMIT, DHSC_REPO, MEASURES
from asc_assure.measures.ascof.periods import PeriodError, available, from_key
from asc_assure.web.permissions import can, requires
from asc_assure.web.workspace import today, workspace

#: Count columns of each disaggregation table, and the caption it is shown under.
DETAILS = {
    "ascof_2a_by_sequel": ("2A: reablement episodes by sequel", "episodes",
                           ["age_band", "sequel_type", "final_outcome", "in_numerator", "in_denominator"]),
    "ascof_2bc_by_setting": ("2B and 2C: people admitted, by setting", "people", ["measure", "age_band", "setting"]),
    "ascof_2e_by_accommodation": ("2E: people receiving long-term support, by accommodation", "people",
                                  ["age_band", "accommodation_status", "settled"]),
    "ascof_3d_by_support": ("3D: clients and carers by setting and kind of support", "people",
                            ["measure", "age_band", "setting", "support"]),
    "ascof_2d_outcomes": ("2D: reablement after discharge, by 12-week outcome", "episodes",
                          ["client_group", "died", "readmitted", "entered_care"]),
}
HEADINGS = {"age_band": "Age band", "sequel_type": "Sequel", "final_outcome": "Final outcome",
            "in_numerator": "In numerator", "in_denominator": "In denominator", "measure": "Measure",
            "setting": "Setting", "accommodation_status": "Accommodation status", "settled": "Counts as at home",
            "support": "Support", "client_group": "When admitted", "died": "Died", "readmitted": "Readmitted",
            "entered_care": "Entered residential or nursing care"}


def _yes_no(value: Any) -> Any:
    return {0: "No", 1: "Yes"}.get(value, value) if isinstance(value, int) else value


def _figure_rows(figures: list[dict[str, Any]], internal: bool) -> list[dict[str, Any]]:
    out = []
    for r in figures:
        row = dict(r)
        if not internal and r["available"]:
            value, num, den, small = public_figures(r["outcome"], r["numerator"], r["denominator"], False)
            if r["unit"] != "%":  # per 100,000: the denominator is a population, not a count of people
                den = r["denominator"]
            row.update(outcome=value, numerator=num, denominator=den, suppressed=small)
        out.append(row)
    return out


def _detail_tables(details: dict[str, list[dict[str, Any]]], la: str, internal: bool) -> list[dict[str, Any]]:
    tables = []
    for name, (caption, count, cols) in DETAILS.items():
        rows = [r for r in details.get(name, []) if r.get("la_code") == la]
        if not rows:
            continue
        body = [[_yes_no(r[c]) for c in cols] + [r[count] if internal else public_count(r[count])] for r in rows]
        tables.append({"caption": caption, "headings": [HEADINGS[c] for c in cols] + [count.capitalize()],
                       "rows": body})
    return tables


@requires("view_ascof")
def ascof(request: HttpRequest) -> HttpResponse:
    store_dir = Path(settings.ASC_ASSURE_STORE)
    internal = can(request.user, "view_internal_figures")
    context: dict[str, Any] = {"page_title": "ASCOF from the Client Level Data", "errors": [], "internal": internal,
                               "dhsc_repo": DHSC_REPO, "dhsc_commit": DHSC_COMMIT, "measures": MEASURES}
    try:
        span = engine.data_range(store_dir)
    except StoreError:
        span = None
    if span is None:
        return render(request, "ascof/ascof.html", {**context, "data": None})
    periods = available(span[0], min(span[1], today()))
    if not periods:
        return render(request, "ascof/ascof.html", {**context, "data": None})
    period = periods[0]
    key = request.GET.get("period", "").strip()
    if key:
        try:
            chosen = from_key(key)
        except PeriodError:
            chosen = None
        if chosen in periods:
            period = chosen
        else:
            context["errors"].append({"text": "Choose a reporting period from the list", "href": "#period"})
    data = cache.cached_run(workspace(), store_dir, period)
    councils = data["councils"]
    la = request.GET.get("la", "").strip()
    if la not in councils:
        la = councils[0] if councils else ""
    figures = [r for r in data["figures"] if r["la_code"] == la]
    groups: list[dict[str, Any]] = []
    for mid, m in MEASURES.items():
        rows = [r for r in figures if r["measure"] == mid]
        if rows:
            groups.append({"id": mid, "title": m.title, "unit": m.unit, "source": m.source,
                           "rows": _figure_rows(rows, internal)})
    return render(request, "ascof/ascof.html", {
        **context, "data": data, "period": period, "periods": periods, "council": la, "councils": councils,
        "groups": groups, "details": _detail_tables(data["details"], la, internal), "notes": data["notes"],
    })

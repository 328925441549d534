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
from django.views.decorators.http import require_POST

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


# -- benchmarking -------------------------------------------------------------------------------------
MAX_BENCHMARK_UPLOAD = 50 * 2**20  # a national file of every council, measure and group is well under 1 MB


def _benchmark_context(request: HttpRequest) -> dict[str, Any]:
    """Everything the benchmarking page shows for the chosen council, measure and group (or its empty state)."""
    from asc_assure.measures import benchmark as bmk

    ws = workspace()
    internal = can(request.user, "view_internal_figures")
    context: dict[str, Any] = {"page_title": "Benchmark ASCOF against other councils", "errors": [],
                               "internal": internal, "can_upload": can(request.user, "upload"),
                               "info": bmk.results_info(ws), "peers": bmk.load_peers(ws), "bm": None}
    if context["info"] is None:
        return context
    try:
        rows = bmk.load_results(ws)
        councils = bmk.load_councils(ws)
    except bmk.BenchmarkError as exc:
        context["errors"].append({"text": str(exc), "href": "#results"})
        return context
    codes = sorted({str(r["la_code"]) for r in rows})
    measures = [m for m in MEASURES if any(str(r["measure"]) == m for r in rows)]
    measure = request.GET.get("measure", "").strip() or (measures[0] if measures else "")
    if measure not in measures:
        context["errors"].append({"text": "Choose a measure from the list", "href": "#measure"})
        measure = measures[0] if measures else ""
    groups = sorted({str(r["grp"]) for r in rows if str(r["measure"]) == measure},
                    key=lambda g: (g != "Total", g))
    group = request.GET.get("group", "").strip() or (groups[0] if groups else "Total")
    if group not in groups:
        context["errors"].append({"text": f"Choose a group that {measure} is reported for", "href": "#group"})
        group = groups[0] if groups else "Total"
    own = _own_councils()
    la = request.GET.get("la", "").strip() or next((c for c in own if c in codes), codes[0] if codes else "")
    if la not in codes:
        context["errors"].append({"text": "Choose a council from the list", "href": "#la"})
        la = codes[0]
    context.update(measures=measures, measure=measure, groups=groups, group=group, councils=codes, la=la,
                   names={c: (councils.get(c).name if councils.get(c) else f"Council {c}") for c in codes})
    try:
        selected = bmk.select_measure(rows, measure, group)
        bm = bmk.benchmark(selected, la, measure=measure, group=group, polarity=bmk.measure_polarity(measure),
                           councils=councils, peers=context["peers"])
    except bmk.BenchmarkError as exc:
        context["errors"].append({"text": str(exc), "href": "#measure"})
        return context
    context.update(_benchmark_figures(bm, internal))
    return context


def _own_councils() -> list[str]:
    """The LA codes in this workspace's own CLD: the council to benchmark unless another is chosen."""
    from asc_assure.data.store import Store

    try:
        con = Store(Path(settings.ASC_ASSURE_STORE)).connect(only=("cld",))
        try:
            return [r[0] for r in con.execute("SELECT DISTINCT la_code FROM cld ORDER BY 1").fetchall()]
        finally:
            con.close()
    except StoreError:
        return []


def _benchmark_figures(bm: Any, internal: bool) -> dict[str, Any]:
    """The page's figures; for viewers, counts in the published form and councils with small counts left out.

    A value worked out from a count of 1 to 4 is suppressed (``asc_assure.domain.suppression``), and so is
    everything that would give it away: that council's point on the chart, its row in the table and, for the
    council itself, its rank and quartile.
    """
    import dataclasses

    from markupsafe import Markup

    from asc_assure.domain.suppression import SUPPRESSED, is_small
    from asc_assure.measures.benchmark_chart import funnel_svg, summary, table_rows

    rate = bm.kind == "rate"

    def hidden(num: float | None, den: float | None) -> bool:
        return not internal and (is_small(num) or (not rate and is_small(den)))

    def counts(num: float | None, den: float | None) -> tuple[Any, Any]:
        if internal:
            return num, den
        return public_count(num), den if rate else public_count(den)

    me_hidden = hidden(bm.numerator, bm.denominator)
    shown = bm if internal else dataclasses.replace(
        bm, funnel=[p for p in bm.funnel if not hidden(p.numerator, p.denominator)])
    num, den = counts(bm.numerator, bm.denominator)
    table = []
    for r in table_rows(shown):
        n, d = counts(r["numerator"], r["denominator"])
        table.append({**r, "numerator": n, "denominator": d, "me": r["la_code"] == bm.council.la_code})
    left_out = len(bm.funnel) - len(shown.funnel)
    point = bm.council_point()
    return {
        "bm": bm, "unit": bm.unit, "rate": rate,
        "value": SUPPRESSED if me_hidden and bm.value is not None else bm.value,
        "numerator": num, "denominator": den,
        "rank": SUPPRESSED if me_hidden and bm.rank is not None else bm.rank,
        "quartile": SUPPRESSED if me_hidden and bm.quartile is not None else bm.quartile,
        "verdict": None if me_hidden or point is None else bm.verdict(point),
        "band": None if me_hidden or point is None else point.band,
        "comparisons": [{"label": c.label, "councils": c.councils, "mean": c.mean,
                         "difference": None if me_hidden else c.difference} for c in bm.comparisons],
        "chart": Markup(funnel_svg(shown, "benchmark-funnel")) if shown.funnel else None,
        "chart_summary": summary(shown) if shown.funnel and not me_hidden else None,
        "table": table, "left_out": left_out,
    }


@requires("view_ascof")
def benchmark(request: HttpRequest) -> HttpResponse:
    """Compare a council's ASCOF figure with its peers, its region and England (rank, quartile, funnel)."""
    from asc_assure.web.auditlog import record

    context = _benchmark_context(request)
    if context["bm"] is not None:
        record(request, "benchmark_view", object=f"{context['measure']} {context['group']}", la_code=context["la"],
               national_file=context["info"]["file"], internal=context["internal"])
    return render(request, "ascof/benchmark.html", context)


@requires("upload")
@require_POST
def benchmark_upload(request: HttpRequest) -> HttpResponse:
    """Load the national results file, the peer list and/or the council table (the performance team's job)."""
    import tempfile

    from django.shortcuts import redirect
    from django.urls import reverse

    from asc_assure.measures import benchmark as bmk
    from asc_assure.web.auditlog import record

    ws = workspace()
    errors: list[dict[str, str]] = []
    done: list[str] = []
    uploads = {"results": request.FILES.get("results"), "councils_file": request.FILES.get("councils_file")}
    for field_name, upload in uploads.items():
        if upload is None:
            continue
        if upload.size > MAX_BENCHMARK_UPLOAD:
            errors.append({"text": f"{upload.name} is larger than 50 MB", "href": f"#{field_name}"})
            continue
        suffix = Path(upload.name).suffix.lower()
        if suffix not in (".csv", ".parquet", ".json"):
            errors.append({"text": f"{upload.name} must be a .csv, .parquet or .json file", "href": f"#{field_name}"})
            continue
        with tempfile.TemporaryDirectory() as tmp:
            saved = Path(tmp) / f"upload{suffix}"
            with saved.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                if field_name == "results":
                    info = bmk.save_results(ws, saved, Path(upload.name).name, request.user.get_username())
                    record(request, "benchmark_upload", object=info["file"], kind="national results",
                           rows=info["rows"], councils=info["councils"], status="loaded")
                    done.append("results")
                else:
                    if suffix != ".csv":
                        raise bmk.BenchmarkError("the council table must be a CSV of la_code, name and region")
                    table = bmk.save_councils(ws, saved)
                    record(request, "benchmark_upload", object=Path(upload.name).name, kind="council table",
                           councils=len(table), status="loaded")
                    done.append("councils")
            except bmk.BenchmarkError as exc:
                record(request, "benchmark_upload", object=Path(upload.name).name, kind=field_name,
                       status="failed", reason=str(exc))
                errors.append({"text": str(exc).replace(str(saved), Path(upload.name).name),
                               "href": f"#{field_name}"})
    if "peers" in request.POST:
        try:
            peers = bmk.save_peers(ws, bmk.parse_peer_text(request.POST.get("peers", "")))
            record(request, "benchmark_upload", object="peer group", kind="peers", peers=peers, status="saved")
            done.append("peers")
        except bmk.BenchmarkError as exc:
            errors.append({"text": str(exc), "href": "#peers"})
    if not done and not errors:
        errors.append({"text": "Choose a national results file or a council table, or enter a peer group",
                       "href": "#results"})
    if errors:
        context = _benchmark_context(request)
        context["errors"] = errors + context["errors"]
        context["peer_text"] = request.POST.get("peers")
        return render(request, "ascof/benchmark.html", context, status=400)
    return redirect(f"{reverse('ascof_benchmark')}?saved={','.join(done)}")

"""Dashboard, measure pages, uploads and the weekly pack: thin views over the core packages.

Figures come from ``asc_assure.measures`` (via ``service``), formatting from ``asc_assure.reports``,
loading from ``asc_assure.data.ingest``. Every view names the action it needs (``@requires``) and
every upload and download is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import get_valid_filename
from django.views.decorators.http import require_http_methods
from markupsafe import Markup, escape

from asc_assure.data.ingest import ingest_file, write_error_report
from asc_assure.data.readers import UnreadableFile
from asc_assure.measures.periods import PERIODS
from asc_assure.reports import formatting as fmt
from asc_assure.reports.charts import trend_chart
from asc_assure.web.auditlog import record
from asc_assure.web.dashboard import service
from asc_assure.web.permissions import (
    ADMINISTRATOR,
    ASSURANCE_LEAD,
    PERFORMANCE_ANALYST,
    TEAM_MANAGER,
    can,
    forbidden,
    requires,
    roles_of,
)

MAX_UPLOAD_FILES = 20


def own_teams_only(user) -> frozenset[str] | None:
    """Team managers see team-level detail for their own teams; other roles see every team (None)."""
    roles = roles_of(user)
    if TEAM_MANAGER in roles and not roles & {ADMINISTRATOR, ASSURANCE_LEAD, PERFORMANCE_ANALYST}:
        return frozenset(user.team_memberships.values_list("team", flat=True))
    return None


def parse_day(text: str) -> dt.date | None:
    """A date typed as 31/3/2025 or 2025-03-31 (what council staff type); None if it isn't one."""
    for fmt_ in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), fmt_).date()
        except ValueError:
            continue
    return None


def _filters(request: HttpRequest, store) -> dict[str, Any]:
    errors = []
    as_of = service.latest_as_of(store)
    raw = request.GET.get("as_of", "").strip()
    if raw:
        as_of = parse_day(raw) or as_of
        if parse_day(raw) is None:
            errors.append({"text": "Enter a real date, for example 31/3/2025", "href": "#as_of"})
    period = request.GET.get("period", "week")
    if period not in PERIODS:
        period = "week"
    return {"as_of": as_of, "period": period, "team": request.GET.get("team", "").strip(),
            "locality": request.GET.get("locality", "").strip(), "errors": errors}


def sparkline(values: list[Any], title: str) -> Markup:
    """A small line of the recent trend; the numbers themselves are in the table beside it."""
    nums = [v for v in values if isinstance(v, int | float)]
    if len(nums) < 2:
        return Markup("")
    lo, hi = min(nums), max(nums)
    span = (hi - lo) or 1
    w, h = 120, 28
    pts = []
    for i, v in enumerate(values):
        if isinstance(v, int | float):
            x = i * (w - 4) / max(len(values) - 1, 1) + 2
            y = h - 3 - (v - lo) / span * (h - 6)
            pts.append(f"{x:.1f},{y:.1f}")
    summary = f"{title}: from {fmt.format_count(nums[0]) or nums[0]} to {fmt.format_count(nums[-1]) or nums[-1]}"
    return Markup(f'<svg class="app-sparkline" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
                  f'aria-label="{escape(summary)}"><title>{escape(summary)}</title>'
                  f'<polyline fill="none" stroke="#1d70b8" stroke-width="2" points="{" ".join(pts)}"/></svg>')


def _row(m: dict[str, Any], team: str, locality: str) -> dict[str, Any]:
    """What the dashboard shows for a measure, for the whole council or one team or locality."""
    value, rag, note = m["value"], m["rag"], m["reason"]
    scope = None
    for dim, key in (("team", team), ("locality", locality)):
        if key:
            scope = key
            items = {b["key"]: b for b in m["breakdowns"].get(dim, [])}
            if dim not in m["breakdowns"]:
                value, rag, note = None, None, f"Not broken down by {dim}"
            elif key in items:
                value, rag, note = items[key]["value"], items[key]["rag"], None
            else:
                value, rag, note = None, None, f"No figure for {key}"
    return {
        "id": m["id"], "title": m["title"], "group": m["group"], "unit": m["unit"],
        "value_text": fmt.format_value(value, m["unit"]) if value is not None else None,
        "note": note, "rag": rag, "rag_text": fmt.rag_label(rag), "target_text":
            fmt.format_value(m["target"], m["unit"]) if m["target"] is not None else "No target",
        "change_text": fmt.change_text(m["change_pct"], m["direction"]) if not scope else "",
        "exception": m["exception"] and not scope, "exception_reason": m["exception_reason"],
        "headline": m.get("headline"), "scope": scope,
        "sparkline": sparkline([p["value"] for p in m["trend"][-12:]], m["title"]) if not scope else "",
    }


@requires("view_dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    store = service.open_store()
    f = _filters(request, store)
    context: dict[str, Any] = {"page_title": "Dashboard", "filters": f, "errors": f["errors"], "store": store,
                               "periods": PERIODS}
    if store is None or f["as_of"] is None:
        return render(request, "dashboard/dashboard.html", {**context, "rows": []})
    public = not can(request.user, "view_internal_figures")
    results = service.measures_for(store, f["as_of"], f["period"], public)
    rows = [_row(m, f["team"], f["locality"]) for m in results]
    teams = sorted({b["key"] for m in results for b in m["breakdowns"].get("team", [])})
    mine = own_teams_only(request.user)
    if mine is not None:
        teams = [t for t in teams if t in mine]
        if f["team"] and f["team"] not in mine:
            return forbidden(request, "view_team_detail")
    localities = sorted({b["key"] for m in results for b in m["breakdowns"].get("locality", [])})
    return render(request, "dashboard/dashboard.html", {
        **context, "rows": rows, "public": public, "teams": teams, "localities": localities,
        "headline": [r for r in rows if r["headline"]], "exceptions": [r for r in rows if r["exception"]],
        "as_of_text": fmt.format_date(f["as_of"].isoformat()),
        "period_start": fmt.format_date(results[0]["period_start"]) if results else None,
    })


@requires("view_measure")
def measure_list(request: HttpRequest) -> HttpResponse:
    groups: dict[str, list[dict[str, Any]]] = {}
    for m in service.registry().values():
        groups.setdefault(m.group, []).append(m.describe())
    return render(request, "dashboard/measures.html", {"page_title": "Measures", "groups": groups})


@requires("view_measure")
def measure_detail(request: HttpRequest, measure_id: str) -> HttpResponse:
    definition = service.registry().get(measure_id)
    if definition is None:
        raise Http404("no such measure")
    store = service.open_store()
    f = _filters(request, store)
    public = not can(request.user, "view_internal_figures")
    context: dict[str, Any] = {"page_title": definition.title, "definition": definition, "filters": f,
                               "errors": f["errors"], "periods": PERIODS, "public": public, "m": None}
    if store is None or f["as_of"] is None:
        return render(request, "dashboard/measure.html", context)
    m = next(r for r in service.measures_for(store, f["as_of"], f["period"], public) if r["id"] == measure_id)
    chart = trend_chart(f"chart-{re.sub(r'[^a-z0-9]+', '-', measure_id)}", m["title"], m["trend"], m["unit"],
                        f["period"], width=620, height=180)
    trend_rows = [{"as_of": fmt.format_date(p["as_of"]), "value": fmt.format_value(p["value"], m["unit"]) or "—",
                   "target": fmt.format_value(p["target"], m["unit"]) if p["target"] is not None else "—",
                   "rag": fmt.rag_label(p["rag"])} for p in reversed(m["trend"])]
    mine = own_teams_only(request.user)
    breakdowns = {dim: [{**b, "value_text": fmt.format_value(b["value"], m["unit"]) or "—",
                         "rag_text": fmt.rag_label(b["rag"])} for b in items
                        if dim != "team" or mine is None or b["key"] in mine]
                  for dim, items in m["breakdowns"].items()}
    return render(request, "dashboard/measure.html", {
        **context, "m": m, "chart": chart, "trend_rows": trend_rows, "breakdowns": breakdowns,
        "value_text": fmt.format_value(m["value"], m["unit"]) if m["value"] is not None else None,
        "target_text": fmt.format_value(m["target"], m["unit"]) if m["target"] is not None else "No target",
        "rag_text": fmt.rag_label(m["rag"]), "change_text": fmt.change_text(m["change_pct"], m["direction"]),
        "targets": [{**t, "effective_from": fmt.format_date(str(t["effective_from"])),
                     "target": fmt.format_value(t["target"], m["unit"]),
                     "amber_tolerance": fmt.format_value(t["amber_tolerance"], m["unit"])}
                    for t in service.target_history(store, measure_id)],
        "as_of_text": fmt.format_date(f["as_of"].isoformat()),
        "period_start_text": fmt.format_date(m["period_start"]),
        "data_as_of_text": fmt.format_date(m["data_as_of"]) if m["data_as_of"] else None,
    })


def _uploads_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "uploads" / dt.date.today().isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@requires("upload")
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"page_title": "Upload data", "results": None, "errors": []}
    if request.method == "GET":
        return render(request, "dashboard/upload.html", context)
    files = request.FILES.getlist("files")
    as_of_raw = request.POST.get("as_of", "").strip()
    as_of = parse_day(as_of_raw) if as_of_raw else dt.date.today()
    context["as_of"] = as_of_raw
    if as_of is None:
        context["errors"].append({"text": "Enter a real date for the extracts, for example 31/3/2025",
                                  "href": "#as_of"})
    if not files:
        context["errors"].append({"text": "Select at least one file to upload", "href": "#files"})
    if len(files) > MAX_UPLOAD_FILES:
        context["errors"].append({"text": f"Upload at most {MAX_UPLOAD_FILES} files at a time", "href": "#files"})
    if context["errors"]:
        return render(request, "dashboard/upload.html", context, status=400)
    results = []
    folder = _uploads_dir()
    stamp = dt.datetime.now(dt.UTC).strftime("%H%M%S%f")
    for f in files:
        # Keep every upload on disk before loading it, so nothing sent is ever lost.
        saved = folder / f"{stamp}-{get_valid_filename(Path(f.name).name) or 'upload'}"
        with saved.open("wb") as out:
            for chunk in f.chunks():
                out.write(chunk)
        named = saved.with_name(get_valid_filename(Path(f.name).name) or "upload")
        try:
            with tempfile.TemporaryDirectory() as tmp:
                # Load under the file's own name (it is part of each row's provenance).
                link = Path(tmp) / named.name
                link.symlink_to(saved)
                result = ingest_file(service.store_dir(), link, as_of=as_of, actor=request.user.get_username())
            row = result.to_dict()
        except UnreadableFile as exc:
            row = {"file": Path(f.name).name, "status": "failed", "reason": exc.reason, "rows_read": 0,
                   "rows_loaded": 0, "rows_quarantined": 0, "errors": [], "load_id": None}
        except Exception as exc:  # the store refused (e.g. wrong key): show it, keep the saved file
            row = {"file": Path(f.name).name, "status": "failed", "reason": str(exc), "rows_read": 0,
                   "rows_loaded": 0, "rows_quarantined": 0, "errors": [], "load_id": None}
        row["saved_as"] = saved.name
        record(request, "upload", object=row["file"], status=row["status"], load_id=row.get("load_id"),
               rows_read=row["rows_read"], rows_loaded=row["rows_loaded"],
               rows_quarantined=row["rows_quarantined"], reason=row.get("reason"))
        results.append(row)
    context["results"] = results
    return render(request, "dashboard/upload.html", context)


@requires("upload")
def upload_errors(request: HttpRequest, load_id: str) -> HttpResponse:
    store = service.open_store()
    if store is None or not re.fullmatch(r"[0-9]{6}-[a-z_]+", load_id) or not (store.loads_dir / load_id).is_dir():
        raise Http404("no such load")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{load_id}-problems.csv"
        write_error_report(store, [load_id], out)
        body = out.read_bytes()
    record(request, "download_error_report", object=load_id)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{load_id}-problems.csv"'
    return response


@requires("download_pack")
def pack(request: HttpRequest) -> HttpResponse:
    from asc_assure.measures.pack_input import build_pack_data
    from asc_assure.reports.pack import write_pack

    store = service.open_store()
    f = _filters(request, store)
    fmt_choice = request.GET.get("format", "pdf")
    context = {"page_title": "Weekly pack", "filters": f, "errors": f["errors"], "periods": PERIODS,
               "store": store}
    if "download" not in request.GET or f["errors"] or store is None or f["as_of"] is None:
        return render(request, "dashboard/pack.html", context, status=400 if f["errors"] else 200)
    if fmt_choice not in {"pdf", "html"}:
        fmt_choice = "pdf"
    public = request.GET.get("public") == "1" or not can(request.user, "view_internal_figures")
    data = build_pack_data(store.root, f["as_of"], f["period"], public=public)
    tmp = Path(tempfile.mkdtemp())
    name = f"weekly-pack-{f['as_of'].isoformat()}{'-public' if public else ''}.{fmt_choice}"
    out = write_pack(data, tmp / name)
    record(request, "download_pack", object=name, as_of=f["as_of"].isoformat(), period=f["period"],
           public=public)
    return FileResponse(out.open("rb"), as_attachment=True, filename=name,
                        content_type="application/pdf" if fmt_choice == "pdf" else "text/html; charset=utf-8")

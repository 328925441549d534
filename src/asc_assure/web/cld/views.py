"""CLD pages: check a CLD file before submission, and DHSC's waiting times beside the council's own.

The validation page is for the performance team (``validate_cld``): the uploaded file is checked in
a temporary folder and deleted; only the reports (identifiers masked) are kept so they can be
downloaded. The waiting-times page is for everyone who may see ASCOF (``view_ascof``); viewers see
figures with small-number suppression. Every upload, download and view is in the audit log.
"""

from __future__ import annotations

import re
import secrets
import tempfile
from pathlib import Path
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import get_valid_filename
from django.views.decorators.http import require_http_methods

from asc_assure.data.cld_validate import validate_cld
from asc_assure.measures.dhsc import waiting_times as wt
from asc_assure.reports.cld_validation import save_reports
from asc_assure.web.auditlog import record
from asc_assure.web.dashboard import service
from asc_assure.web.dashboard.views import parse_day
from asc_assure.web.permissions import can, requires
from asc_assure.web.workspace import today, workspace

ISSUES_SHOWN = 500
MAX_UPLOAD_BYTES = 500 * 1024 * 1024
TOKEN = re.compile(r"^[0-9a-f]{32}$")
FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "html": "text/html"}


def _reports_dir(token: str) -> Path:
    return workspace().files_dir / "cld_validation" / token


@requires("validate_cld")
@require_http_methods(["GET", "POST"])
def validate(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"page_title": "Check a CLD file", "errors": [], "result": None,
                               "form": {"period_start": request.POST.get("period_start", "").strip(),
                                        "period_end": request.POST.get("period_end", "").strip()}}
    if request.method == "GET":
        return render(request, "cld/validate.html", context)
    upload = request.FILES.get("file")
    if upload is None:
        context["errors"].append({"text": "Select the CLD file to check (CSV or Excel)", "href": "#file"})
    elif upload.size > MAX_UPLOAD_BYTES:
        context["errors"].append({"text": "The file is larger than 500 MB", "href": "#file"})
    period = {}
    for name, label in (("period_start", "reporting period start"), ("period_end", "reporting period end")):
        raw = context["form"][name]
        period[name] = parse_day(raw) if raw else None
        if raw and period[name] is None:
            context["errors"].append({"text": f"Enter a real date for the {label}, for example 31/3/2025",
                                      "href": f"#{name}"})
    if context["errors"]:
        return render(request, "cld/validate.html", context, status=400)
    name = get_valid_filename(Path(upload.name).name) or "cld-upload.csv"
    with tempfile.TemporaryDirectory(prefix="asc-cld-") as tmp:
        path = Path(tmp) / name
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        result = validate_cld(path, period["period_start"], period["period_end"], today=today())
    token = secrets.token_hex(16)
    save_reports(result, _reports_dir(token))
    record(request, "cld_validated", object=name, status=result.status, rows=result.rows, errors=result.errors,
           warnings=result.warnings, report=token)
    context.update(result=result.to_dict(limit=ISSUES_SHOWN), token=token, issues_shown=ISSUES_SHOWN)
    return render(request, "cld/validate.html", context, status=200 if result.readable else 400)


@requires("validate_cld")
def report_download(request: HttpRequest, token: str, fmt: str) -> FileResponse:
    if not TOKEN.match(token) or fmt not in FORMATS:
        raise Http404("no such report")
    path = _reports_dir(token) / f"report.{fmt}"
    if not path.exists():
        raise Http404("no such report")
    record(request, "cld_report_downloaded", object=token, format=fmt)
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"cld-validation.{fmt}",
                        content_type=FORMATS[fmt])


@requires("view_ascof")
def waiting_times(request: HttpRequest) -> HttpResponse:
    public = not can(request.user, "view_internal_figures")
    errors: list[dict[str, str]] = []
    values = {k: request.GET.get(k, "").strip() for k in ("from", "to")}
    bounds: dict[str, Any] = {}
    for key, value in values.items():
        try:
            bounds[key] = wt.parse_quarter(value) if value else None
        except wt.WaitingTimesError as exc:
            errors.append({"text": str(exc)[0].upper() + str(exc)[1:], "href": f"#{key}"})
            bounds[key] = None
    data: dict[str, Any] | None = None
    try:
        data = wt.reconcile(service.store_dir(), bounds["from"], bounds["to"], public=public)
    except wt.WaitingTimesError as exc:
        errors.append({"text": str(exc)[0].upper() + str(exc)[1:], "href": "#main-content"})
    record(request, "view_dhsc_waiting_times", object=request.path, public=public, **values)
    return render(request, "cld/waiting_times.html", {
        "page_title": "DHSC waiting times from the CLD", "errors": errors, "data": data, "values": values,
        "public": public, "metrics": wt.METRICS, "age_bands": wt.AGE_BANDS,
        "operational_ids": wt.OPERATIONAL_IDS}, status=400 if errors and any(values.values()) else 200)

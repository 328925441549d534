"""The monthly report page: pick a month, read the KPIs and exceptions, write commentary, download.

Figures, exceptions and the report itself come from ``asc_assure.reports.monthly``; commentary is
read and saved through ``asc_assure.assurance.commentary``. Saving commentary and downloading the
report are both written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from asc_assure.assurance import commentary as cm
from asc_assure.assurance.workspace import WorkspaceError
from asc_assure.measures.registry import load_registry
from asc_assure.reports import formatting as fmt
from asc_assure.reports import monthly as report
from asc_assure.web.auditlog import record
from asc_assure.web.permissions import can, forbidden, requires
from asc_assure.web.workspace import actor, workspace
from asc_assure.web.workspace import today as workspace_today

MONTHS_OFFERED = 24
DOWNLOAD_TYPES = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument."
                  "wordprocessingml.document", "html": "text/html; charset=utf-8"}


def _store_dir() -> Path:
    return workspace().root.parent


def _months(latest: dt.date | None) -> list[dict[str, str]]:
    """The months the picker offers: the latest month with data and the two years before it."""
    if latest is None:
        return []
    last = f"{latest:%Y-%m}"
    months = [cm.shift_month(last, -k) for k in range(MONTHS_OFFERED)]
    return [{"value": m, "text": cm.month_label(m)} for m in months]


def _chosen_month(request: HttpRequest, months: list[dict[str, str]]) -> tuple[str | None, list[dict[str, str]]]:
    raw = request.GET.get("month", "").strip()
    if not raw:
        return (months[0]["value"] if months else None), []
    try:
        return cm.parse_month(raw), []
    except WorkspaceError:
        return None, [{"text": "Choose a month from the list, for example March 2025", "href": "#month"}]


@requires("generate_report")
@require_GET
def monthly_report(request: HttpRequest) -> HttpResponse:
    """KPIs, exceptions with their commentary (and forms to write it), and the downloads."""
    latest = report.latest_data_date(_store_dir())
    months = _months(latest)
    month, errors = _chosen_month(request, months)
    context: dict[str, Any] = {"page_title": "Monthly report", "months": months, "month": month, "errors": errors,
                               "data": None, "note": None, "can_comment": can(request.user, "write_commentary")}
    if month is None:
        if not errors:
            context["note"] = "No data has been loaded yet, so there is no month to report."
        return render(request, "monthly/report.html", context, status=400 if errors else 200)
    try:
        data = report.build_report(_store_dir(), month, workspace_today())
    except WorkspaceError as exc:
        context["note"] = str(exc)
        return render(request, "monthly/report.html", context)
    previous = {k["id"]: cm.previous_commentary(workspace(), k["id"], month) for k in data["exceptions"]
                if k["commentary"] is None}
    context.update(data=data, previous=previous, summary_sentence=report.summary_sentence(data),
                   page_title=f"Monthly report: {data['month_label']}")
    return render(request, "monthly/report.html", context)


@requires("generate_report")
@require_http_methods(["GET", "POST"])
def commentary(request: HttpRequest, month: str, measure_id: str) -> HttpResponse:
    """One measure's commentary for a month: every version, and (for those allowed) a form to write more."""
    measure = load_registry().get(measure_id)
    try:
        month = cm.parse_month(month)
    except WorkspaceError:
        raise Http404("no such month") from None
    if measure is None:
        raise Http404("no such measure")
    ws = workspace()
    errors: list[dict[str, str]] = []
    text = ""
    if request.method == "POST":
        if not can(request.user, "write_commentary"):
            return forbidden(request, "write_commentary")
        text = request.POST.get("text", "")
        try:
            saved = cm.write_commentary(ws, actor(request), measure_id, month, text)
        except WorkspaceError as exc:
            errors.append({"text": _form_message(exc), "href": "#text"})
        else:
            record(request, "write_commentary", object=f"{measure_id}@{month}", measure=measure_id, month=month,
                   version=saved["version"])
            return redirect(reverse("monthly_report") + "?" + urlencode({"month": month}) + f"#m-{_slug(measure_id)}")
    history = cm.commentary_history(ws, measure_id, month)
    if not text and history:
        text = history[0]["text"]
    previous = cm.previous_commentary(ws, measure_id, month) if not history else None
    return render(request, "monthly/commentary.html", {
        "page_title": f"Commentary: {measure.title}, {cm.month_label(month)}", "measure": measure, "month": month,
        "month_label": cm.month_label(month), "history": [{**h, "written_text": fmt.format_datetime(h["written_at"])}
                                                          for h in history],
        "text": text, "errors": errors, "previous": previous, "can_comment": can(request.user, "write_commentary"),
        "max_length": cm.MAX_LENGTH}, status=400 if errors else 200)


def _form_message(exc: WorkspaceError) -> str:
    message = str(exc)
    if message.startswith("commentary text is empty"):
        return "Enter the commentary: why the figure is where it is and what is being done"
    return message[:1].upper() + message[1:]


def _slug(measure_id: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in measure_id.lower())


@requires("generate_report")
@require_GET
def download(request: HttpRequest) -> HttpResponse:
    """The report for a month as PDF, Word or HTML; every download is audited."""
    kind = request.GET.get("format", "pdf")
    try:
        month = cm.parse_month(request.GET.get("month", ""))
    except WorkspaceError:
        raise Http404("no such month") from None
    if kind not in DOWNLOAD_TYPES:
        raise Http404("no such format")
    try:
        data = report.build_report(_store_dir(), month, workspace_today())
    except WorkspaceError as exc:
        raise Http404(str(exc)) from None
    name = f"monthly-report-{month}.{kind}"
    with tempfile.TemporaryDirectory() as tmp:
        body = report.write_report(data, Path(tmp) / name).read_bytes()
    record(request, "download_monthly_report", object=name, month=month, format=kind,
           exceptions=len(data["exceptions"]), missing_commentary=len(data["missing_commentary"]))
    response = HttpResponse(body, content_type=DOWNLOAD_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

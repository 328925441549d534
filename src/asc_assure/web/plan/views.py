"""Improvement plan pages: thin views over ``asc_assure.assurance.plan``.

Who may do what: everyone with ``view_plan`` reads; an action's owner (``update_own_actions`` and the
owner's user name on the action) records progress on it; ``edit_plan`` (the assurance lead) edits
everything and imports and exports the workbook. Every change, export and import is in the audit log
as well as the workspace change log.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from asc_assure.assurance import plan
from asc_assure.assurance.plan_excel import export_plan, import_plan
from asc_assure.assurance.workspace import NotFound, WorkspaceError
from asc_assure.domain.plan_rag import STATUSES
from asc_assure.reports import formatting as fmt
from asc_assure.web.auditlog import record
from asc_assure.web.permissions import can, forbidden, requires
from asc_assure.web.workspace import actor, workspace
from asc_assure.web.workspace import today as workspace_today

VIEW_TABS = (("workstream", "By workstream"), ("statement", "By quality statement"), ("owner", "By owner"),
             ("overdue", "Overdue"), ("due-soon", "Due in the next 30 days"))
MAX_IMPORT_BYTES = 10 * 1024 * 1024


def _today() -> dt.date:
    return workspace_today()


def _field_error(exc: WorkspaceError, default: str) -> dict[str, str]:
    return {"text": str(exc), "href": f"#{getattr(exc, 'field', default)}"}


def may_update(user: Any, action: dict[str, Any]) -> bool:
    """The assurance lead edits any action; an owner updates their own."""
    if can(user, "edit_plan"):
        return True
    return can(user, "update_own_actions") and bool(action["owner"]) and action["owner"] == user.get_username()


def _date_text(value: str | None) -> str:
    return dt.date.fromisoformat(value).strftime("%d/%m/%Y") if value else ""


@requires("view_plan")
def overview(request: HttpRequest) -> HttpResponse:
    ws = workspace()
    today = _today()
    view = request.GET.get("view", "workstream")
    if view not in plan.VIEWS:
        view = "workstream"
    owner = request.GET.get("owner", "").strip()
    context: dict[str, Any] = {"page_title": "Improvement plan", "view": view, "tabs": VIEW_TABS, "owner": owner,
                               "today_text": fmt.format_date(today.isoformat()),
                               "summary": plan.plan_summary(ws, today), "statement_titles": plan.statement_titles()}
    if view in ("workstream", "statement", "owner") and not owner:
        context["groups"] = plan.grouped(ws, today, view)
    else:
        context["actions"] = plan.list_actions(ws, today, owner=owner or None,
                                               view=view if view in ("overdue", "due-soon") else None)
    return render(request, "plan/overview.html", context)


def _action_or_404(ref: str) -> dict[str, Any]:
    try:
        return plan.get_action(workspace(), ref, _today())
    except NotFound:
        raise Http404("no such action") from None


def _detail_context(request: HttpRequest, action: dict[str, Any]) -> dict[str, Any]:
    history = workspace().changes("plan_action", action["ref"])
    return {"page_title": f"Action {action['ref']}", "a": action, "history": history, "statuses": STATUSES,
            "may_update": may_update(request.user, action), "statement_titles": plan.statement_titles(),
            "errors": [], "form": {}}


@requires("view_plan")
def action_detail(request: HttpRequest, ref: str) -> HttpResponse:
    return render(request, "plan/action.html", _detail_context(request, _action_or_404(ref)))


@requires("update_own_actions")
@require_POST
def action_progress(request: HttpRequest, ref: str) -> HttpResponse:
    action = _action_or_404(ref)
    if not may_update(request.user, action):
        return forbidden(request, "update_own_actions")
    form = {k: request.POST.get(k, "") for k in ("status", "percent_complete", "evidence", "note")}
    try:
        changed = plan.update_progress(workspace(), actor(request), ref, _today(), status=form["status"],
                                       percent_complete=form["percent_complete"], evidence=form["evidence"],
                                       note=form["note"])
    except WorkspaceError as exc:
        context = _detail_context(request, action)
        context.update(errors=[_field_error(exc, "note")], form=form)
        return render(request, "plan/action.html", context, status=400)
    record(request, "plan_action_progress", object=ref, changed=changed, note=form["note"] or None)
    return redirect("plan_action", ref=ref)


def _action_form(action: dict[str, Any] | None) -> dict[str, Any]:
    if action is None:
        return {"status": "not started", "percent_complete": "0", "statements": []}
    return {"ref": action["ref"], "workstream_ref": action["workstream_ref"], "description": action["description"],
            "owner": action["owner"], "start_date": _date_text(action["start_date"]),
            "due_date": _date_text(action["due_date"]), "status": action["status"],
            "percent_complete": str(action["percent_complete"]), "evidence": action["evidence"],
            "depends_on": ", ".join(action["depends_on"]), "statements": action["statements"]}


def _edit_action(request: HttpRequest, action: dict[str, Any] | None) -> HttpResponse:
    ws = workspace()
    context: dict[str, Any] = {
        "page_title": f"Edit action {action['ref']}" if action else "Add an action", "a": action,
        "workstreams": plan.list_workstreams(ws), "statuses": STATUSES, "statement_titles": plan.statement_titles(),
        "errors": [], "form": _action_form(action)}
    if request.method == "GET":
        return render(request, "plan/action_form.html", context)
    form = {k: request.POST.get(k, "").strip() for k in ("ref", "workstream_ref", "description", "owner",
                                                           "start_date", "due_date", "status", "percent_complete",
                                                           "evidence", "depends_on")}
    form["statements"] = request.POST.getlist("statements")
    if action is not None:
        form["ref"] = action["ref"]
    elif plan.action_exists(ws, form["ref"]):
        context.update(form=form, errors=[{"text": f"action {form['ref']} already exists; choose another reference",
                                           "href": "#ref"}])
        return render(request, "plan/action_form.html", context, status=400)
    try:
        outcome = plan.save_action(ws, actor(request), **form)
    except WorkspaceError as exc:
        context.update(form=form, errors=[_field_error(exc, "ref")])
        return render(request, "plan/action_form.html", context, status=400)
    record(request, "plan_action_" + ("create" if action is None else "edit"), object=form["ref"], outcome=outcome)
    return redirect("plan_action", ref=form["ref"])


@requires("edit_plan")
@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest) -> HttpResponse:
    return _edit_action(request, None)


@requires("edit_plan")
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, ref: str) -> HttpResponse:
    return _edit_action(request, _action_or_404(ref))


def _edit_workstream(request: HttpRequest, current: dict[str, Any] | None) -> HttpResponse:
    fields = ("ref", "name", "lead", "sponsor", "description")
    context: dict[str, Any] = {"page_title": f"Edit workstream {current['ref']}" if current else "Add a workstream",
                               "w": current, "errors": [], "form": dict(current or {})}
    if request.method == "GET":
        return render(request, "plan/workstream_form.html", context)
    form = {k: request.POST.get(k, "").strip() for k in fields}
    ws = workspace()
    if current is not None:
        form["ref"] = current["ref"]
    elif form["ref"] and any(w["ref"] == form["ref"] for w in plan.list_workstreams(ws)):
        context.update(form=form, errors=[{"text": f"workstream {form['ref']} already exists", "href": "#ref"}])
        return render(request, "plan/workstream_form.html", context, status=400)
    try:
        outcome = plan.save_workstream(ws, actor(request), **form)
    except WorkspaceError as exc:
        context.update(form=form, errors=[_field_error(exc, "ref")])
        return render(request, "plan/workstream_form.html", context, status=400)
    record(request, "plan_workstream_" + ("create" if current is None else "edit"), object=form["ref"],
           outcome=outcome)
    return redirect("plan")


@requires("edit_plan")
@require_http_methods(["GET", "POST"])
def workstream_new(request: HttpRequest) -> HttpResponse:
    return _edit_workstream(request, None)


@requires("edit_plan")
@require_http_methods(["GET", "POST"])
def workstream_edit(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        current = plan.get_workstream(workspace(), ref)
    except NotFound:
        raise Http404("no such workstream") from None
    return _edit_workstream(request, current)


@requires("view_plan")
def measures(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    public = not can(request.user, "view_internal_figures")
    items = plan.list_success_measures(workspace(), Path(settings.ASC_ASSURE_STORE), public=public)
    for m in items:
        m["current_text"] = fmt.format_value(m["current"], m["unit"]) if m["current"] is not None else None
        m["target_text"] = fmt.format_value(m["target"], m["unit"] or "count") if m["target"] is not None else None
    return render(request, "plan/measures.html", {
        "page_title": "Success measures and findings", "measures": items, "findings": plan.list_findings(workspace()),
        "statement_titles": plan.statement_titles()})


@requires("edit_plan")
def export(request: HttpRequest) -> HttpResponse:
    today = _today()
    name = f"improvement-plan-{today.isoformat()}.xlsx"
    out = export_plan(workspace(), Path(tempfile.mkdtemp()) / name, today)
    record(request, "plan_export", object=name)
    return FileResponse(out.open("rb"), as_attachment=True, filename=name,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@requires("edit_plan")
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"page_title": "Import the plan from Excel", "errors": [], "report": None}
    if request.method == "GET":
        return render(request, "plan/import.html", context)
    upload = request.FILES.get("file")
    if upload is None:
        context["errors"].append({"text": "Select the plan workbook (.xlsx) to import", "href": "#file"})
    elif not upload.name.lower().endswith(".xlsx"):
        context["errors"].append({"text": "The file must be an Excel workbook (.xlsx)", "href": "#file"})
    elif upload.size > MAX_IMPORT_BYTES:
        context["errors"].append({"text": "The file must be smaller than 10 MB", "href": "#file"})
    if context["errors"]:
        return render(request, "plan/import.html", context, status=400)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(upload.name).name
        with path.open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        try:
            report = import_plan(workspace(), path, actor(request))
        except WorkspaceError as exc:
            record(request, "plan_import", object=upload.name, outcome="failed", reason=str(exc))
            context["errors"].append({"text": str(exc), "href": "#file"})
            return render(request, "plan/import.html", context, status=400)
    record(request, "plan_import", object=upload.name, changed=report.changed, refused=len(report.errors))
    context["report"] = report.to_dict()
    return render(request, "plan/import.html", context)

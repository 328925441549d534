"""Assessment preparation pages: thin views over ``asc_assure.assurance.timeline``, ``information_return``
and ``case_tracking``.

Who may do what: everyone with ``view_assurance`` sees the timeline and checklist; ``manage_assessment``
edits them; a task's or item's owner may update its status (``update_own_tasks`` and owner == user
name). Case tracking needs ``case_tracking``; every view of the case list or a case is written to the
audit log as a person-level view, and so is every export.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from asc_assure.assurance import case_tracking as ct
from asc_assure.assurance import information_return as ir
from asc_assure.assurance import timeline as tl
from asc_assure.assurance.workspace import NotFound, WorkspaceError
from asc_assure.web.auditlog import record
from asc_assure.web.permissions import can, forbidden, requires
from asc_assure.web.workspace import actor, workspace
from asc_assure.web.workspace import today as workspace_today


def _day(text: str) -> dt.date | None:
    """A date typed as 31/3/2025 or 2025-03-31; None if blank or not a date."""
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _date_field(request: HttpRequest, name: str, label: str, errors: list[dict[str, str]],
                required: bool = False) -> dt.date | None:
    raw = request.POST.get(name, "").strip()
    if not raw:
        if required:
            errors.append({"text": f"Enter the {label}", "href": f"#{name}"})
        return None
    day = _day(raw)
    if day is None:
        errors.append({"text": f"The {label} must be a real date, for example 31/3/2025", "href": f"#{name}"})
    return day


def _fmt(iso: str | None) -> str:
    return dt.date.fromisoformat(iso).strftime("%-d %b %Y") if iso else ""


def _store() -> Path:
    return Path(settings.ASC_ASSURE_STORE)


# -- timeline --------------------------------------------------------------------------------------
@requires("view_assurance")
@require_http_methods(["GET", "POST"])
def timeline_page(request: HttpRequest) -> HttpResponse:
    ws, today = workspace(), workspace_today()
    errors: list[dict[str, str]] = []
    status = 200
    if request.method == "POST":
        if not can(request.user, "manage_assessment"):
            return forbidden(request, "manage_assessment")
        what = request.POST.get("action")
        if what == "generate":
            notified = _date_field(request, "notified", "notification date", errors, required=True)
            onsite_n = _date_field(request, "onsite_notified", "date the on-site dates were notified", errors)
            onsite_s = _date_field(request, "onsite_start", "first day on site", errors)
            if not errors:
                try:
                    result = tl.generate(ws, actor=actor(request), notified=notified, onsite_notified=onsite_n,
                                         onsite_start=onsite_s)
                    record(request, "timeline_generated", object="assessment_timeline",
                           notified=notified.isoformat(), created=result["created"], moved=len(result["moved"]))
                    request.session["timeline_moved"] = [
                        f"{t['title']}: {_fmt(t['from'])} to {_fmt(t['to'])}" for t in result["moved"]]
                    return redirect("assessment_timeline")
                except WorkspaceError as exc:
                    errors.append({"text": str(exc), "href": "#notified"})
        elif what == "add_task":
            title = request.POST.get("title", "").strip()
            due = _date_field(request, "due", "due date", errors, required=True)
            if not title:
                errors.append({"text": "Enter what the task is", "href": "#title"})
            if not errors:
                try:
                    task_id = tl.add_task(ws, actor=actor(request), title=title, due_date=due,
                                          owner=request.POST.get("owner", ""),
                                          milestone=request.POST.get("milestone") or None)
                    record(request, "task_added", object=f"task {task_id}", title=title)
                    return redirect("assessment_timeline")
                except WorkspaceError as exc:
                    errors.append({"text": str(exc), "href": "#title"})
        else:
            errors.append({"text": "Choose what to do", "href": "#notified"})
        status = 400
    data = tl.show(ws, today)
    moved = request.session.pop("timeline_moved", None)
    return render(request, "assessment/timeline.html", {
        "page_title": "Assessment timeline", "errors": errors, "data": data, "moved": moved, "fmt": _fmt,
        "statuses": tl.TASK_STATUSES,
        "anchor_labels": {k: v["label"] for k, v in tl.load_defaults()["anchors"].items()},
        "can_manage": can(request.user, "manage_assessment"), "me": actor(request), "form": request.POST,
    }, status=status)


@requires("update_own_tasks")
@require_POST
def task_update(request: HttpRequest, task_id: int) -> HttpResponse:
    ws = workspace()
    try:
        task = tl.get_task(ws, task_id)
    except NotFound:
        raise Http404("no such task") from None
    manager = can(request.user, "manage_assessment")
    if not manager and task["owner"] != actor(request):
        return forbidden(request, "manage_assessment")
    fields: dict[str, Any] = {"status": request.POST.get("status") or None}
    errors: list[dict[str, str]] = []
    if manager:
        if "owner" in request.POST:
            fields["owner"] = request.POST.get("owner", "")
        if request.POST.get("due", "").strip():
            fields["due_date"] = _date_field(request, "due", "due date", errors)
    try:
        if errors:
            raise WorkspaceError(errors[0]["text"])
        tl.update_task(ws, task_id, actor=actor(request), today=workspace_today(), **fields)
    except WorkspaceError as exc:
        data = tl.show(ws, workspace_today())
        return render(request, "assessment/timeline.html", {
            "page_title": "Assessment timeline", "errors": [{"text": str(exc), "href": f"#task-{task_id}"}],
            "data": data, "fmt": _fmt, "statuses": tl.TASK_STATUSES, "anchor_labels": {},
            "can_manage": manager, "me": actor(request), "form": {}}, status=400)
    record(request, "task_updated", object=f"task {task_id}", **{k: str(v) for k, v in fields.items() if v})
    return redirect(reverse("assessment_timeline") + f"#task-{task_id}")


# -- information return ----------------------------------------------------------------------------
@requires("view_assurance")
def return_page(request: HttpRequest) -> HttpResponse:
    ws, today = workspace(), workspace_today()
    status = request.GET.get("status", "").strip() or None
    owner = request.GET.get("owner", "").strip() or None
    errors = []
    if status and status not in ir.STATUSES:
        errors.append({"text": "Choose a status from the list", "href": "#status"})
        status = None
    items = ir.list_items(ws, today, status=status, owner=owner)
    sections: dict[str, list[dict[str, Any]]] = {}
    for i in items:
        sections.setdefault(i["section"], []).append(i)
    return render(request, "assessment/information_return.html", {
        "page_title": "Information return", "errors": errors, "sections": sections, "summary": ir.summary(ws, today),
        "statuses": ir.STATUSES, "owners": ir.owners(ws), "status": status or "", "owner": owner or "", "fmt": _fmt,
    })


@requires("view_assurance")
@require_http_methods(["GET", "POST"])
def return_item(request: HttpRequest, item_id: str) -> HttpResponse:
    ws, today = workspace(), workspace_today()
    try:
        item = ir.get_item(ws, item_id, today)
    except NotFound:
        raise Http404("no such item") from None
    manager = can(request.user, "manage_assessment")
    owner_may = can(request.user, "update_own_tasks") and item["owner"] == actor(request)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        if not (manager or owner_may):
            return forbidden(request, "manage_assessment")
        evidence = [e for e in request.POST.get("evidence", "").replace(",", " ").split() if e]
        unlink = request.POST.getlist("unlink")
        try:
            ir.update_item(ws, item_id, actor=actor(request), status=request.POST.get("status") or None,
                           na_reason=request.POST.get("na_reason"), notes=request.POST.get("notes"),
                           owner=request.POST.get("owner") if manager else None,
                           add_evidence=evidence, remove_evidence=unlink)
            record(request, "information_return_updated", object=item_id, status=request.POST.get("status"),
                   evidence=evidence or None)
            return redirect("information_return_item", item_id=item_id)
        except WorkspaceError as exc:
            errors.append({"text": str(exc), "href": "#evidence" if "evidence" in str(exc) else "#status"})
    evidence_rows = []
    for eid in item["evidence"]:
        try:
            from asc_assure.assurance.evidence import get_item as get_evidence

            e = get_evidence(ws, eid)
            evidence_rows.append({"id": eid, "title": e.get("title", "")})
        except Exception:  # evidence library not installed, or the item was removed since
            evidence_rows.append({"id": eid, "title": "(not found in the evidence library)"})
    return render(request, "assessment/return_item.html", {
        "page_title": item["title"], "errors": errors, "item": item, "statuses": ir.STATUSES, "fmt": _fmt,
        "can_edit": manager or owner_may, "manager": manager, "evidence_rows": evidence_rows, "form": request.POST,
    }, status=400 if errors else 200)


# -- cases -----------------------------------------------------------------------------------------
def _cases_context(request: HttpRequest, errors: list[dict[str, str]]) -> dict[str, Any]:
    ws = workspace()
    return {"page_title": "Case tracking", "errors": errors, "cases": ct.list_cases(ws), "mix": ct.mix_summary(ws),
            "shortlist_size": ct.load_mix().get("shortlist", 10), "form": request.POST}


@requires("case_tracking")
@require_http_methods(["GET", "POST"])
def cases_page(request: HttpRequest) -> HttpResponse:
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        as_of = _date_field(request, "as_of", "date of the data", errors, required=True)
        raw_seed = request.POST.get("seed", "").strip()
        if not raw_seed.isdigit():
            errors.append({"text": "The seed must be a whole number, for example 2025", "href": "#seed"})
        if not errors:
            try:
                result = ct.propose(workspace(), _store(), actor=actor(request), seed=int(raw_seed), as_of=as_of,
                                    replace=request.POST.get("replace") == "1")
                record(request, "cases_proposed", object="case_tracking", seed=int(raw_seed),
                       as_of=as_of.isoformat(), cases=len(result["cases"]))
                return redirect("cases")
            except WorkspaceError as exc:
                errors.append({"text": str(exc), "href": "#as_of"})
    context = _cases_context(request, errors)
    record(request, "person_level_view", object="case_tracking", cases=len(context["cases"]))
    return render(request, "assessment/cases.html", context, status=400 if errors else 200)


@requires("case_tracking")
@require_POST
def cases_shortlist(request: HttpRequest) -> HttpResponse:
    picked = request.POST.getlist("shortlist")
    try:
        chosen = ct.set_shortlist(workspace(), picked, actor=actor(request))
    except WorkspaceError as exc:
        context = _cases_context(request, [{"text": str(exc), "href": "#shortlist"}])
        record(request, "person_level_view", object="case_tracking", cases=len(context["cases"]))
        return render(request, "assessment/cases.html", context, status=400)
    record(request, "cases_shortlisted", object="case_tracking", cases=[c["label"] for c in chosen])
    return redirect("cases")


@requires("case_tracking")
@require_http_methods(["GET", "POST"])
def case_page(request: HttpRequest, number: int) -> HttpResponse:
    ws = workspace()
    try:
        case = ct.get_case(ws, number)
    except (NotFound, WorkspaceError):
        raise Http404("no such case") from None
    errors: list[dict[str, str]] = []
    suggestion = None
    if request.method == "POST":
        what = request.POST.get("action")
        try:
            if what == "consent":
                day = _date_field(request, "consent_date", "consent date", errors)
                if errors:
                    raise WorkspaceError(errors.pop()["text"])
                ct.record_consent(ws, number, actor=actor(request), status=request.POST.get("consent", ""),
                                  on=day, today=workspace_today())
                record(request, "case_consent", object=case["label"], status=request.POST.get("consent"))
            elif what == "pen_picture":
                ct.set_pen_picture(ws, number, request.POST.get("pen_picture", ""), actor=actor(request),
                                   key=ct.store_key(_store()))
                record(request, "case_pen_picture", object=case["label"])
            elif what == "swap":
                result = ct.swap_case(ws, _store(), number, actor=actor(request),
                                      replacement=request.POST.get("person", "").strip() or None,
                                      reason=request.POST.get("reason", ""))
                record(request, "case_swapped", object=case["label"], named=bool(request.POST.get("person")),
                       warnings=result["warnings"] or None)
                request.session["swap_warnings"] = result["warnings"]
            else:
                raise WorkspaceError("choose what to do")
            return redirect("case", number=number)
        except WorkspaceError as exc:
            href = {"consent": "#consent", "pen_picture": "#pen_picture", "swap": "#reason"}.get(what or "", "#consent")
            errors.append({"text": str(exc), "href": href})
    elif request.GET.get("suggest") == "1":
        suggestion = ct.suggest_replacement(ws, _store(), number)
    record(request, "person_level_view", object=case["label"])
    public = {k: v for k, v in case.items() if k not in {"person_key", "id", "proposal_id"}}
    return render(request, "assessment/case.html", {
        "page_title": case["label"], "errors": errors, "case": public, "consent_options": ct.CONSENT,
        "suggestion": suggestion, "warnings": request.session.pop("swap_warnings", None), "form": request.POST,
    }, status=400 if errors else 200)


@requires("case_tracking")
def cases_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"csv", "docx"}:
        raise Http404("no such format")
    shortlisted = request.GET.get("shortlisted") == "1"
    name = f"cqc-case-tracking{'-shortlist' if shortlisted else ''}.{fmt}"
    out = Path(tempfile.mkdtemp()) / name
    try:
        ct.export(workspace(), out, actor=actor(request), shortlisted_only=shortlisted)
    except WorkspaceError as exc:
        context = _cases_context(request, [{"text": str(exc), "href": "#export"}])
        return render(request, "assessment/cases.html", context, status=400)
    record(request, "cases_exported", object=name, shortlisted=shortlisted)
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return FileResponse(out.open("rb"), as_attachment=True, filename=name, content_type=content_type)

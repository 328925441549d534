"""Operational pages: the DoLS queue, screening and report; safeguarding work queues and extensions.

These pages show person-level work items (pseudonymised references only), so every view is written
to the audit log. Team managers see only their own teams' items: safeguarding items by the team that
holds them, DoLS applications if they manage a DoLS team (``team_type`` dols in the teams extract).
Figures and rules come from ``asc_assure.operations``; views never run SQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from asc_assure.assurance.workspace import NotFound, WorkspaceError
from asc_assure.operations import dols as dols_core
from asc_assure.operations import safeguarding_queues as sg
from asc_assure.web.auditlog import record
from asc_assure.web.dashboard import service
from asc_assure.web.dashboard.views import own_teams_only, parse_day
from asc_assure.web.permissions import can, forbidden, requires
from asc_assure.web.workspace import actor, workspace

DOLS_PAGE_SIZE = 200
SCHEDULE_PATH = "/operations/schedule/"


def _as_of(request: HttpRequest) -> tuple[dt.date, list[dict[str, str]]]:
    """The date the queues are worked out for: ?as_of=, else the newest extract's date, else today."""
    default = service.latest_as_of(service.open_store()) or dt.date.today()
    raw = (request.GET.get("as_of") or request.POST.get("as_of") or "").strip()
    if not raw:
        return default, []
    day = parse_day(raw)
    if day is None:
        return default, [{"text": f"Enter a real date for 'as at', for example 31/3/2025 (not {raw!r})",
                          "href": "#as_of"}]
    return day, []


def _dols_allowed(request: HttpRequest, as_of: dt.date) -> bool:
    """Team managers see DoLS applications only if they manage a DoLS team; other roles see them all."""
    mine = own_teams_only(request.user)
    if mine is None:
        return True
    try:
        return bool(mine & set(dols_core.dols_teams(service.store_dir(), as_of)))
    except WorkspaceError:
        return False


@requires("view_operations")
def index(request: HttpRequest) -> HttpResponse:
    as_of, errors = _as_of(request)
    mine = own_teams_only(request.user)
    summary: dict[str, Any] = {}
    try:
        q = sg.queues(workspace(), service.store_dir(), as_of, teams=mine)
        summary["safeguarding"] = {k: sum(t["counts"][k] for t in q["teams"]) for k in sg.QUEUES}
        if _dols_allowed(request, as_of):
            r = dols_core.report(workspace(), service.store_dir(), as_of)
            summary["dols"] = {k: r[k] for k in ("total", "breached", "due_soon", "awaiting_allocation")}
    except WorkspaceError as exc:
        errors.append({"text": str(exc), "href": "#main-content"})
    record(request, "view_operations", object=request.path, as_of=as_of.isoformat())
    return render(request, "operations/index.html", {
        "page_title": "Operations", "as_of": as_of, "summary": summary, "errors": errors,
        "schedule_href": SCHEDULE_PATH, "queue_titles": sg.QUEUE_TITLES})


@requires("view_operations")
def dols_queue(request: HttpRequest) -> HttpResponse:
    as_of, errors = _as_of(request)
    context: dict[str, Any] = {"page_title": "DoLS applications", "as_of": as_of, "errors": errors,
                               "allowed": _dols_allowed(request, as_of), "items": [], "report": None,
                               "can_screen": can(request.user, "screen_dols"),
                               "priorities": list(dols_core.QUEUE_RANK), "screened": request.GET.get("screened")}
    priority = request.GET.get("priority", "").strip()
    if priority and priority not in dols_core.QUEUE_RANK:
        errors.append({"text": "Choose a priority from the list", "href": "#priority"})
        priority = ""
    context["priority"] = priority
    if context["allowed"]:
        try:
            items = dols_core.queue(workspace(), service.store_dir(), as_of)
            context["report"] = dols_core.report(workspace(), service.store_dir(), as_of)
        except WorkspaceError as exc:
            errors.append({"text": str(exc), "href": "#main-content"})
            items = []
        if priority:
            items = [i for i in items if i["priority"] == priority]
        context["total_shown"] = len(items)
        context["items"] = items[:DOLS_PAGE_SIZE]
    record(request, "view_dols_queue", object=request.path, as_of=as_of.isoformat(), priority=priority or None,
           shown=len(context["items"]))
    return render(request, "operations/dols.html", context)


def _answers_from(request: HttpRequest, tool: dols_core.Tool) -> dict[str, str]:
    return {c.id: request.POST.get(f"answer-{c.id}", "").strip() for c in tool.criteria}


@requires("screen_dols")
@require_http_methods(["GET", "POST"])
def dols_screen(request: HttpRequest, application_id: str) -> HttpResponse:
    as_of, errors = _as_of(request)
    if not _dols_allowed(request, as_of):
        return forbidden(request, "screen_dols")
    ws, tool = workspace(), dols_core.load_tool()
    try:
        items = [i for i in dols_core.queue(ws, service.store_dir(), as_of) if i["application_id"] == application_id]
    except WorkspaceError:
        items = []
    if not items:
        record(request, "view_dols_application", object=application_id, found=False)
        return render(request, "errors/404.html", {"page_title": "Page not found"}, status=404)
    answers: dict[str, str] = {}
    priority, reason = "", ""
    if request.method == "POST" and not errors:
        answers = _answers_from(request, tool)
        priority = request.POST.get("priority", "").strip()
        reason = request.POST.get("reason", "").strip()
        missing = [c for c in tool.criteria if not answers[c.id]]
        for c in missing:
            errors.append({"text": f"Answer the question: {c.text}", "href": f"#answer-{c.id}"})
        if not missing:
            try:
                s = dols_core.record_screening(ws, service.store_dir(), application_id, answers, actor(request),
                                               priority=priority or None, reason=reason, as_of=as_of)
            except WorkspaceError as exc:
                errors.append({"text": str(exc), "href": "#priority" if "reason" in str(exc) else "#main-content"})
            else:
                record(request, "dols_screening", object=application_id, score=s["score"],
                       tool_priority=s["tool_priority"], priority=s["priority"],
                       override_reason=s["override_reason"])
                return redirect(f"{reverse('operations_dols')}?"
                                + urlencode({"as_of": as_of.isoformat(), "screened": application_id}))
    record(request, "view_dols_application", object=application_id, as_of=as_of.isoformat())
    current = dols_core.screening(ws, application_id)
    if not answers and current:
        answers = current["answers"]
    return render(request, "operations/dols_screen.html", {
        "page_title": f"Screen DoLS application {application_id}", "item": items[0], "tool": tool,
        "answers": answers, "priority": priority, "reason": reason, "current": current,
        "history": dols_core.screening_history(ws, application_id), "as_of": as_of, "errors": errors})


@requires("view_operations")
def safeguarding(request: HttpRequest) -> HttpResponse:
    as_of, errors = _as_of(request)
    mine = own_teams_only(request.user)
    team = request.GET.get("team", "").strip()
    if team and mine is not None and team not in mine:
        return forbidden(request, "view_team_detail")
    data: dict[str, Any] = {"teams": []}
    try:
        data = sg.queues(workspace(), service.store_dir(), as_of, team=team or None, teams=mine)
        all_teams = (sorted(mine) if mine is not None else
                     [t["team"] for t in sg.queues(workspace(), service.store_dir(), as_of)["teams"]])
    except WorkspaceError as exc:
        errors.append({"text": str(exc), "href": "#main-content"})
        all_teams = []
    record(request, "view_safeguarding_queues", object=request.path, as_of=as_of.isoformat(), team=team or None,
           teams=[t["team"] for t in data["teams"]])
    return render(request, "operations/safeguarding.html", {
        "page_title": "Safeguarding work queues", "as_of": as_of, "team": team, "all_teams": all_teams,
        "data": data, "errors": errors, "queue_titles": sg.QUEUE_TITLES, "step_titles": sg.STEP_TITLES,
        "queue_keys": sg.QUEUES, "can_extend": can(request.user, "sign_off_extensions"),
        "extended": request.GET.get("extended")})


@requires("sign_off_extensions")
@require_http_methods(["GET", "POST"])
def safeguarding_extend(request: HttpRequest, item_id: str) -> HttpResponse:
    as_of, errors = _as_of(request)
    ws = workspace()
    try:
        item = sg.find_item(ws, service.store_dir(), item_id, as_of)
    except NotFound:
        record(request, "view_safeguarding_item", object=item_id, found=False)
        return render(request, "errors/404.html", {"page_title": "Page not found"}, status=404)
    mine = own_teams_only(request.user)
    if mine is not None and item["team"] not in mine:
        return forbidden(request, "sign_off_extensions")
    new_due_text, reason = "", ""
    if request.method == "POST" and not errors:
        new_due_text = request.POST.get("new_due", "").strip()
        reason = request.POST.get("reason", "").strip()
        new_due = parse_day(new_due_text) if new_due_text else None
        if new_due is None:
            errors.append({"text": "Enter the new due date as a real date, for example 30/4/2025", "href": "#new_due"})
        else:
            try:
                done = sg.extend(ws, service.store_dir(), item_id, new_due, reason, actor(request), as_of)
            except WorkspaceError as exc:
                errors.append({"text": str(exc), "href": "#reason" if "reason" in str(exc) else "#new_due"})
            else:
                record(request, "safeguarding_extension", object=item_id, kind=done["kind"], step=done["step"],
                       team=done["team"], due_before=done["extension"]["due_before"], new_due=new_due.isoformat(),
                       reason=reason)
                return redirect(f"{reverse('operations_safeguarding')}?" + urlencode(
                    {"as_of": as_of.isoformat(), "team": done["team"], "extended": item_id}))
    record(request, "view_safeguarding_item", object=item_id, as_of=as_of.isoformat(), team=item["team"])
    return render(request, "operations/safeguarding_extend.html", {
        "page_title": f"Extend the due date for {item_id}", "item": item, "as_of": as_of, "errors": errors,
        "new_due": new_due_text, "reason": reason, "step_titles": sg.STEP_TITLES,
        "history": sg.extension_history(ws, item_id)})

"""Referral prioritisation pages for team managers: the waiting list by priority with verification status,
overdue waiting-well check-ins, and one referral's page with forms to prioritise, verify, re-prioritise and
record a check-in.

Every page lists or shows people's referrals (pseudonymised references only), so every view is written to
the audit log, and every change too. Team managers see their own teams only. Rules and figures come from
``asc_assure.operations.prioritisation``; views never run SQL. "Today" is ``asc_assure.web.workspace.today``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from asc_assure.assurance.workspace import NotFound, WorkspaceError
from asc_assure.operations import prioritisation as core
from asc_assure.web.auditlog import record
from asc_assure.web.dashboard import service
from asc_assure.web.dashboard.views import own_teams_only, parse_day
from asc_assure.web.permissions import can, forbidden, requires
from asc_assure.web.workspace import actor, today, workspace

PAGE_SIZE = 200
CHOICE_LABELS = {"high": "High", "medium": "Medium", "low": "Low", core.NOT_PRIORITISED: "Not prioritised"}


def _team_filter(request: HttpRequest, mine: frozenset[str] | None, errors: list[dict[str, str]]) -> str:
    team = request.GET.get("team", "").strip()
    if team and mine is not None and team not in mine:
        errors.append({"text": f"You can see your own teams only; {team!r} is not one of them", "href": "#team"})
        return ""
    return team


def _visible_teams(mine: frozenset[str] | None) -> list[str]:
    if mine is not None:
        return sorted(mine)
    try:
        return core.referral_teams(service.store_dir(), today())
    except WorkspaceError:
        return []


@requires("view_operations")
def waiting_list(request: HttpRequest) -> HttpResponse:
    day, mine, errors = today(), own_teams_only(request.user), []
    team = _team_filter(request, mine, errors)
    priority = request.GET.get("priority", "").strip()
    if priority and priority not in CHOICE_LABELS:
        errors.append({"text": "Choose a priority from the list", "href": "#priority"})
        priority = ""
    status = request.GET.get("status", "").strip()
    if status and status not in core.STATUSES:
        errors.append({"text": "Choose a verification status from the list", "href": "#status"})
        status = ""
    items: list[dict[str, Any]] = []
    try:
        items = core.queue(workspace(), service.store_dir(), day, team=team or None, teams=mine)
    except WorkspaceError as exc:
        errors.append({"text": str(exc), "href": "#team"})
    summary = core.queue_summary(items)
    shown = [i for i in items
             if (not priority or i["priority_key"] == priority) and (not status or i["status"] == status)]
    record(request, "view_prioritisation_queue", object=request.path, today=day.isoformat(), team=team or None,
           priority=priority or None, status=status or None, shown=min(len(shown), PAGE_SIZE))
    return render(request, "prioritisation/waiting_list.html", {
        "page_title": "Waiting list by priority", "today": day, "errors": errors, "summary": summary,
        "items": shown[:PAGE_SIZE], "total_shown": len(shown), "team": team, "priority": priority, "status": status,
        "all_teams": _visible_teams(mine), "choices": CHOICE_LABELS, "statuses": core.STATUSES,
        "done": request.GET.get("done"), "tool": core.load_tool()})


@requires("view_operations")
def waiting_well(request: HttpRequest) -> HttpResponse:
    day, mine, errors = today(), own_teams_only(request.user), []
    team = _team_filter(request, mine, errors)
    data: dict[str, Any] = {"teams": [], "overdue_total": 0, "check_in_weeks": core.load_tool().check_in_weeks}
    try:
        data = core.waiting_well(workspace(), service.store_dir(), day, team=team or None, teams=mine)
    except WorkspaceError as exc:
        errors.append({"text": str(exc), "href": "#team"})
    record(request, "view_waiting_well", object=request.path, today=day.isoformat(), team=team or None,
           overdue=data["overdue_total"])
    return render(request, "prioritisation/waiting_well.html", {
        "page_title": "Waiting well: overdue check-ins", "today": day, "errors": errors, "data": data,
        "team": team, "all_teams": _visible_teams(mine), "outcomes": core.OUTCOMES})


def _referral(request: HttpRequest, referral_id: str, action: str
              ) -> tuple[dict[str, Any] | None, HttpResponse | None]:
    """The referral's page data, or the response to send instead: 404 if it is not waiting, 403 if it
    belongs to a team the manager does not manage."""
    try:
        found = core.detail(workspace(), service.store_dir(), referral_id, today())
    except (NotFound, WorkspaceError) as exc:
        record(request, "view_referral_priority", object=referral_id, found=False, reason=str(exc))
        return None, render(request, "errors/404.html", {"page_title": "Page not found"}, status=404)
    mine = own_teams_only(request.user)
    if mine is not None and found["team"] not in mine:
        return None, forbidden(request, action)
    return found, None


def _permissions(request: HttpRequest) -> dict[str, bool]:
    return {"can_prioritise": can(request.user, "prioritise_referrals"),
            "can_verify": can(request.user, "verify_priority")}


@requires("view_operations")
def referral(request: HttpRequest, referral_id: str) -> HttpResponse:
    found, refused = _referral(request, referral_id, "view_operations")
    if refused:
        return refused
    record(request, "view_referral_priority", object=referral_id, team=found["team"], today=today().isoformat())
    return render(request, "prioritisation/referral.html", {
        "page_title": f"Referral {referral_id}", "r": found, "tool": core.load_tool(), "outcomes": core.OUTCOMES,
        "sources": core.SOURCES, "done": request.GET.get("done"), **_permissions(request)})


def _form_page(request: HttpRequest, referral_id: str, action: str, template: str, title: str,
               save: Callable[[dict[str, Any], dict[str, str]], dict[str, Any]], event: str) -> HttpResponse:
    """GET shows the form; POST calls ``save(referral, fields)`` (which raises WorkspaceError on bad input),
    audits the change and goes back to the referral's page."""
    found, refused = _referral(request, referral_id, action)
    if refused:
        return refused
    errors: list[dict[str, str]] = []
    fields = {k: v.strip() for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    if request.method == "POST":
        try:
            done = save(found, fields)
        except WorkspaceError as exc:
            errors.append({"text": str(exc), "href": _error_href(str(exc))})
        else:
            latest = (done["decisions"] or [{}])[0]
            record(request, event, object=referral_id, team=found["team"], priority_before=found["priority"],
                   priority=done["priority"], source=done["priority_source"],
                   reason=latest.get("reason"), what_changed=latest.get("what_changed"),
                   outcome=fields.get("outcome"))
            return redirect(reverse("prioritisation_referral", args=[referral_id]) + "?" + urlencode({"done": event}))
    record(request, "view_referral_priority", object=referral_id, team=found["team"], form=event)
    return render(request, template, {
        "page_title": title, "r": found, "tool": core.load_tool(), "errors": errors,
        "fields": fields, "outcomes": core.OUTCOMES, "today": today(), **_permissions(request)})


def _error_href(message: str) -> str:
    """Point the error summary at the field the message names."""
    for needle, href in (("not answered", "#answers"), ("answer to question", "#answers"), ("unknown question",
                         "#answers"), ("what changed", "#what_changed"), ("reason", "#reason"), ("outcome", "#outcome"),
                         ("contact date", "#contact_date"), ("priority", "#priority")):
        if needle in message:
            return href
    return "#main-content"


def _answers(fields: dict[str, str]) -> dict[str, str]:
    return {k.removeprefix("answer-"): v for k, v in fields.items() if k.startswith("answer-") and v}


@requires("prioritise_referrals")
@require_http_methods(["GET", "POST"])
def prioritise(request: HttpRequest, referral_id: str) -> HttpResponse:
    def save(r: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
        return core.prioritise(workspace(), service.store_dir(), r["referral_id"], _answers(fields), actor(request),
                               today(), notes=fields.get("notes"))

    return _form_page(request, referral_id, "prioritise_referrals", "prioritisation/prioritise.html",
                      f"Prioritise referral {referral_id}", save, "referral_prioritised")


@requires("verify_priority")
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, referral_id: str) -> HttpResponse:
    def save(r: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
        return core.verify(workspace(), service.store_dir(), r["referral_id"], actor(request), today(),
                           priority=fields.get("priority"), reason=fields.get("reason"))

    return _form_page(request, referral_id, "verify_priority", "prioritisation/verify.html",
                      f"Verify the priority of {referral_id}", save, "referral_priority_verified")


@requires("prioritise_referrals")
@require_http_methods(["GET", "POST"])
def reprioritise(request: HttpRequest, referral_id: str) -> HttpResponse:
    def save(r: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
        return core.reprioritise(workspace(), service.store_dir(), r["referral_id"], actor(request), today(),
                                 fields.get("what_changed", ""), priority=fields.get("priority"),
                                 answers=_answers(fields) or None, reason=fields.get("reason"))

    return _form_page(request, referral_id, "prioritise_referrals", "prioritisation/reprioritise.html",
                      f"Re-prioritise referral {referral_id}", save, "referral_reprioritised")


@requires("prioritise_referrals")
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, referral_id: str) -> HttpResponse:
    def save(r: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
        raw = fields.get("contact_date", "")
        when = parse_day(raw) if raw else None
        if raw and when is None:
            raise WorkspaceError(f"contact date {raw!r} is not a date: enter it like 31/3/2025")
        return core.check_in(workspace(), service.store_dir(), r["referral_id"], fields.get("outcome", ""),
                             actor(request), today(), contact_date=when, notes=fields.get("notes"),
                             priority=fields.get("priority"))

    return _form_page(request, referral_id, "prioritise_referrals", "prioritisation/check_in.html",
                      f"Record a check-in for {referral_id}", save, "waiting_well_check_in")

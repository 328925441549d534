"""Dynamic Support Register pages under /operations/dsr/.

The register is person-level health information, so the list, the entry pages and the forms are for team
managers only (``view_dsr`` / ``edit_dsr``), each sees only the entries of their own teams, and every view
of the list or of an entry is written to the audit log (``dsr_view``). Other staff see the counts page
(``view_dsr_counts``): counts by RAG over time, suppressed, with no person-level data. Rules and figures
come from :mod:`asc_assure.operations.dsr`; views never run SQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from asc_assure.assurance.workspace import NotFound, WorkspaceError
from asc_assure.operations import dsr
from asc_assure.web.auditlog import record
from asc_assure.web.dashboard import service
from asc_assure.web.dashboard.views import own_teams_only, parse_day
from asc_assure.web.permissions import can, forbidden, requires
from asc_assure.web.workspace import actor, today, workspace

COUNT_MONTHS = 12


def _date(request: HttpRequest, name: str, label: str, errors: list[dict[str, str]]) -> dt.date | None:
    raw = request.POST.get(name, "").strip()
    day = parse_day(raw) if raw else None
    if day is None:
        errors.append({"text": f"Enter {label} as a real date, for example 31/3/2025"
                               + (f" (not {raw!r})" if raw else ""), "href": f"#{name}"})
    return day


def _allowed_teams(request: HttpRequest) -> list[str]:
    """Teams the user may add entries for: their own, or (for anyone not limited to teams) the store's."""
    mine = own_teams_only(request.user)
    if mine is not None:
        return sorted(mine)
    try:
        return dsr.store_teams(service.store_dir()) or dsr.teams_in_use(workspace())
    except WorkspaceError:
        return dsr.teams_in_use(workspace())


def _rag_options(settings: dsr.Settings) -> list[tuple[str, str, str]]:
    """(value, label, hint) for RAG radios: what each rating means and how often it is reviewed."""
    out = []
    for key in dsr.RAGS:
        spec = settings.rag[key]
        months = int(spec["review_months"])
        every = f"Reviewed every {months} month{'s' if months != 1 else ''}."
        out.append((key, spec["label"], f"{spec['meaning']} {every}"))
    return out


def _options(settings: dsr.Settings) -> dict[str, Any]:
    return {"rag_options": _rag_options(settings),
            "age_options": [(k, v["label"], f"Reviews are {v['review_type']}s")
                            for k, v in settings.age_groups.items()],
            "setting_options": [(k, v, "") for k, v in settings.ctr_settings.items()],
            "outcome_options": [(k, v, "") for k, v in settings.ctr_outcomes.items()],
            "close_options": [(k, v, "") for k, v in settings.close_reasons.items()]}


def _entry_or_refusal(request: HttpRequest, entry_ref: str, action: str) -> dict[str, Any] | HttpResponse:
    """The entry if this user may see it; otherwise a 404 (unknown) or 403 (another team's) response."""
    try:
        e = dsr.entry(workspace(), entry_ref, today())
    except (NotFound, WorkspaceError):
        record(request, "dsr_view", object=entry_ref, found=False)
        return render(request, "errors/404.html", {"page_title": "Page not found"}, status=404)
    mine = own_teams_only(request.user)
    if mine is not None and e["team"] not in mine:
        return forbidden(request, action)
    return e


def _field_for(message: str, fields: dict[str, tuple[str, ...]], default: str) -> str:
    """Which form field a core error message is about (for the error summary link)."""
    low = message.lower()
    for name, words in fields.items():
        if any(w in low for w in words):
            return f"#{name}"
    return f"#{default}"


# -- the register ---------------------------------------------------------------------------------------------
@requires("view_dsr")
def register_list(request: HttpRequest) -> HttpResponse:
    settings = dsr.load_settings()
    mine = own_teams_only(request.user)
    errors: list[dict[str, str]] = []
    team = request.GET.get("team", "").strip()
    rag = request.GET.get("rag", "").strip().lower()
    status = request.GET.get("status", "open").strip() or "open"
    overdue = request.GET.get("overdue") == "yes"
    if team and mine is not None and team not in mine:
        return forbidden(request, "view_dsr")
    if rag and rag not in dsr.RAGS:
        errors.append({"text": "Choose a RAG rating from the list", "href": "#rag"})
        rag = ""
    if status not in ("open", "closed", "all"):
        errors.append({"text": "Choose open, closed or all", "href": "#status"})
        status = "open"
    day = today()
    items = dsr.entries(workspace(), day, teams=mine, status=status, rag=rag or None, team=team or None,
                        overdue_only=overdue)
    record(request, "dsr_view", object="list", team=team or None, rag=rag or None, status=status,
           overdue=overdue or None, teams=sorted(mine) if mine is not None else None, shown=len(items),
           entries=[e["ref"] for e in items])
    teams = sorted(mine) if mine is not None else dsr.teams_in_use(workspace())
    return render(request, "dsr/list.html", {
        "page_title": "Dynamic Support Register", "items": items, "errors": errors, "today": day,
        "team": team, "rag": rag, "status": status, "overdue": overdue, "teams": teams, "settings": settings,
        "can_edit": can(request.user, "edit_dsr"), "done": request.GET.get("done"),
        "overdue_count": sum(1 for e in items if e["review_overdue"])})


@requires("view_dsr")
def entry_page(request: HttpRequest, entry_ref: str) -> HttpResponse:
    found = _entry_or_refusal(request, entry_ref, "view_dsr")
    if isinstance(found, HttpResponse):
        return found
    e = found
    record(request, "dsr_view", object=e["ref"], team=e["team"])
    return render(request, "dsr/entry.html", {
        "page_title": f"Dynamic Support Register: {e['ref']}", "e": e, "settings": dsr.load_settings(),
        "changes": dsr.history(workspace(), e["ref"]), "can_edit": can(request.user, "edit_dsr"),
        "today": today(), "done": request.GET.get("done")})


# -- adding a person ----------------------------------------------------------------------------------------------
ADD_FIELDS = {"needs": ("tick at least one",), "added_on": ("date added", "died"), "person_key": ("person",),
              "age_group": ("age group",), "team": ("team",), "key_worker": ("key worker",),
              "reason": ("reason for",), "rag": ("rag",)}


@requires("edit_dsr")
@require_http_methods(["GET", "POST"])
def add(request: HttpRequest) -> HttpResponse:
    settings = dsr.load_settings()
    teams = _allowed_teams(request)
    errors: list[dict[str, str]] = []
    day = today()
    form: dict[str, Any] = {"added_on": day.strftime("%d/%m/%Y"), "age_group": "adult", "needs": []}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in ("person_key", "age_group", "team", "key_worker", "rag",
                                                              "reason", "added_on")}
        form["needs"] = request.POST.getlist("needs")
        if form["team"] not in teams:
            errors.append({"text": "Choose one of your teams", "href": "#team"})
        added_on = _date(request, "added_on", "the date added", errors)
        if not errors:
            try:
                e = dsr.add_entry(workspace(), service.store_dir(), form["person_key"],
                                  learning_disability="learning_disability" in form["needs"],
                                  autism="autism" in form["needs"], age_group=form["age_group"], team=form["team"],
                                  key_worker=form["key_worker"], rag=form["rag"], reason=form["reason"],
                                  added_on=added_on, actor=actor(request), today=day)
            except WorkspaceError as exc:
                errors.append({"text": str(exc), "href": _field_for(str(exc), ADD_FIELDS, "person_key")})
            else:
                record(request, "dsr_change", object=e["ref"], action="add", team=e["team"], rag=e["rag"])
                return redirect(reverse("dsr_entry", args=[e["ref"]]) + "?done=added")
    return render(request, "dsr/add.html", {"page_title": "Add a person to the Dynamic Support Register",
                                            "form": form, "teams": teams, "errors": errors, "settings": settings,
                                            **_options(settings)})


# -- changing an entry --------------------------------------------------------------------------------------------
FORMS: dict[str, dict[str, Any]] = {
    # "fields": form field -> words that tie a core error message to it (checked in this order).
    "rag": {"title": "Change the RAG rating", "button": "Save the new rating",
            "fields": {"on": ("date",), "reason": ("reason for",), "rag": ("rag", "already")}},
    "review": {"title": "Record a review", "button": "Save the review",
               "fields": {"on": ("date",), "notes": ("what the review",), "reason": ("reason for",), "rag": ("rag",)}},
    "ctr": {"title": "Record a Care (Education) and Treatment Review", "button": "Save the review",
            "fields": {"on": ("date",), "setting": ("setting",), "outcome": ("outcome",), "notes": ()}},
    "action": {"title": "Add an action", "button": "Save the action",
               "fields": {"on": ("due date",), "owner": ("owner",), "text": ("action",)}},
    "close": {"title": "Take the person off the register", "button": "Close the entry",
              "fields": {"note": ("the reason for closing needs",), "reason": ("reason for closing",),
                         "on": ("date",)}},
}


def _save(form_name: str, e: dict[str, Any], values: dict[str, str], on: dt.date, who: str,
          day: dt.date) -> dict[str, Any]:
    ws = workspace()
    if form_name == "rag":
        return dsr.change_rag(ws, e["id"], values["rag"], values["reason"], on, who, day)
    if form_name == "review":
        return dsr.record_review(ws, e["id"], on, values["notes"], who, day, rag=values["rag"] or None,
                                 reason=values["reason"])
    if form_name == "ctr":
        return dsr.record_ctr(ws, e["id"], on, values["setting"], values["outcome"], who, day, notes=values["notes"])
    if form_name == "action":
        return dsr.add_action(ws, e["id"], values["text"], values["owner"], on, who, day)
    return dsr.close_entry(ws, e["id"], values["reason"], on, who, day, note=values["note"])


@requires("edit_dsr")
@require_http_methods(["GET", "POST"])
def entry_form(request: HttpRequest, entry_ref: str, form_name: str) -> HttpResponse:
    spec = FORMS[form_name]
    found = _entry_or_refusal(request, entry_ref, "edit_dsr")
    if isinstance(found, HttpResponse):
        return found
    e, day, errors = found, today(), []
    if e["status"] != "open":
        errors.append({"text": f"{e['ref']} is closed: it can no longer be changed", "href": "#main-content"})
    names = [n for n in spec["fields"] if n != "on"]
    values = {n: "" for n in names}
    values["on"] = day.strftime("%d/%m/%Y")
    if request.method == "POST" and e["status"] == "open":
        values = {n: request.POST.get(n, "").strip() for n in [*names, "on"]}
        on = _date(request, "on", "the due date" if form_name == "action" else "the date", errors)
        if not errors:
            try:
                saved = _save(form_name, e, values, on, actor(request), day)
            except WorkspaceError as exc:
                errors.append({"text": str(exc), "href": _field_for(str(exc), spec["fields"], names[0])})
            else:
                record(request, "dsr_change", object=e["ref"], action=form_name, team=e["team"],
                       rag_before=e["rag"], rag=saved["rag"], on=on.isoformat(),
                       **({"reason": values["reason"]} if form_name in ("rag", "close") else {}))
                return redirect(reverse("dsr_entry", args=[e["ref"]]) + f"?done={form_name}")
    record(request, "dsr_view", object=e["ref"], team=e["team"], form=form_name)
    settings = dsr.load_settings()
    return render(request, "dsr/form.html", {
        **_options(settings), "rag_options_same": [("", f"No change ({e['rag_label']})", ""),
                                                   *[o for o in _rag_options(settings) if o[0] != e["rag"]]],
        "page_title": f"{spec['title']}: {e['ref']}", "spec": spec, "form_name": form_name, "e": e,
        "values": values, "errors": errors, "settings": settings,
        "action_url": reverse(f"dsr_{form_name}", args=[e["ref"]])})


@requires("edit_dsr")
@require_POST
def action_done(request: HttpRequest, entry_ref: str, action_id: int) -> HttpResponse:
    found = _entry_or_refusal(request, entry_ref, "edit_dsr")
    if isinstance(found, HttpResponse):
        return found
    e = found
    try:
        dsr.complete_action(workspace(), e["id"], action_id, today(), actor(request), today())
    except WorkspaceError as exc:
        record(request, "dsr_view", object=e["ref"], team=e["team"])
        return render(request, "dsr/entry.html", {
            "page_title": f"Dynamic Support Register: {e['ref']}", "e": e, "settings": dsr.load_settings(),
            "changes": dsr.history(workspace(), e["ref"]), "can_edit": True, "today": today(),
            "errors": [{"text": str(exc), "href": "#actions"}]}, status=400)
    record(request, "dsr_change", object=e["ref"], action="action_done", action_id=action_id, team=e["team"])
    return redirect(reverse("dsr_entry", args=[e["ref"]]) + "?done=action_done")


# -- counts for everyone on the staff -----------------------------------------------------------------------------
@requires("view_dsr_counts")
def counts(request: HttpRequest) -> HttpResponse:
    errors: list[dict[str, str]] = []
    day = today()
    raw = request.GET.get("as_of", "").strip()
    if raw:
        asked = parse_day(raw)
        if asked is None:
            errors.append({"text": f"Enter a real date for 'as at', for example 31/3/2025 (not {raw!r})",
                           "href": "#as_of"})
        elif asked > day:
            errors.append({"text": f"'As at' cannot be after today ({day:%d/%m/%Y})", "href": "#as_of"})
        else:
            day = asked
    data = dsr.published_counts(workspace(), day, COUNT_MONTHS)
    record(request, "dsr_counts_view", object=request.path, as_of=day.isoformat())
    return render(request, "dsr/counts.html", {
        "page_title": "Dynamic Support Register: counts by RAG", "data": data, "as_of": day, "errors": errors,
        "settings": dsr.load_settings(), "can_view_register": can(request.user, "view_dsr")})

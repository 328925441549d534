"""Risk register views: thin wrappers over :mod:`asc_assure.assurance.risks`.

Everyone with ``view_risks`` reads the register; only ``edit_risks`` (assurance leads) add, edit,
re-score, close or reopen a risk, and every such change is written to the web audit log as well as the
workspace change log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from asc_assure.assurance import risks
from asc_assure.assurance.workspace import NotFound, WorkspaceError
from asc_assure.domain import risk_rules as rr
from asc_assure.web.auditlog import record
from asc_assure.web.permissions import can, requires
from asc_assure.web.workspace import actor, workspace
from asc_assure.web.workspace import today as workspace_today

TEXT_FIELDS = ("title", "cause", "effect", "owner", "category", "controls")
SCORE_FIELDS = ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact")
# Words in a core error message -> the form field it is about (for the error summary's link).
FIELD_WORDS = (("inherent likelihood", "inherent_likelihood"), ("inherent impact", "inherent_impact"),
               ("residual likelihood", "residual_likelihood"), ("residual impact", "residual_impact"),
               ("residual score", "residual_likelihood"), ("linked action", "linked_actions"),
               ("date scored", "scored_on"), ("reference", "ref"), ("title", "title"), ("cause", "cause"),
               ("effect", "effect"), ("owner", "owner"), ("category", "category"), ("controls", "controls"),
               ("note", "note"), ("status", "status"))


def _error(exc: Exception, default: str) -> dict[str, str]:
    text = str(exc)
    low = text.lower()
    fld = next((f for words, f in FIELD_WORDS if low.startswith(words) or f" {words} " in f" {low} "), default)
    return {"text": text[0].upper() + text[1:], "href": f"#{fld}"}


def _choices() -> dict[str, Any]:
    return {"likelihood_options": [("", "Choose")] + [(n, f"{n} {rr.LIKELIHOOD_LABELS[n]}") for n in rr.SCALE],
            "impact_options": [("", "Choose")] + [(n, f"{n} {rr.IMPACT_LABELS[n]}") for n in rr.SCALE]}


def _get_or_404(ws, ref: str, today: dt.date | None = None) -> dict[str, Any]:
    try:
        return risks.get_risk(ws, ref, today)
    except NotFound:
        raise Http404("no such risk") from None


@requires("view_risks")
def register(request: HttpRequest) -> HttpResponse:
    ws = workspace()
    settings = risks.risk_settings(ws)
    band = request.GET.get("band", "").strip()
    owner = request.GET.get("owner", "").strip()
    esc = request.GET.get("escalated", "").strip()
    status = request.GET.get("status", "open").strip()
    errors = []
    if band and band.lower() not in {b.name.lower() for b in settings.bands}:
        errors.append({"text": f"Choose a band from the list (not {band!r})", "href": "#band"})
        band = ""
    if status not in ("open", "closed", "all"):
        status = "open"
    escalated = {"yes": True, "no": False}.get(esc)
    found = risks.list_risks(ws, workspace_today(), status=None if status == "all" else status, band=band or None,
                             owner=owner or None, escalated=escalated)
    return render(request, "risks/register.html", {
        "page_title": "Risk register", "errors": errors, "risks": found,
        "band_options": [(b.name, f"{b.name} ({b.low} to {b.high})") for b in settings.bands],
        "owner_options": [(o, o) for o in risks.owners(ws)],
        "filters": {"band": band, "owner": owner, "escalated": esc, "status": status},
        "threshold": settings.escalation_threshold, "can_edit": can(request.user, "edit_risks"),
    }, status=400 if errors else 200)


@requires("view_risks")
def heat_map(request: HttpRequest) -> HttpResponse:
    ws = workspace()
    settings = risks.risk_settings(ws)
    return render(request, "risks/heat_map.html", {
        "page_title": "Risk heat map", "impacts": [(n, rr.IMPACT_LABELS[n]) for n in rr.SCALE],
        "maps": [("residual", "Residual risk (with controls)", risks.heat_map_cells(ws, "residual")),
                 ("inherent", "Inherent risk (before controls)", risks.heat_map_cells(ws, "inherent"))],
        "bands": settings.bands, "threshold": settings.escalation_threshold,
    })


@requires("view_risks")
def risk_detail(request: HttpRequest, ref: str) -> HttpResponse:
    ws = workspace()
    risk = _get_or_404(ws, ref)
    return render(request, "risks/risk.html", {
        "page_title": f"{risk['ref']}: {risk['title']}", "risk": risk, "changes": risks.changes(ws, ref)[:50],
        "threshold": risks.risk_settings(ws).escalation_threshold, "can_edit": can(request.user, "edit_risks"),
        "likelihood_labels": rr.LIKELIHOOD_LABELS, "impact_labels": rr.IMPACT_LABELS,
    })


def _form_values(request: HttpRequest) -> dict[str, str]:
    names = (*TEXT_FIELDS, *SCORE_FIELDS, "linked_actions", "ref", "scored_on", "note", "status")
    return {n: request.POST.get(n, "").strip() for n in names}


@requires("edit_risks")
@require_http_methods(["GET", "POST"])
def new_risk(request: HttpRequest) -> HttpResponse:
    ws = workspace()
    context: dict[str, Any] = {"page_title": "Add a risk", "mode": "new", "errors": [], **_choices(),
                               "form": {"scored_on": workspace_today().isoformat()}}
    if request.method == "GET":
        return render(request, "risks/risk_form.html", context)
    form = _form_values(request)
    context["form"] = form
    try:
        risk = risks.add_risk(
            ws, actor=actor(request), today=workspace_today(), ref=form["ref"] or None,
            **{f: form[f] for f in TEXT_FIELDS}, **{f: form[f] for f in SCORE_FIELDS},
            linked_actions=form["linked_actions"], scored_on=form["scored_on"] or None, note=form["note"])
    except WorkspaceError as exc:
        context["errors"] = [_error(exc, "title")]
        return render(request, "risks/risk_form.html", context, status=400)
    record(request, "risk_create", object=risk["ref"], residual_score=risk["residual_score"],
           escalated=risk["escalated"])
    return redirect("risk", ref=risk["ref"])


@requires("edit_risks")
@require_http_methods(["GET", "POST"])
def edit_risk(request: HttpRequest, ref: str) -> HttpResponse:
    ws = workspace()
    risk = _get_or_404(ws, ref)
    context: dict[str, Any] = {"page_title": f"Edit {risk['ref']}", "mode": "edit", "risk": risk, "errors": [],
                               "form": {**{f: risk[f] for f in TEXT_FIELDS}, "status": risk["status"],
                                        "linked_actions": ", ".join(risk["linked_actions"])}}
    if request.method == "GET":
        return render(request, "risks/risk_form.html", context)
    form = _form_values(request)
    context["form"] = form
    try:
        updated = risks.update_risk(ws, risk["ref"], actor=actor(request), today=workspace_today(),
                                    **{f: form[f] for f in TEXT_FIELDS}, linked_actions=form["linked_actions"],
                                    status=form["status"] or None)
    except WorkspaceError as exc:
        context["errors"] = [_error(exc, "title")]
        return render(request, "risks/risk_form.html", context, status=400)
    record(request, "risk_update", object=risk["ref"], changed=updated["changed"])
    return redirect("risk", ref=risk["ref"])


@requires("edit_risks")
@require_http_methods(["GET", "POST"])
def rescore_risk(request: HttpRequest, ref: str) -> HttpResponse:
    ws = workspace()
    risk = _get_or_404(ws, ref)
    context: dict[str, Any] = {"page_title": f"Re-score {risk['ref']}", "risk": risk, "errors": [], **_choices(),
                               "form": {**{f: risk[f] for f in SCORE_FIELDS},
                                        "scored_on": workspace_today().isoformat()}}
    if request.method == "GET":
        return render(request, "risks/rescore.html", context)
    form = _form_values(request)
    context["form"] = form
    try:
        updated = risks.rescore(ws, risk["ref"], actor=actor(request), today=workspace_today(),
                                **{f: form[f] for f in SCORE_FIELDS}, on=form["scored_on"] or None,
                                note=form["note"])
    except WorkspaceError as exc:
        context["errors"] = [_error(exc, "residual_likelihood")]
        return render(request, "risks/rescore.html", context, status=400)
    record(request, "risk_rescore", object=risk["ref"], residual_score=updated["residual_score"],
           previous_residual_score=updated["previous_residual_score"], direction=updated["direction"],
           escalation=updated["escalation"])
    return redirect("risk", ref=risk["ref"])

"""Self-assessment and scores pages: thin views over ``asc_assure.assurance`` and the exports.

Viewing needs ``view_assurance``; editing and submitting ``edit_self_assessment``; approving or
returning ``approve_self_assessment``; recording CQC's scores ``record_cqc_scores``. Every change and
every download is written to the audit log. Views never run SQL: they call the core.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST

from asc_assure.assurance import key_statistics as ks
from asc_assure.assurance import scores as sc
from asc_assure.assurance import self_assessment as sa
from asc_assure.assurance.workspace import NotFound, WorkspaceError
from asc_assure.domain.cqc import load_framework
from asc_assure.reports import formatting as fmt
from asc_assure.web.auditlog import record
from asc_assure.web.permissions import can, requires
from asc_assure.web.workspace import actor, workspace
from asc_assure.web.workspace import today as workspace_today

STATUS_TAGS = {None: "govuk-tag--grey", sa.DRAFT: "govuk-tag--grey", sa.IN_REVIEW: "govuk-tag--blue",
               sa.APPROVED: "govuk-tag--green", sa.RETURNED: "govuk-tag--orange", sa.WITHDRAWN: "govuk-tag--grey"}
BLANK_STAT_ROWS = 3
CONTENT_TYPES = {"pdf": "application/pdf",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
ERROR_FIELDS = (("key statistic", "stat_measure_0"), ("ambition", "ambition"), ("strengths", "strengths"),
                ("areas for improvement", "areas_for_improvement"), ("narrative", "narrative_heading_0"),
                ("overview", "text"), ("rationale", "rationale"))


def _store_dir() -> Path:
    return Path(settings.ASC_ASSURE_STORE)


def _today() -> dt.date:
    return workspace_today()


def _href(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args or None)
    except NoReverseMatch:
        return None


def _section_or_404(slug: str) -> dict[str, str]:
    for s in sa.sections():
        if s["slug"] == slug:
            return s
    raise Http404("no such self-assessment section")


def _error(exc: Exception, default_href: str = "#main-content") -> dict[str, str]:
    text = str(exc)
    lowered = text.lower()
    href = next((f"#{field}" for word, field in ERROR_FIELDS if word in lowered), default_href)
    return {"text": text[0].upper() + text[1:] if text else "Something went wrong", "href": href}


def _base(request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
    return {"page_title": title, "errors": [], "status_tags": STATUS_TAGS, "assurance_href": _href("assurance"),
            "index_href": reverse("self_assessment"), **extra}


def _statistics(content: dict[str, Any]) -> list[dict[str, Any]]:
    links = content.get("key_statistics") or []
    if not links:
        return []
    store = _store_dir()
    stats = ks.resolve(store, links, ks.default_as_of(store, _today()))
    for s in stats:
        s["href"] = _href("measure", s["measure_id"])
    return stats


# -- index and theme pages -----------------------------------------------------------------------
@requires("view_assurance")
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "self_assessment/index.html", _base(
        request, "Self-assessment", sections=sa.status_summary(workspace()), scores_href=reverse("scores")))


def _theme_context(request: HttpRequest, slug: str, version: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    sec = _section_or_404(slug)
    ws = workspace()
    current = sa.latest(ws, slug)
    approved = sa.latest_approved(ws, slug)
    user = request.user
    is_current = version is not None and current is not None and version["version"] == current["version"]
    return _base(
        request, sec["title"], section=sec, v=version, current=current, approved=approved, is_current=is_current,
        statistics=_statistics(version["content"]) if version else [], groups=ks.GROUPS, overview=sa.OVERVIEW,
        titles=sa.FIELD_TITLES,
        can_edit=can(user, "edit_self_assessment"),
        can_submit=is_current and can(user, "edit_self_assessment") and version["status"] in {sa.DRAFT, sa.RETURNED},
        can_decide=is_current and can(user, "approve_self_assessment") and version["status"] == sa.IN_REVIEW,
        own_submission=bool(version and version.get("submitted_by") == actor(request)),
        **extra)


@requires("view_assurance")
def theme(request: HttpRequest, slug: str) -> HttpResponse:
    _section_or_404(slug)
    return render(request, "self_assessment/theme.html",
                  _theme_context(request, slug, sa.latest(workspace(), slug)))


@requires("view_assurance")
def version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    _section_or_404(slug)
    try:
        v = sa.get_version(workspace(), slug, number)
    except NotFound:
        raise Http404("no such version") from None
    return render(request, "self_assessment/theme.html", _theme_context(request, slug, v, old_version=True))


@requires("view_assurance")
def history(request: HttpRequest, slug: str) -> HttpResponse:
    sec = _section_or_404(slug)
    versions = sa.history(workspace(), slug)
    return render(request, "self_assessment/history.html", _base(
        request, f"History: {sec['title']}", section=sec, versions=versions))


@requires("view_assurance")
def diff(request: HttpRequest, slug: str) -> HttpResponse:
    sec = _section_or_404(slug)
    versions = sa.history(workspace(), slug)
    numbers = [v["version"] for v in versions]
    errors = []
    try:
        a = int(request.GET.get("from") or (numbers[1] if len(numbers) > 1 else 0))
        b = int(request.GET.get("to") or (numbers[0] if numbers else 0))
    except ValueError:
        a = b = 0
    result = None
    if a not in numbers or b not in numbers:
        if numbers:
            errors.append({"text": "Choose two versions that exist", "href": "#from"})
    else:
        result = sa.diff(workspace(), slug, a, b)
    return render(request, "self_assessment/diff.html", _base(
        request, f"Compare versions: {sec['title']}", section=sec, numbers=numbers, a=a, b=b, result=result,
        errors=errors), status=400 if errors else 200)


# -- editing ---------------------------------------------------------------------------------------
def _registry_choices() -> list[tuple[str, list[dict[str, str]]]]:
    groups: dict[str, list[dict[str, str]]] = {}
    for m in ks.registry().values():
        groups.setdefault(m.group, []).append({"id": m.id, "title": m.title})
    return list(groups.items())


def _form_from_content(content: dict[str, Any], slug: str) -> dict[str, Any]:
    if slug == sa.OVERVIEW:
        return {"text": content.get("text", "")}
    stats = list(content.get("key_statistics") or [])
    return {
        "ambition": content.get("ambition", ""),
        "strengths": "\n".join(content.get("strengths") or []),
        "areas_for_improvement": "\n".join(content.get("areas_for_improvement") or []),
        "stats": stats + [{"measure_id": "", "group": "", "label": ""}] * BLANK_STAT_ROWS,
        "narrative": [*(content.get("narrative") or []), {"heading": "", "text": ""}],
    }


def _content_from_post(post: Any, slug: str) -> dict[str, Any]:
    if slug == sa.OVERVIEW:
        return {"text": post.get("text", "")}
    stats = []
    for i in range(_rows(post, "stat_rows")):
        mid = post.get(f"stat_measure_{i}", "").strip()
        if mid:
            stats.append({"measure_id": mid, "group": post.get(f"stat_group_{i}", ""),
                          "label": post.get(f"stat_label_{i}", "")})
    narrative = []
    for i in range(_rows(post, "narrative_rows")):
        heading, text = post.get(f"narrative_heading_{i}", ""), post.get(f"narrative_text_{i}", "")
        if heading.strip() or text.strip():
            narrative.append({"heading": heading, "text": text})
    return {"ambition": post.get("ambition", ""), "strengths": post.get("strengths", ""),
            "areas_for_improvement": post.get("areas_for_improvement", ""), "key_statistics": stats,
            "narrative": narrative}


def _form_from_post(post: Any, slug: str) -> dict[str, Any]:
    """The form as the user filled it in, so nothing they typed is lost when it is shown again."""
    if slug == sa.OVERVIEW:
        return {"text": post.get("text", "")}
    stats = [{"measure_id": post.get(f"stat_measure_{i}", ""), "group": post.get(f"stat_group_{i}", ""),
              "label": post.get(f"stat_label_{i}", "")} for i in range(_rows(post, "stat_rows"))]
    narrative = [{"heading": post.get(f"narrative_heading_{i}", ""), "text": post.get(f"narrative_text_{i}", "")}
                 for i in range(_rows(post, "narrative_rows"))]
    return {"ambition": post.get("ambition", ""), "strengths": post.get("strengths", ""),
            "areas_for_improvement": post.get("areas_for_improvement", ""), "stats": stats,
            "narrative": narrative or [{"heading": "", "text": ""}]}


def _rows(post: Any, name: str) -> int:
    try:
        return max(0, min(int(post.get(name, 0) or 0), 200))
    except ValueError:
        return 0


@requires("edit_self_assessment")
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    sec = _section_or_404(slug)
    ws = workspace()
    current = sa.latest(ws, slug)
    context = _base(request, f"Edit: {sec['title']}", section=sec, current=current, groups=ks.GROUPS,
                    measures=_registry_choices(), overview=sa.OVERVIEW, titles=sa.FIELD_TITLES, note="")
    if request.method == "GET":
        content = current["content"] if current else sa.empty_content(slug)
        return render(request, "self_assessment/edit.html", {
            **context, "form": _form_from_content(content, slug),
            "expected_version": current["version"] if current else 0})
    content = _content_from_post(request.POST, slug)
    note = request.POST.get("note", "")
    try:
        expected = int(request.POST.get("expected_version", "0") or 0)
    except ValueError:
        expected = -1
    try:
        saved = sa.save(ws, slug, content, actor(request), note, expected_version=expected)
    except WorkspaceError as exc:
        form = _form_from_post(request.POST, slug)
        return render(request, "self_assessment/edit.html", {
            **context, "form": form, "note": note, "expected_version": expected, "errors": [_error(exc)]},
            status=400)
    record(request, "self_assessment_save", object=slug, version=saved["version"], note=saved["note"] or None)
    return HttpResponseRedirect(reverse("self_assessment_theme", args=[slug]))


def _workflow(request: HttpRequest, slug: str, event: str, fn: Any, text_field: str) -> HttpResponse:
    _section_or_404(slug)
    text = request.POST.get(text_field, "")
    try:
        v = fn(workspace(), slug, actor(request), text)
    except WorkspaceError as exc:
        ctx = _theme_context(request, slug, sa.latest(workspace(), slug))
        ctx["errors"] = [_error(exc, f"#{text_field}")]
        return render(request, "self_assessment/theme.html", ctx, status=400)
    record(request, event, object=slug, version=v["version"], comment=text.strip() or None)
    return HttpResponseRedirect(reverse("self_assessment_theme", args=[slug]))


@requires("edit_self_assessment")
@require_POST
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    return _workflow(request, slug, "self_assessment_submit", sa.submit, "submit_note")


@requires("approve_self_assessment")
@require_POST
def approve(request: HttpRequest, slug: str) -> HttpResponse:
    return _workflow(request, slug, "self_assessment_approve", sa.approve, "decision_comment")


@requires("approve_self_assessment")
@require_POST
def return_for_changes(request: HttpRequest, slug: str) -> HttpResponse:
    return _workflow(request, slug, "self_assessment_return", sa.return_for_changes, "decision_comment")


# -- exports ---------------------------------------------------------------------------------------
def _download(request: HttpRequest, summary: bool) -> HttpResponse:
    from asc_assure.reports import self_assessment as rep

    chosen = request.GET.get("format", "pdf")
    if chosen not in rep.FORMATS:
        raise Http404("format must be docx or pdf")
    slug = None if summary else (request.GET.get("theme") or None)
    if slug is not None:
        _section_or_404(slug)
    which = "approved" if request.GET.get("approved") == "1" else "latest"
    public = request.GET.get("public") == "1"
    name = ("self-assessment-summary" if summary else f"self-assessment-{slug or 'full'}") + \
        ("-approved" if which == "approved" else "") + ("-public" if public else "") + f".{chosen}"
    out = Path(tempfile.mkdtemp()) / name
    ws, store = workspace(), _store_dir()
    try:
        if summary:
            doc = rep.export_summary(ws, store, out, _today(), chosen, which, public)
            draft, trimmed = doc.is_draft, len(doc.trimmed)
        else:
            built = rep.build_document(ws, store, _today(), slug, which, public)
            rep.write_document(built, out, chosen)
            draft, trimmed = built.is_draft, None
    except WorkspaceError as exc:
        return render(request, "self_assessment/index.html", _base(
            request, "Self-assessment", sections=sa.status_summary(ws), scores_href=reverse("scores"),
            errors=[_error(exc)]), status=400)
    record(request, "self_assessment_summary_export" if summary else "self_assessment_export", object=name,
           theme=slug, format=chosen, which=which, public=public, draft=draft, trimmed_notes=trimmed)
    return FileResponse(out.open("rb"), as_attachment=True, filename=name, content_type=CONTENT_TYPES[chosen])


@requires("view_assurance")
def export(request: HttpRequest) -> HttpResponse:
    return _download(request, summary=False)


@requires("view_assurance")
def export_summary(request: HttpRequest) -> HttpResponse:
    return _download(request, summary=True)


# -- scores ----------------------------------------------------------------------------------------
def _scores_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    ws = workspace()
    comp = sc.comparison(ws)
    fw = load_framework()
    return _base(request, "Quality statement scores", comparison=comp, scale=fw.scale,
                 bands=[b.rating for b in fw.bands], assessments=sc.assessments(ws),
                 history=sc.self_score_history(ws)[:30], format_date=fmt.format_date,
                 can_score=can(request.user, "edit_self_assessment"),
                 can_record=can(request.user, "record_cqc_scores"), **extra)


@requires("view_assurance")
def scores(request: HttpRequest) -> HttpResponse:
    return render(request, "self_assessment/scores.html", _scores_context(request))


@requires("edit_self_assessment")
@require_POST
def scores_self(request: HttpRequest) -> HttpResponse:
    ws = workspace()
    current = sc.current_self_scores(ws)
    errors, changed = [], []
    wanted = []
    for s in load_framework().statements:
        score, rationale = request.POST.get(f"self_{s.slug}", "").strip(), request.POST.get(f"rationale_{s.slug}", "")
        if not score:
            continue
        now = current.get(s.slug)
        if now and str(now["score"]) == score and now["rationale"] == " ".join(rationale.split()):
            continue
        wanted.append((s.slug, score, rationale))
    for slug, score, rationale in wanted:  # check all before saving any
        try:
            sc.check_score(slug, score)
            if not rationale.strip():
                raise WorkspaceError(f"give a rationale for the score for {load_framework().statement(slug).title}")
        except WorkspaceError as exc:
            errors.append({"text": str(exc)[0].upper() + str(exc)[1:], "href": f"#rationale_{slug}"})
    if not errors:
        for slug, score, rationale in wanted:
            sc.set_self_score(ws, slug, score, rationale, actor(request), _today())
            changed.append(f"{slug}={score}")
    if errors:
        return render(request, "self_assessment/scores.html", _scores_context(request, errors=errors,
                                                                             posted=request.POST), status=400)
    if changed:
        record(request, "self_scores_set", object="self-assessed scores", scores=changed)
    return HttpResponseRedirect(reverse("scores"))


@requires("record_cqc_scores")
@require_POST
def scores_actual(request: HttpRequest) -> HttpResponse:
    from asc_assure.web.dashboard.views import parse_day

    errors = []
    assessed_on = parse_day(request.POST.get("assessed_on", ""))
    if assessed_on is None:
        errors.append({"text": "Enter the date of CQC's assessment, for example 5/9/2025", "href": "#assessed_on"})
    raw_report = request.POST.get("report_date", "").strip()
    report_date = parse_day(raw_report) if raw_report else None
    if raw_report and report_date is None:
        errors.append({"text": "Enter the report date as a real date, for example 5/9/2025", "href": "#report_date"})
    pairs = {s.slug: request.POST.get(f"cqc_{s.slug}", "").strip() for s in load_framework().statements}
    pairs = {k: v for k, v in pairs.items() if v}
    if not pairs:
        errors.append({"text": "Choose CQC's score for at least one quality statement",
                       "href": f"#cqc_{load_framework().slugs[0]}"})
    rating = request.POST.get("published_rating", "").strip() or None
    if not errors:
        try:
            a = sc.record_actual(workspace(), pairs, assessed_on, actor(request), report_date=report_date,
                                 published_rating=rating)
        except WorkspaceError as exc:
            errors.append(_error(exc, "#assessed_on"))
    if errors:
        return render(request, "self_assessment/scores.html", _scores_context(request, errors=errors,
                                                                             posted=request.POST), status=400)
    record(request, "cqc_scores_record", object=f"CQC assessment {a['assessed_on']}", assessed_on=a["assessed_on"],
           report_date=a["report_date"], scores=a["scores"])
    return HttpResponseRedirect(reverse("scores"))

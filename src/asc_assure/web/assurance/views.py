"""The CQC assurance area: an overview of the workspace, the framework, and a rating calculator.

Everything shown comes from the core: the framework and the rating rule from ``asc_assure.domain.cqc``,
each area's summary from ``asc_assure.assurance.overview``. Sub-areas (evidence, self-assessment,
scores, timeline, information return, case tracking) have their own packages.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods

from asc_assure.assurance.overview import workspace_overview
from asc_assure.domain.cqc import MAX_SCORE, MIN_SCORE, CqcScoreError, load_framework, rate
from asc_assure.web.permissions import requires
from asc_assure.web.workspace import today as workspace_today
from asc_assure.web.workspace import workspace

# (title, URL name, what it is for) — links appear once the page exists.
SECTIONS = (
    ("Evidence library", "evidence", "Evidence items by quality statement and category; gaps and stale items."),
    ("Evidence coverage", "evidence_coverage", "The quality statements by evidence category matrix."),
    ("Self-assessment", "self_assessment", "Ambition, strengths, areas for improvement and live key statistics "
                                           "per theme; review and approval; Word and PDF."),
    ("Scores", "scores", "Self-assessed scores with rationale beside CQC's actual scores."),
    ("Timeline and tasks", "assessment_timeline", "Milestones from the notification date; tasks, owners, overdue."),
    ("Information return", "information_return", "Each requested document or data item, owner, status and evidence."),
    ("Case tracking", "cases", "50 proposed cases with a documented mix, the shortlist of 10, consent and "
                               "pen pictures."),
    ("Framework", "cqc_framework", "CQC's 4 themes and 9 quality statements for local authorities."),
    ("Rating calculator", "cqc_rating", "What a set of scores would mean for the overall rating."),
)


def _href(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@requires("view_assurance")
def overview(request: HttpRequest) -> HttpResponse:
    today = workspace_today()
    sections = [{"title": t, "href": _href(n), "description": d} for t, n, d in SECTIONS]
    links = {s["title"]: s["href"] for s in sections}
    summary = workspace_overview(workspace(), today)
    for item in summary["attention"]:
        item["href"] = links.get(item["section"])
    return render(request, "assurance/overview.html", {
        "page_title": "CQC assurance", "sections": [s for s in sections if s["href"]],
        "summary": summary, "today": today})


@requires("view_assurance")
def framework(request: HttpRequest) -> HttpResponse:
    fw = load_framework()
    themes = [{"theme": t, "statements": [s for s in fw.statements if s.theme == t.slug]} for t in fw.themes]
    return render(request, "assurance/framework.html", {
        "page_title": "CQC assessment framework", "fw": fw, "themes": themes})


@requires("view_assurance")
@require_http_methods(["GET", "POST"])
def rating_calculator(request: HttpRequest) -> HttpResponse:
    """Type nine scores, see the total, percentage, rating, theme scores and which single change would move it."""
    fw = load_framework()
    values: dict[str, str] = {s.slug: request.POST.get(s.slug, "") for s in fw.statements}
    errors, result = [], None
    if request.method == "POST":
        scores = {}
        for s in fw.statements:
            raw = values[s.slug].strip()
            if raw not in {str(n) for n in range(MIN_SCORE, MAX_SCORE + 1)}:
                errors.append({"text": f"Choose a score from {MIN_SCORE} to {MAX_SCORE} for {s.title}",
                               "href": f"#{s.slug}"})
            else:
                scores[s.slug] = int(raw)
        if not errors:
            try:
                result = rate(scores).to_dict()
            except CqcScoreError as exc:  # pragma: no cover - the form only offers valid values
                errors.append({"text": str(exc), "href": "#scores"})
    return render(request, "assurance/rating.html", {
        "page_title": "Rating calculator", "fw": fw, "values": values, "errors": errors, "result": result,
        "scale": fw.scale}, status=400 if errors else 200)

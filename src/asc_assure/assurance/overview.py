"""One page's worth of the assurance workspace: where each area stands and what needs attention.

Each area module answers for itself (evidence coverage, the timeline, the information return, case
tracking, the self-assessment, scores); this module only gathers the answers into plain sentences so the
CLI (``asc-assure cqc overview``) and the web app's overview page say the same thing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from asc_assure.assurance import case_tracking, evidence, information_return, scores, self_assessment, timeline
from asc_assure.assurance.workspace import Workspace


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def evidence_status(ws: Workspace, today: dt.date) -> tuple[str, list[str]]:
    t = evidence.coverage(ws, today)["totals"]
    status = (f"{_plural(t['items'], 'item')} ({t['current_items']} current, {t['stale_items']} past review); "
              f"{t['covered']} of {t['cells']} statement-category cells covered")
    attention = []
    if t["gaps"]:
        attention.append(f"Evidence coverage: {_plural(t['gaps'], 'gap')} (statement and category with no evidence)")
    if t["stale_only"]:
        attention.append(f"Evidence coverage: {_plural(t['stale_only'], 'cell')} backed only by evidence past review")
    return status, attention


def timeline_status(ws: Workspace, today: dt.date) -> tuple[str, list[str]]:
    tl = timeline.show(ws, today)
    if not tl["milestones"] and not tl["tasks"]:
        return "No assessment timeline yet (generate one from the notification date).", []
    status = (f"{_plural(len(tl['milestones']), 'milestone')}; {tl['done']} of {_plural(len(tl['tasks']), 'task')} "
              f"done, {tl['overdue']} overdue, {tl['due_soon']} due in the next 7 days")
    attention = [f"Timeline: {_plural(tl['overdue'], 'task')} overdue"] if tl["overdue"] else []
    return status, attention


def information_return_status(ws: Workspace, today: dt.date) -> tuple[str, list[str]]:
    s = information_return.summary(ws, today)
    status = (f"{s['finished']} of {_plural(s['total'], 'item')} ready, submitted or not applicable; "
              f"{s['unowned']} without an owner")
    attention = []
    if s["overdue"]:
        attention.append(f"Information return: {_plural(s['overdue'], 'item')} overdue")
    return status, attention


def cases_status(ws: Workspace) -> tuple[str, list[str]]:
    cases = case_tracking.list_cases(ws)
    if not cases:
        return "No cases proposed yet.", []
    shortlisted = [c for c in cases if c.get("shortlisted")]
    consented = sum(1 for c in shortlisted if c.get("consent_status") == "given")
    pictures = sum(1 for c in shortlisted if (c.get("pen_picture") or "").strip())
    mix = case_tracking.mix_summary(ws)
    status = (f"{_plural(len(cases), 'case')} proposed ({'every' if mix['all_met'] else 'not every'} mix minimum "
              f"met); {len(shortlisted)} shortlisted, {consented} with consent given, {pictures} with a pen picture")
    attention = []
    missing = len(shortlisted) - pictures
    if shortlisted and missing:
        attention.append(f"Case tracking: {_plural(missing, 'shortlisted case')} without a pen picture")
    return status, attention


def self_assessment_status(ws: Workspace, today: dt.date) -> tuple[str, list[str]]:
    rows = self_assessment.status_summary(ws)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status_text"]] = counts.get(r["status_text"], 0) + 1
    status = "; ".join(f"{n} {text.lower()}" for text, n in counts.items()) + f" (of {len(rows)} sections)"
    waiting = [r["title"] for r in rows if r["status"] == "in_review"]
    attention = [f"Self-assessment: {', '.join(waiting)} waiting for review"] if waiting else []
    return status, attention


def scores_status(ws: Workspace, today: dt.date) -> tuple[str, list[str]]:
    c = scores.comparison(ws)
    parts = []
    own, cqc = c["self"], c["cqc"]
    if own:
        parts.append(f"self-assessed {own['total']}/{own['max']} ({own['percent']}%), {own['rating']}"
                     + ("" if own["complete"] else f" from {own['statements_scored']} statements"))
    else:
        parts.append("no self-assessed scores yet")
    if cqc:
        parts.append(f"CQC {cqc['total']}/{cqc['max']} ({cqc['percent']}%), {cqc['rating']}; "
                     f"{c['matching']} of {c['compared']} statements scored the same")
    return "; ".join(parts), []


def recent_changes(ws: Workspace, limit: int = 10) -> list[dict[str, Any]]:
    """The latest changes anyone made in the workspace, newest first."""
    return ws.changes(limit=limit)


# section title (as the web overview names it) -> function giving (status sentence, attention sentences)
SECTION_STATUS = {
    "Evidence library": evidence_status,
    "Self-assessment": self_assessment_status,
    "Scores": scores_status,
    "Timeline and tasks": timeline_status,
    "Information return": information_return_status,
}


# Where attention items of a section point (the coverage page, not the evidence list).
ATTENTION_SECTION = {"Evidence library": "Evidence coverage"}


def workspace_overview(ws: Workspace, today: dt.date) -> dict[str, Any]:
    """Status per section, the things needing attention, and recent changes, as of ``today``."""
    status: dict[str, str] = {}
    attention: list[dict[str, str]] = []
    for title, fn in SECTION_STATUS.items():
        text, todo = fn(ws, today)
        status[title] = text
        attention += [{"section": ATTENTION_SECTION.get(title, title), "text": t} for t in todo]
    text, todo = cases_status(ws)
    status["Case tracking"] = text
    attention += [{"section": "Case tracking", "text": t} for t in todo]
    return {"today": today.isoformat(), "status": status, "attention": attention,
            "recent_changes": recent_changes(ws)}

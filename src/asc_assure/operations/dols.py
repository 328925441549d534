"""DoLS screening and the DoLS work queue.

Every Deprivation of Liberty Safeguards application is screened with the council's tool
(``dols_screening.yaml``: criteria, answers, scores and high / medium / low bands). A screening recorded
here (answers, score, the tool's priority, any override with its reason, who and when) is kept in the
workspace; an application nobody has screened here keeps the priority in the council's extract,
labelled as coming from the extract. The queue is ordered by priority, then by age; each application
carries its legal due date (``asc_assure.domain.timescales``) and a breach warning.

The open-applications report counts exactly what the measures ``dols.open`` and
``dols.open_by_priority`` count for the same store and date (same extract versions, same rule for
"open", same priority labels), then adds age bands; a second table shows the priorities the queue
works to, after screenings recorded here.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError, rows
from asc_assure.data.store import Store, StoreError
from asc_assure.domain import questionnaire
from asc_assure.domain import timescales as ts
from asc_assure.domain.working_days import working_days_between

PRIORITIES = ("high", "medium", "low")
NOT_SCREENED = "not screened"
#: Queue order: an application nobody has screened could be high priority, so it comes first, to be
#: screened; then high, medium, low.
QUEUE_RANK = {NOT_SCREENED: 0, "high": 1, "medium": 2, "low": 3}
REPORT_ORDER = (*PRIORITIES, NOT_SCREENED)  # the measure's labels, in reading order
MIN_REASON = 10
DOLS_TEAM_TYPE = "dols"


# -- the screening tool ---------------------------------------------------------------------------------
#: The tool's error wording (the mechanism is :mod:`asc_assure.domain.questionnaire`).
WORDING = questionnaire.Wording(
    answers_not_distinct="screening tool criterion {question!r} needs distinct answers",
    questions_not_distinct="the screening tool needs criteria with distinct ids",
    bad_bands="the screening tool's bands must be {names}, the lowest from 0",
    unknown_questions="unknown screening question(s): {unknown}; the questions are {known}",
    unanswered="answer every screening question; not answered: {missing}",
    unknown_answer="answer {answer!r} is not one of the answers to {question!r} ({known})",
)


@dataclass(frozen=True)
class Tool:
    id: str
    title: str
    version: str
    based_on: str
    based_on_date: str
    wording: str
    criteria: tuple[questionnaire.Question, ...]
    bands: tuple[tuple[str, int], ...]  # (priority, min_score), highest first

    def priority_for(self, score: int) -> str:
        return questionnaire.band(self.bands, score)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "version": self.version, "based_on": self.based_on,
                "based_on_date": self.based_on_date, "wording": self.wording,
                "bands": questionnaire.bands_dict(self.bands),
                "criteria": questionnaire.questions_dict(self.criteria, "score")}


def _tool_from(data: dict[str, Any]) -> Tool:
    meta = data.get("tool") or {}
    criteria = questionnaire.parse_questions(data.get("criteria"), "score", WORDING)
    bands = questionnaire.parse_bands(data.get("bands"), PRIORITIES, WORDING)
    return Tool(str(meta.get("id", "dols_screening")), str(meta.get("title", "DoLS screening")),
                str(meta["version"]), str(meta.get("based_on", "")), str(meta.get("based_on_date", "")),
                str(meta.get("wording", "")), criteria, bands)


@lru_cache(maxsize=4)
def load_tool(path: str | None = None) -> Tool:
    """The screening tool (the packaged YAML unless a council's own file is given)."""
    return _tool_from(questionnaire.read_definition(path, "asc_assure.operations", "dols_screening.yaml"))


def _score(tool: Tool, answers: dict[str, str]) -> tuple[dict[str, str], int, str]:
    try:
        clean, total = questionnaire.score(tool.criteria, answers, WORDING)
    except questionnaire.AnswerError as exc:
        raise WorkspaceError(str(exc)) from exc
    return clean, total, tool.priority_for(total)


def score_answers(tool: Tool, answers: dict[str, str]) -> tuple[int, str]:
    """Total score and the tool's priority. Every criterion must be answered, with one of its answers."""
    _, total, priority = _score(tool, answers)
    return total, priority


# -- the store --------------------------------------------------------------------------------------------
def _connect(store_dir: Path | str, as_of: dt.date | None):
    """The extracts as the measures see them on ``as_of`` (the first version if the data starts later)."""
    try:
        store = Store(store_dir)
    except StoreError as exc:
        raise WorkspaceError(str(exc)) from exc
    return store.connect(as_of, first_if_later=as_of is not None, only=("dols_applications", "teams"))


def _dicts(cur) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


_COLUMNS = ("application_id, person_id, received_date, urgent, urgent_extended, setting, managing_authority, "
            "screening_priority, allocated_date, completed_date, outcome")


def open_applications(store_dir: Path | str, as_of: dt.date) -> list[dict[str, Any]]:
    """Applications received on or before ``as_of`` and not decided or withdrawn by then (as ``dols.open``)."""
    con = _connect(store_dir, as_of)
    try:
        return _dicts(con.execute(
            f"SELECT {_COLUMNS} FROM dols_applications WHERE received_date <= ? "
            "AND (completed_date IS NULL OR completed_date > ?) ORDER BY received_date, application_id",
            [as_of, as_of]))
    finally:
        con.close()


def dols_teams(store_dir: Path | str, as_of: dt.date | None) -> list[str]:
    """The DoLS team(s) in the teams reference (``team_type`` dols): DoLS applications carry no team of
    their own, so they belong to these teams for team managers' access and for the ``--team`` filter."""
    con = _connect(store_dir, as_of)
    try:
        return [r[0] for r in con.execute(
            "SELECT team FROM teams WHERE team_type = ? AND coalesce(active, true) ORDER BY team",
            [DOLS_TEAM_TYPE]).fetchall()]
    finally:
        con.close()


def _application(store_dir: Path | str, application_id: str, as_of: dt.date | None) -> dict[str, Any]:
    con = _connect(store_dir, as_of)
    try:
        found = _dicts(con.execute(f"SELECT {_COLUMNS} FROM dols_applications WHERE application_id = ?",
                                   [application_id]))
    finally:
        con.close()
    if not found:
        raise NotFound(f"no DoLS application {application_id!r} in the store (use the pseudonymised "
                       "reference shown in the queue, e.g. C-1a2b3c...)")
    return found[0]


# -- screenings ---------------------------------------------------------------------------------------------
def record_screening(ws: Workspace, store_dir: Path | str, application_id: str, answers: dict[str, str],
                     actor: str, priority: str | None = None, reason: str | None = None,
                     as_of: dt.date | None = None, tool: Tool | None = None) -> dict[str, Any]:
    """Record a screening: the answers give a score and the tool's priority; a screener who decides
    otherwise sets ``priority`` and must say why. Only open applications are screened."""
    tool = tool or load_tool()
    application_id = (application_id or "").strip()
    app = _application(store_dir, application_id, as_of)
    if app["completed_date"] is not None and (as_of is None or app["completed_date"] <= as_of):
        raise WorkspaceError(f"application {application_id} was decided on {app['completed_date']:%d/%m/%Y}; "
                             "only open applications are screened")
    clean, total, tool_priority = _score(tool, answers)
    chosen = (priority or "").strip().lower() or tool_priority
    if chosen not in PRIORITIES:
        raise WorkspaceError(f"priority {priority!r} must be high, medium or low")
    reason = (reason or "").strip() or None
    if chosen != tool_priority and (reason is None or len(reason) < MIN_REASON):
        raise WorkspaceError(f"the tool gives {tool_priority} priority (score {total}); to record {chosen} "
                             f"instead, give a reason of at least {MIN_REASON} characters")
    with ws.transaction() as con:
        cur = con.execute(
            "INSERT INTO dols_screenings (application_id, tool_version, answers, score, tool_priority, priority, "
            "override_reason, screened_by, screened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (application_id, tool.version, json.dumps(clean, sort_keys=True), total, tool_priority, chosen,
             reason if chosen != tool_priority else None, actor, _now()))
        Workspace.log(con, actor, "dols_screening", application_id, "screen", score=total,
                      tool_priority=tool_priority, priority=chosen, tool_version=tool.version,
                      override_reason=reason if chosen != tool_priority else None)
        screening_id = cur.lastrowid
    return screening(ws, application_id) or {"id": screening_id}


def _now() -> str:
    from asc_assure.assurance.workspace import utc_now

    return utc_now()


def _screening_row(r: dict[str, Any]) -> dict[str, Any]:
    return {**r, "answers": json.loads(r["answers"]), "overridden": r["priority"] != r["tool_priority"]}


def screening(ws: Workspace, application_id: str) -> dict[str, Any] | None:
    """The screening in force for an application (the latest recorded), or None."""
    history = screening_history(ws, application_id)
    return history[0] if history else None


def screening_history(ws: Workspace, application_id: str) -> list[dict[str, Any]]:
    """Every screening recorded for an application, newest first."""
    with ws.read() as con:
        found = rows(con.execute("SELECT * FROM dols_screenings WHERE application_id = ? ORDER BY id DESC",
                                 (application_id,)))
    return [_screening_row(r) for r in found]


def latest_screenings(ws: Workspace) -> dict[str, dict[str, Any]]:
    """application id -> the screening in force."""
    with ws.read() as con:
        found = rows(con.execute(
            "SELECT * FROM dols_screenings WHERE id IN (SELECT max(id) FROM dols_screenings GROUP BY application_id)"))
    return {r["application_id"]: _screening_row(r) for r in found}


# -- the queue ------------------------------------------------------------------------------------------------
def _warning(as_of: dt.date, due: dt.date) -> tuple[str | None, str]:
    """Breach warning: breached after the due date; due soon when few working days are left to act."""
    act = ts.act_by(due)
    if as_of > due:
        days = (as_of - due).days
        return "breached", f"Breached: {days} day{'s' if days != 1 else ''} past the due date"
    if as_of > act:  # the due date is a weekend or bank holiday and the working day before it has passed
        return "due_soon", f"Due soon: due {due:%d/%m/%Y}; the last working day before it was {act:%d/%m/%Y}"
    left = working_days_between(as_of, act)
    if left <= ts.DOLS_WARNING_WORKING_DAYS:
        when = "today" if left == 0 else f"{left} working day{'s' if left != 1 else ''} left"
        return "due_soon", f"Due soon: act by {act:%d/%m/%Y} ({when})"
    return None, ""


def queue_item(app: dict[str, Any], as_of: dt.date, screened: dict[str, Any] | None,
               team: str | None) -> dict[str, Any]:
    """One open application as the queue shows it."""
    received = app["received_date"]
    due = ts.dols_due(received, bool(app["urgent"]), bool(app["urgent_extended"]))
    warning, warning_text = _warning(as_of, due)
    if screened is not None:
        priority, source = screened["priority"], "screened"
        label = (f"{priority.capitalize()} (screened here {screened['screened_at'][:10]} by "
                 f"{screened['screened_by']}{', overridden' if screened['overridden'] else ''})")
    elif app["screening_priority"]:
        priority, source = app["screening_priority"], "extract"
        label = f"{priority.capitalize()} (from the extract, not screened here)"
    else:
        priority, source, label = NOT_SCREENED, "none", "Not screened"
    allocated = app["allocated_date"] if app["allocated_date"] and app["allocated_date"] <= as_of else None
    return {
        "application_id": app["application_id"], "person_id": app["person_id"], "team": team,
        "received_date": received, "age_days": (as_of - received).days,
        "age_band": ts.dols_age_band(received, as_of), "urgent": bool(app["urgent"]),
        "urgent_extended": bool(app["urgent_extended"]), "setting": app["setting"],
        "managing_authority": app["managing_authority"], "allocated_date": allocated,
        "status": "Allocated" if allocated else "Awaiting allocation",
        "due_date": due, "act_by": ts.act_by(due), "days_allowed": ts.dols_days_allowed(
            bool(app["urgent"]), bool(app["urgent_extended"])),
        "warning": warning, "warning_text": warning_text,
        "priority": priority, "priority_source": source, "priority_label": label,
        "extract_priority": app["screening_priority"] or NOT_SCREENED,
        "score": screened["score"] if screened else None,
    }


def _team_label(teams: list[str]) -> str | None:
    return " / ".join(teams) if teams else None


def check_team(store_dir: Path | str, as_of: dt.date, team: str | None) -> list[str]:
    """The DoLS teams; a ``team`` filter must name one of them."""
    teams = dols_teams(store_dir, as_of)
    if team and team not in teams:
        known = ", ".join(teams) or "none in the teams extract"
        raise WorkspaceError(f"team {team!r} is not a DoLS team (DoLS applications belong to the teams whose "
                             f"team_type is dols: {known})")
    return teams


def queue(ws: Workspace, store_dir: Path | str, as_of: dt.date, team: str | None = None) -> list[dict[str, Any]]:
    """Open applications, ordered by priority (not screened, high, medium, low), then oldest first."""
    teams = check_team(store_dir, as_of, team)
    screened = latest_screenings(ws)
    label = team or _team_label(teams)
    items = [queue_item(a, as_of, screened.get(a["application_id"]), label)
             for a in open_applications(store_dir, as_of)]
    items.sort(key=lambda i: (QUEUE_RANK[i["priority"]], i["received_date"], i["application_id"]))
    for n, item in enumerate(items, 1):
        item["position"] = n
    return items


# -- the report ---------------------------------------------------------------------------------------------
def _table(items: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    labels = [b[0] for b in ts.DOLS_AGE_BANDS]
    out = []
    for priority in REPORT_ORDER:
        mine = [i for i in items if i[key] == priority]
        out.append({"priority": priority, "total": len(mine),
                    "bands": {b: sum(1 for i in mine if i["age_band"] == b) for b in labels}})
    out.append({"priority": "all", "total": len(items),
                "bands": {b: sum(1 for i in items if i["age_band"] == b) for b in labels}})
    return out


def report(ws: Workspace, store_dir: Path | str, as_of: dt.date) -> dict[str, Any]:
    """Open applications by priority and age band.

    ``by_extract_priority`` uses the extract's screening priority, as the measures ``dols.open`` and
    ``dols.open_by_priority`` do, so its figures match theirs; ``by_queue_priority`` uses the priority the
    queue works to (a screening recorded here, otherwise the extract's)."""
    items = queue(ws, store_dir, as_of)
    return {
        "as_of": as_of,
        "total": len(items),
        "age_bands": [b[0] for b in ts.DOLS_AGE_BANDS],
        "by_extract_priority": _table(items, "extract_priority"),
        "by_queue_priority": _table(items, "priority"),
        "screened_here": sum(1 for i in items if i["priority_source"] == "screened"),
        "differs_from_extract": sum(1 for i in items if i["priority_source"] == "screened"
                                    and i["priority"] != i["extract_priority"]),
        "breached": sum(1 for i in items if i["warning"] == "breached"),
        "due_soon": sum(1 for i in items if i["warning"] == "due_soon"),
        "awaiting_allocation": sum(1 for i in items if i["allocated_date"] is None),
        "urgent": sum(1 for i in items if i["urgent"]),
    }


# -- demo -------------------------------------------------------------------------------------------------------
#: Answers that give each priority with the packaged tool (a realistic profile for each).
DEMO_PROFILES: dict[str, dict[str, str]] = {
    "high": {"objection": "persistent", "restraint": "occasional", "dispute": "concerns", "medication": "not_given",
             "placement": "new", "safeguarding": "none", "representation": "someone"},
    "medium": {"objection": "sometimes", "restraint": "none", "dispute": "none", "medication": "not_given",
               "placement": "settled", "safeguarding": "none", "representation": "nobody"},
    "low": {"objection": "none", "restraint": "none", "dispute": "none", "medication": "not_given",
            "placement": "renewal", "safeguarding": "none", "representation": "someone"},
}


def seed_demo(ws: Workspace, store_dir: Path, today: dt.date) -> None:
    """A handful of screenings on the demo store: the three oldest open applications of each extract
    priority (as of ``today``), screened with answers that fit that priority, and one overridden with a
    reason. Re-running adds nothing once screenings exist."""
    with ws.read() as con:
        if con.execute("SELECT count(*) FROM dols_screenings").fetchone()[0]:
            return
    try:
        apps = open_applications(store_dir, today)
    except WorkspaceError:
        return
    tool = load_tool()
    chosen: list[tuple[dict[str, Any], str]] = []
    for priority in PRIORITIES:
        mine = [a for a in apps if a["screening_priority"] == priority]
        chosen += [(a, priority) for a in mine[:3]]
    for n, (app, priority) in enumerate(chosen):
        answers = DEMO_PROFILES[priority]
        override, reason = None, None
        if n == len(chosen) - 1 and priority == "low":
            override = "medium"
            reason = "Care home reports a recent fall and a change in medication; review sooner than the score says"
        record_screening(ws, store_dir, app["application_id"], answers,
                         actor="team-manager" if n % 2 else "performance-analyst", priority=override,
                         reason=reason, as_of=today, tool=tool)

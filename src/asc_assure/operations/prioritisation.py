"""Referral prioritisation, practice supervisor verification and "waiting well" check-ins.

Oxfordshire prioritises each referral with a tool at the point it comes into a locality team, and practice
supervisors then verify the priority and decide what to do; people waiting are meant to be contacted in a
timely manner (CQC self-assessment 2024). This module gives that a record:

* **Prioritise**: answers to the council's tool (``prioritisation.yaml``: questions, answer weights, score
  bands, and override rules such as hospital discharge or carer breakdown that force a priority) give a
  computed priority.
* **Verify**: a practice supervisor verifies the priority as it stands, or changes it with a reason.
* **Re-prioritise**: when circumstances change (often found at a check-in), a new priority with what
  changed, optionally re-scored with fresh answers.
* **Check in**: a contact with the person waiting (date, who, outcome). Each priority has a check-in
  interval in the YAML; a person is overdue when their last contact plus the interval is before today.

The priority a referral is worked to is the latest verification or re-prioritisation recorded here, else
the priority computed here, else the priority in the council's extract; each item says which.

The waiting list is the one the measures count: the rows come from the SQL of the measure
``waiting_list.count`` (received on or before the date, no assessment started, not closed), so the two can
never disagree. Only pseudonymised keys from the store are used.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError, rows, utc_now
from asc_assure.data.store import Store, StoreError
from asc_assure.domain import questionnaire

PRIORITIES = ("high", "medium", "low")
NOT_PRIORITISED = "not_prioritised"
RANK = {"high": 0, "medium": 1, "low": 2, NOT_PRIORITISED: 3}
MIN_REASON = 10
WAITING_MEASURE = "waiting_list.count"

OUTCOMES: dict[str, str] = {
    "no_change": "Contacted: no change",
    "circumstances_changed": "Contacted: circumstances changed",
    "no_longer_needs_assessment": "Contacted: no longer needs an assessment",
    "not_reached": "Tried to contact: not reached",
}
#: Outcomes where the person was actually spoken to: these restart the check-in clock.
REACHED = frozenset(OUTCOMES) - {"not_reached"}

SOURCES: dict[str, str] = {
    "verified": "verified by a practice supervisor",
    "changed": "changed by a practice supervisor",
    "reprioritised": "re-prioritised",
    "computed": "computed with the tool",
    "extract": "from the extract",
    "none": "not prioritised",
}
STATUSES: dict[str, str] = {
    "verified": "Verified",
    "awaiting_verification": "Awaiting verification",
    "not_prioritised": "Not prioritised",
}


#: The prioritisation YAML is malformed; the message names what is wrong.
ToolError = questionnaire.DefinitionError


# -- the tool (the mechanism is asc_assure.domain.questionnaire) --------------------------------------------------
@dataclass(frozen=True)
class Scored:
    """What the tool makes of a set of answers."""

    answers: dict[str, str]
    score: int
    score_priority: str
    overrides: tuple[str, ...]
    priority: str


@dataclass(frozen=True)
class Tool:
    id: str
    title: str
    version: str
    based_on: str
    wording: str
    questions: tuple[questionnaire.Question, ...]
    bands: tuple[tuple[str, int], ...]  # highest first
    overrides: tuple[questionnaire.Override, ...]
    check_in_weeks: dict[str, int] = field(default_factory=dict)

    def band(self, score: int) -> str:
        return questionnaire.band(self.bands, score)

    def score(self, answers: dict[str, str]) -> Scored:
        """Every question answered with one of its answers; weights summed into a band; overrides lift
        the priority to at least theirs (the highest wins)."""
        try:
            clean, total = questionnaire.score(self.questions, answers)
        except questionnaire.AnswerError as exc:
            raise WorkspaceError(str(exc)) from exc
        by_score = self.band(total)
        fired = questionnaire.fired(self.overrides, clean)
        return Scored(clean, total, by_score, tuple(o.id for o in fired), questionnaire.lift(by_score, fired, RANK))

    def interval_weeks(self, priority: str | None) -> int:
        return self.check_in_weeks[priority or NOT_PRIORITISED]

    def override(self, override_id: str) -> questionnaire.Override | None:
        return next((o for o in self.overrides if o.id == override_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "version": self.version, "based_on": self.based_on,
            "wording": self.wording, "bands": questionnaire.bands_dict(self.bands),
            "questions": questionnaire.questions_dict(self.questions, "weight"),
            "overrides": [{"id": o.id, "title": o.title, "question": o.question, "answers": sorted(o.answers),
                           "priority": o.priority, "why": o.why} for o in self.overrides],
            "check_in_weeks": dict(self.check_in_weeks),
        }


def _priority(value: Any, where: str) -> str:
    if value not in PRIORITIES:
        raise ToolError(f"{where}: priority {value!r} must be high, medium or low")
    return str(value)


def parse_tool(data: dict[str, Any]) -> Tool:
    """Build and check a tool from its YAML (a council's own file must pass the same checks)."""
    meta = data.get("tool") or {}
    questions = questionnaire.parse_questions(data.get("questions"), "weight")
    bands = questionnaire.parse_bands([{**b, "priority": _priority(b.get("priority"), "bands")}
                                       for b in data.get("bands") or []], PRIORITIES)
    overrides = questionnaire.parse_overrides(data.get("overrides"), questions, _priority)
    weeks = {str(k): int(v) for k, v in (data.get("check_in_weeks") or {}).items()}
    if set(weeks) != {*PRIORITIES, NOT_PRIORITISED} or any(not 1 <= w <= 26 for w in weeks.values()):
        raise ToolError("check_in_weeks needs high, medium, low and not_prioritised, each 1 to 26 weeks")
    return Tool(str(meta.get("id", "referral_prioritisation")), str(meta.get("title", "Referral prioritisation")),
                str(meta["version"]), str(meta.get("based_on", "")), str(meta.get("wording", "")),
                questions, bands, overrides, weeks)


@lru_cache(maxsize=4)
def load_tool(path: str | None = None) -> Tool:
    """The prioritisation tool: the packaged YAML, or a council's own file."""
    return parse_tool(questionnaire.read_definition(path, "asc_assure.operations", "prioritisation.yaml"))


def parse_answer_pairs(pairs: list[str]) -> dict[str, str]:
    """``QUESTION=ANSWER`` strings (as typed on the command line) as a dict."""
    answers: dict[str, str] = {}
    for pair in pairs:
        question, _, answer = (s.strip() for s in pair.partition("="))
        if not question or not answer:
            raise WorkspaceError(f"answer {pair!r} must be QUESTION=ANSWER, for example carer=coping "
                                 "(`asc-assure referrals tool` lists them)")
        answers[question] = answer
    return answers


def _clean_priority(value: str | None, name: str = "priority") -> str | None:
    text = (value or "").strip().lower()
    if not text:
        return None
    if text not in PRIORITIES:
        raise WorkspaceError(f"{name} {value!r} must be high, medium or low")
    return text


# -- the waiting list (from the store) ---------------------------------------------------------------------------
_FROM_REFERRALS = re.compile(r"\bFROM\s+referrals\s+r\b", re.IGNORECASE)


def waiting_sql() -> str:
    """The SQL of the measure ``waiting_list.count`` selecting whole referral rows instead of its figures.

    The measure's own FROM and WHERE are kept, so "waiting" here is exactly what the measure counts (and a
    council that redefines the measure redefines this list too)."""
    from asc_assure.measures.registry import load_registry

    measure = load_registry().get(WAITING_MEASURE)
    found = _FROM_REFERRALS.search(measure.sql) if measure else None
    if found is None:
        raise WorkspaceError(f"the measure {WAITING_MEASURE} must select FROM referrals r for the waiting list "
                             "to follow it; check the council's measure definitions")
    return "SELECT r.*, p.as_of AS waiting_on " + measure.sql[found.start():]


def _dicts(cursor) -> list[dict[str, Any]]:
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _referrals_db(store_dir: Path | str, as_of: dt.date):
    try:
        store = Store(store_dir)
    except StoreError as exc:
        raise WorkspaceError(str(exc)) from exc
    return store.connect(as_of, first_if_later=True, only=("referrals",))


_KEEP = ("referral_id", "person_id", "received_date", "team", "locality", "priority", "discipline_needed",
         "referral_source", "first_contact_date")


def waiting_list(store_dir: Path | str, as_of: dt.date) -> list[dict[str, Any]]:
    """Everyone waiting on ``as_of``, oldest referral first (the extract's columns the tools need)."""
    con = _referrals_db(store_dir, as_of)
    try:
        con.execute("CREATE TEMP TABLE periods AS SELECT CAST(? AS DATE) AS as_of, CAST(? AS DATE) AS period_start",
                    [as_of, as_of])
        found = _dicts(con.execute(waiting_sql()))
    finally:
        con.close()
    out = [{k: r.get(k) for k in _KEEP} for r in found]
    out.sort(key=lambda r: (r["received_date"], r["referral_id"]))
    return out


def referral_teams(store_dir: Path | str, as_of: dt.date) -> list[str]:
    """Every team in the referrals extract (so a mistyped --team is caught, while a team nobody is
    waiting for is simply empty)."""
    con = _referrals_db(store_dir, as_of)
    try:
        return [r[0] for r in con.execute("SELECT DISTINCT team FROM referrals WHERE team IS NOT NULL ORDER BY 1")
                .fetchall()]
    finally:
        con.close()


def waiting_referral(store_dir: Path | str, referral_id: str, today: dt.date) -> dict[str, Any]:
    """One referral on the waiting list on ``today``; NotFound / WorkspaceError say why not."""
    referral_id = (referral_id or "").strip()
    for r in waiting_list(store_dir, today):
        if r["referral_id"] == referral_id:
            return r
    con = _referrals_db(store_dir, today)
    try:
        found = _dicts(con.execute("SELECT received_date, assessment_start_date, closed_date FROM referrals "
                                   "WHERE referral_id = ?", [referral_id]))
    finally:
        con.close()
    if not found:
        raise NotFound(f"no referral {referral_id!r} in the referrals extract (use the pseudonymised reference "
                       "shown on the waiting list, e.g. C-1a2b3c...)")
    r = found[0]
    if r["received_date"] > today:
        why = f"it was received on {r['received_date']:%d/%m/%Y}, after {today:%d/%m/%Y}"
    elif r["assessment_start_date"] and r["assessment_start_date"] <= today:
        why = f"its assessment started on {r['assessment_start_date']:%d/%m/%Y}"
    else:
        why = f"it was closed on {r['closed_date']:%d/%m/%Y}" if r["closed_date"] else "the measure excludes it"
    raise WorkspaceError(f"referral {referral_id} is not on the waiting list on {today:%d/%m/%Y}: {why}")


# -- records in the workspace ---------------------------------------------------------------------------------------
def _load(ws: Workspace, table: str, referral_id: str | None = None) -> list[dict[str, Any]]:
    sql, args = f"SELECT * FROM {table}", ()
    if referral_id is not None:
        sql, args = sql + " WHERE referral_id = ?", (referral_id,)
    with ws.read() as con:
        return rows(con.execute(sql + " ORDER BY id", args))


def _prioritisation_row(r: dict[str, Any]) -> dict[str, Any]:
    return {**r, "answers": json.loads(r["answers"]), "overrides": json.loads(r["overrides"])}


@dataclass
class Records:
    """Everything recorded here about referrals, oldest first per referral."""

    prioritisations: dict[str, list[dict[str, Any]]]
    decisions: dict[str, list[dict[str, Any]]]
    check_ins: dict[str, list[dict[str, Any]]]

    @classmethod
    def read(cls, ws: Workspace, referral_id: str | None = None) -> Records:
        grouped: list[dict[str, list[dict[str, Any]]]] = []
        for table in ("referral_prioritisations", "priority_decisions", "waiting_check_ins"):
            by: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for r in _load(ws, table, referral_id):
                by[r["referral_id"]].append(_prioritisation_row(r) if table == "referral_prioritisations" else r)
            grouped.append(by)
        return cls(*grouped)


def _latest(items: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    return items[-1] if items else None


def current_priority(referral: dict[str, Any], records: Records) -> tuple[str | None, str]:
    """(priority, source): the latest verification or re-prioritisation, else the computed priority,
    else the extract's priority."""
    rid = referral["referral_id"]
    decision = _latest(records.decisions.get(rid))
    if decision:
        return decision["priority"], decision["kind"]
    computed = _latest(records.prioritisations.get(rid))
    if computed:
        return computed["priority"], "computed"
    if referral.get("priority") in PRIORITIES:
        return referral["priority"], "extract"
    return None, "none"


def _open_change(records: Records, rid: str) -> dict[str, Any] | None:
    """The latest check-in, if it reported a change of circumstances that no decision has answered yet."""
    last = _latest(records.check_ins.get(rid))
    if not last or last["outcome"] != "circumstances_changed":
        return None
    answered = {d["check_in_id"] for d in records.decisions.get(rid, [])}
    return None if last["id"] in answered else last


def item(referral: dict[str, Any], records: Records, tool: Tool, today: dt.date) -> dict[str, Any]:
    """One person waiting, as the queue and the waiting-well list show them."""
    rid = referral["referral_id"]
    priority, source = current_priority(referral, records)
    decision = _latest(records.decisions.get(rid))
    computed = _latest(records.prioritisations.get(rid))
    if priority is None:
        status = "not_prioritised"
    elif decision and decision["kind"] in ("verified", "changed"):
        status = "verified"
    else:
        status = "awaiting_verification"
    checks = records.check_ins.get(rid, [])
    reached = [c for c in checks if c["outcome"] in REACHED]
    contacts = [(dt.date.fromisoformat(c["contact_date"]), "check-in") for c in reached]
    first = referral.get("first_contact_date")
    if first and first <= today:
        contacts.append((first, "first contact (extract)"))
    contacts.append((referral["received_date"], "referral received"))
    last_contact, last_contact_kind = max(contacts, key=lambda c: c[0])
    weeks = tool.interval_weeks(priority)
    due = last_contact + dt.timedelta(weeks=weeks)
    latest_check = _latest(checks)
    closing = bool(latest_check and latest_check["outcome"] == "no_longer_needs_assessment")
    overdue = due < today and not closing
    return {
        "referral_id": rid, "person_id": referral["person_id"], "team": referral["team"],
        "locality": referral.get("locality"), "received_date": referral["received_date"],
        "wait_days": (today - referral["received_date"]).days, "referral_source": referral.get("referral_source"),
        "discipline_needed": referral.get("discipline_needed"),
        "priority": priority, "priority_key": priority or NOT_PRIORITISED, "priority_source": source,
        "priority_source_text": SOURCES[source], "extract_priority": referral.get("priority"),
        "computed_priority": computed["priority"] if computed else None,
        "overrides": computed["overrides"] if computed else [],
        "status": status, "status_text": STATUSES[status],
        "verified_by": decision["decided_by"] if status == "verified" else None,
        "verified_on": dt.date.fromisoformat(decision["decided_on"]) if status == "verified" else None,
        "check_in_weeks": weeks, "last_contact": last_contact, "last_contact_kind": last_contact_kind,
        "last_check_in": latest_check, "next_check_in": due, "overdue": overdue,
        "days_overdue": (today - due).days if overdue else 0,
        "needs_reprioritising": _open_change(records, rid) is not None,
        "no_longer_needs_assessment": closing,
    }


def _scope(store_dir: Path | str, today: dt.date, team: str | None, teams: frozenset[str] | set[str] | None
           ) -> list[dict[str, Any]]:
    """The waiting list, limited to one team (checked against the extract) and/or a set of teams."""
    team = (team or "").strip() or None
    if team is not None:
        known = referral_teams(store_dir, today)
        if team not in known:
            raise WorkspaceError(f"team {team!r} is not in the referrals extract; the teams are "
                                 + (", ".join(known) or "none (no referrals loaded)"))
    return [r for r in waiting_list(store_dir, today)
            if (team is None or r["team"] == team) and (teams is None or r["team"] in teams)]


def queue(ws: Workspace, store_dir: Path | str, today: dt.date, team: str | None = None,
          teams: frozenset[str] | set[str] | None = None, tool: Tool | None = None) -> list[dict[str, Any]]:
    """Everyone waiting on ``today``: high, medium, low, then not prioritised; oldest referral first within
    each. ``teams`` limits the list (a team manager's own teams)."""
    tool = tool or load_tool()
    records = Records.read(ws)
    items = [item(r, records, tool, today) for r in _scope(store_dir, today, team, teams)]
    items.sort(key=lambda i: (RANK[i["priority_key"]], i["received_date"], i["referral_id"]))
    return items


def queue_summary(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per team: how many wait at each priority, and how many are verified, awaiting verification or overdue."""
    by_team: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for i in items:
        by_team[i["team"]].append(i)
    out = []
    for team in sorted(by_team):
        mine = by_team[team]
        out.append({"team": team, "waiting": len(mine),
                    "by_priority": {p: sum(1 for i in mine if i["priority_key"] == p) for p in RANK},
                    "by_status": {s: sum(1 for i in mine if i["status"] == s) for s in STATUSES},
                    "overdue_check_ins": sum(1 for i in mine if i["overdue"]),
                    "needs_reprioritising": sum(1 for i in mine if i["needs_reprioritising"])})
    return out


def waiting_well(ws: Workspace, store_dir: Path | str, today: dt.date, team: str | None = None,
                 teams: frozenset[str] | set[str] | None = None, tool: Tool | None = None) -> dict[str, Any]:
    """Overdue check-ins per team (most overdue first), with people whose circumstances changed and who
    still need re-prioritising, and people a check-in found no longer need an assessment."""
    tool = tool or load_tool()
    items = queue(ws, store_dir, today, team=team, teams=teams, tool=tool)
    by_team: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for i in items:
        by_team[i["team"]].append(i)
    out = []
    for name in sorted(by_team):
        mine = by_team[name]
        overdue = sorted((i for i in mine if i["overdue"]),
                         key=lambda i: (-i["days_overdue"], RANK[i["priority_key"]], i["referral_id"]))
        out.append({"team": name, "waiting": len(mine), "overdue": overdue,
                    "needs_reprioritising": [i for i in mine if i["needs_reprioritising"]],
                    "no_longer_needs_assessment": [i for i in mine if i["no_longer_needs_assessment"]]})
    return {"today": today, "check_in_weeks": dict(tool.check_in_weeks), "teams": out,
            "overdue_total": sum(len(t["overdue"]) for t in out)}


def _dated(rows_: list[dict[str, Any]], column: str) -> list[dict[str, Any]]:
    """Newest first, with the ISO date column as a date."""
    return [{**r, column: dt.date.fromisoformat(r[column])} for r in reversed(rows_)]


def _detail(ws: Workspace, referral: dict[str, Any], today: dt.date, tool: Tool) -> dict[str, Any]:
    rid = referral["referral_id"]
    records = Records.read(ws, rid)
    return {**item(referral, records, tool, today),
            "prioritisations": _dated(records.prioritisations.get(rid, []), "prioritised_on"),
            "decisions": _dated(records.decisions.get(rid, []), "decided_on"),
            "check_ins": _dated(records.check_ins.get(rid, []), "contact_date")}


def detail(ws: Workspace, store_dir: Path | str, referral_id: str, today: dt.date,
           tool: Tool | None = None) -> dict[str, Any]:
    """One person waiting with the full history recorded here (newest first)."""
    return _detail(ws, waiting_referral(store_dir, referral_id, today), today, tool or load_tool())


# -- writes -----------------------------------------------------------------------------------------------------------
def _day(value: dt.date | str | None, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise WorkspaceError(f"{name} {value!r} is not a date (use 2025-03-31)") from None


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _need_reason(value: str | None, what: str) -> str:
    text = _text(value)
    if text is None or len(text) < MIN_REASON:
        raise WorkspaceError(f"{what}: give a reason of at least {MIN_REASON} characters")
    return text


def _insert_prioritisation(con, rid: str, scored: Scored, tool: Tool, notes: str | None, actor: str,
                           today: dt.date) -> int:
    cur = con.execute(
        "INSERT INTO referral_prioritisations (referral_id, tool_version, answers, score, score_priority, overrides, "
        "priority, notes, prioritised_on, prioritised_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (rid, tool.version, json.dumps(scored.answers, sort_keys=True), scored.score, scored.score_priority,
         json.dumps(list(scored.overrides)), scored.priority, notes, today.isoformat(), actor, utc_now()))
    return int(cur.lastrowid)


def _insert_decision(con, rid: str, kind: str, before: tuple[str | None, str], priority: str, actor: str,
                     today: dt.date, *, reason: str | None = None, what_changed: str | None = None,
                     prioritisation_id: int | None = None, check_in_id: int | None = None) -> int:
    cur = con.execute(
        "INSERT INTO priority_decisions (referral_id, kind, priority_before, source_before, priority, reason, "
        "what_changed, prioritisation_id, check_in_id, decided_on, decided_by, recorded_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (rid, kind, before[0], before[1], priority, reason, what_changed, prioritisation_id, check_in_id,
         today.isoformat(), actor, utc_now()))
    return int(cur.lastrowid)


def _insert_check_in(con, rid: str, when: dt.date, outcome: str, notes: str | None, actor: str) -> int:
    cur = con.execute("INSERT INTO waiting_check_ins (referral_id, contact_date, outcome, notes, checked_by, "
                      "recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
                      (rid, when.isoformat(), outcome, notes, actor, utc_now()))
    cid = int(cur.lastrowid)
    Workspace.log(con, actor, "referral_check_in", rid, "check_in", check_in_id=cid, outcome=outcome,
                  contact_date=when, notes=notes)
    return cid


def prioritise(ws: Workspace, store_dir: Path | str, referral_id: str, answers: dict[str, str], actor: str,
               today: dt.date, notes: str | None = None, tool: Tool | None = None) -> dict[str, Any]:
    """Record the tool's answers for a referral on the waiting list: its first priority here. Later changes
    go through :func:`reprioritise` (with what changed) so the history says why."""
    return _prioritise(ws, waiting_referral(store_dir, referral_id, today), answers, actor, today, notes,
                       tool or load_tool())


def _prioritise(ws: Workspace, referral: dict[str, Any], answers: dict[str, str], actor: str, today: dt.date,
                notes: str | None, tool: Tool) -> dict[str, Any]:
    rid = referral["referral_id"]
    priority, source = current_priority(referral, Records.read(ws, rid))
    if source not in ("extract", "none"):
        raise WorkspaceError(f"referral {rid} already has a priority recorded here ({priority}, "
                             f"{SOURCES[source]}); to change it, re-prioritise and say what changed")
    scored = tool.score(answers)
    with ws.transaction() as con:
        pid = _insert_prioritisation(con, rid, scored, tool, _text(notes), actor, today)
        Workspace.log(con, actor, "referral_priority", rid, "prioritise", prioritisation_id=pid, score=scored.score,
                      score_priority=scored.score_priority, overrides=list(scored.overrides),
                      priority=scored.priority, extract_priority=referral.get("priority"),
                      tool_version=tool.version, on=today)
    return _detail(ws, referral, today, tool)


def verify(ws: Workspace, store_dir: Path | str, referral_id: str, actor: str, today: dt.date,
           priority: str | None = None, reason: str | None = None, tool: Tool | None = None) -> dict[str, Any]:
    """A practice supervisor verifies the priority in force, or changes it (a reason is required)."""
    return _verify(ws, waiting_referral(store_dir, referral_id, today), actor, today, priority, reason,
                   tool or load_tool())


def _verify(ws: Workspace, referral: dict[str, Any], actor: str, today: dt.date, priority: str | None,
            reason: str | None, tool: Tool) -> dict[str, Any]:
    rid = referral["referral_id"]
    records = Records.read(ws, rid)
    before = current_priority(referral, records)
    chosen = _clean_priority(priority) or before[0]
    if chosen is None:
        raise WorkspaceError(f"referral {rid} has no priority to verify; choose a priority and give a reason")
    kind = "verified" if chosen == before[0] else "changed"
    why = _text(reason)
    if kind == "changed":
        why = _need_reason(reason, f"to change the priority from {before[0] or 'none'} to {chosen}")
    change = _open_change(records, rid)
    with ws.transaction() as con:
        did = _insert_decision(con, rid, kind, before, chosen, actor, today, reason=why,
                               check_in_id=change["id"] if change else None)
        Workspace.log(con, actor, "referral_priority", rid, kind, decision_id=did, priority_before=before[0],
                      source_before=before[1], priority=chosen, reason=why, on=today)
    return _detail(ws, referral, today, tool)


def reprioritise(ws: Workspace, store_dir: Path | str, referral_id: str, actor: str, today: dt.date,
                 what_changed: str, priority: str | None = None, answers: dict[str, str] | None = None,
                 reason: str | None = None, tool: Tool | None = None) -> dict[str, Any]:
    """Record a new priority because circumstances changed. With fresh ``answers`` the tool re-scores them
    and its priority applies unless ``priority`` says otherwise (then a reason is needed); without answers,
    ``priority`` is required. The new priority awaits a supervisor's verification."""
    tool = tool or load_tool()
    referral = waiting_referral(store_dir, referral_id, today)
    rid = referral["referral_id"]
    changed = _need_reason(what_changed, "say what changed in the person's circumstances")
    records = Records.read(ws, rid)
    before = current_priority(referral, records)
    chosen = _clean_priority(priority)
    scored = tool.score(answers) if answers else None
    why = _text(reason)
    if scored is None and chosen is None:
        raise WorkspaceError("choose the new priority (high, medium or low), or answer the questions again")
    if scored is not None and chosen not in (None, scored.priority):
        why = _need_reason(reason, f"the tool gives {scored.priority} (score {scored.score}); to record {chosen} "
                                   "instead")
    final = chosen or scored.priority if scored else chosen
    change = _open_change(records, rid)
    with ws.transaction() as con:
        pid = _insert_prioritisation(con, rid, scored, tool, changed, actor, today) if scored else None
        did = _insert_decision(con, rid, "reprioritised", before, str(final), actor, today, reason=why,
                               what_changed=changed, prioritisation_id=pid,
                               check_in_id=change["id"] if change else None)
        Workspace.log(con, actor, "referral_priority", rid, "reprioritise", decision_id=did,
                      prioritisation_id=pid, priority_before=before[0], source_before=before[1], priority=final,
                      what_changed=changed, reason=why, score=scored.score if scored else None, on=today)
    return _detail(ws, referral, today, tool)


def check_in(ws: Workspace, store_dir: Path | str, referral_id: str, outcome: str, actor: str, today: dt.date,
             contact_date: dt.date | str | None = None, notes: str | None = None, priority: str | None = None,
             tool: Tool | None = None) -> dict[str, Any]:
    """Record a contact with a person waiting. "circumstances_changed" needs notes saying what changed and,
    with ``priority``, re-prioritises at once; otherwise the person is flagged for re-prioritising."""
    return _check_in(ws, waiting_referral(store_dir, referral_id, today), outcome, actor, today, contact_date,
                     notes, priority, tool or load_tool())


def _check_in(ws: Workspace, referral: dict[str, Any], outcome: str, actor: str, today: dt.date,
              contact_date: dt.date | str | None, notes: str | None, priority: str | None,
              tool: Tool) -> dict[str, Any]:
    outcome = (outcome or "").strip().lower().replace(" ", "_").replace("-", "_")
    if outcome not in OUTCOMES:
        raise WorkspaceError(f"outcome {outcome!r} must be one of {', '.join(OUTCOMES)}")
    when = _day(contact_date, "contact date") or today
    if when > today:
        raise WorkspaceError(f"contact date {when:%d/%m/%Y} is in the future (today is {today:%d/%m/%Y})")
    rid = referral["referral_id"]
    if when < referral["received_date"]:
        raise WorkspaceError(f"contact date {when:%d/%m/%Y} is before the referral was received "
                             f"({referral['received_date']:%d/%m/%Y})")
    text = _text(notes)
    new_priority = _clean_priority(priority)
    if outcome == "circumstances_changed":
        text = _need_reason(notes, "say what changed in the person's circumstances")
    elif new_priority:
        raise WorkspaceError("a new priority can only be recorded with the outcome circumstances_changed")
    before = current_priority(referral, Records.read(ws, rid))
    with ws.transaction() as con:
        cid = _insert_check_in(con, rid, when, outcome, text, actor)
        if new_priority:
            did = _insert_decision(con, rid, "reprioritised", before, new_priority, actor, today,
                                   what_changed=text, check_in_id=cid)
            Workspace.log(con, actor, "referral_priority", rid, "reprioritise", decision_id=did, check_in_id=cid,
                          priority_before=before[0], source_before=before[1], priority=new_priority,
                          what_changed=text, on=today)
    return _detail(ws, referral, today, tool)


# -- demo -----------------------------------------------------------------------------------------------------------
#: Answer profiles that give each priority with the packaged tool (a realistic situation for each).
DEMO_ANSWERS: dict[str, dict[str, str]] = {
    "low": {"safety": "none_known", "essential_care": "met", "carer": "coping", "hospital": "not_in_hospital",
            "safeguarding": "none", "deterioration": "stable", "support_network": "daily",
            "interim_support": "in_place"},
    "medium": {"safety": "soon", "essential_care": "partly", "carer": "no_carer", "hospital": "not_in_hospital",
               "safeguarding": "none", "deterioration": "stable", "support_network": "some",
               "interim_support": "in_place"},
    # Both score as medium; the override rules make them high.
    "carer_breakdown": {"safety": "none_known", "essential_care": "met", "carer": "broken_down",
                        "hospital": "not_in_hospital", "safeguarding": "none", "deterioration": "stable",
                        "support_network": "daily", "interim_support": "none"},
    "hospital_discharge": {"safety": "none_known", "essential_care": "met", "carer": "no_carer",
                           "hospital": "awaiting_discharge", "safeguarding": "none", "deterioration": "stable",
                           "support_network": "daily", "interim_support": "none"},
}
DEMO_PRIORITISER = "shct-screener"
DEMO_SUPERVISOR = "practice-supervisor"
DEMO_OFFICER = "waiting-well-officer"
#: Supervisors' changes: one raises a priority a level, one lowers it, each with the reason given.
DEMO_CHANGES = (
    (-1, "Daughter who visited daily has moved away; the person is now alone most of the week"),
    (1, "Occupational therapy equipment delivered and reablement in place; the risk is lower than scored"),
)


def _demo_profile(referral: dict[str, Any], n: int) -> str:
    """A profile matching the extract's priority; some hospital referrals and some medium ones get the
    situations the override rules are for (awaiting discharge, carer breakdown)."""
    extract = referral.get("priority") or "medium"
    if referral.get("referral_source") == "Hospital" and n % 3 == 0:
        return "hospital_discharge"
    if extract == "medium" and n % 7 == 3:
        return "carer_breakdown"
    return extract if extract in DEMO_ANSWERS else "medium"


def _step(priority: str, by: int) -> str | None:
    """The priority ``by`` levels away (-1 = higher), or None past either end."""
    i = PRIORITIES.index(priority) + by
    return PRIORITIES[i] if 0 <= i < len(PRIORITIES) else None


def _spread(items: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    """``k`` items evenly spread from oldest to newest (all of them if there are fewer)."""
    if len(items) <= k:
        return list(items)
    return [items[i * (len(items) - 1) // (k - 1)] for i in range(k)]


def seed_demo(ws: Workspace, store_dir: Path, today: dt.date) -> None:
    """Demo records for the people waiting in the demo store on ``today``.

    In each team, twelve referrals spread from the oldest to the newest are prioritised with the tool the
    day after they arrived; most are verified by a practice supervisor three days after arrival (two
    changed with reasons, every fourth still awaiting a supervisor). Everyone waiting a week or more has
    had check-ins at their priority's interval (some calls not answered and retried), except two people a
    team whose last contact is now overdue; three check-ins report changes (one re-prioritised at once,
    one still to re-prioritise, one no longer needing an assessment). Deterministic; re-running adds
    nothing once any prioritisation exists."""
    with ws.read() as con:
        if con.execute("SELECT count(*) FROM referral_prioritisations").fetchone()[0]:
            return
    try:
        people = waiting_list(store_dir, today)
    except WorkspaceError:
        return
    tool = load_tool()
    by_team: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in people:
        by_team[r["team"]].append(r)
    changes = list(DEMO_CHANGES)
    chosen: list[dict[str, Any]] = []
    for t, team in enumerate(sorted(by_team)):
        for n, r in enumerate(_spread(by_team[team], 12)):
            waited = (today - r["received_date"]).days
            on = r["received_date"] + dt.timedelta(days=min(1, waited))
            done = _prioritise(ws, r, DEMO_ANSWERS[_demo_profile(r, n + t)], DEMO_PRIORITISER, on, None, tool)
            if n % 4 == 3 or waited < 3:
                continue
            other, reason = None, None
            if n % 5 == 2 or done["priority"] == "medium":
                fits = [c for c in changes if _step(done["priority"], c[0])]
                if fits:
                    changes.remove(fits[0])
                    other, reason = _step(done["priority"], fits[0][0]), fits[0][1]
            _verify(ws, r, DEMO_SUPERVISOR, r["received_date"] + dt.timedelta(days=3), other, reason, tool)
            chosen.append(r)
    _seed_routine_check_ins(ws, by_team, today, tool, keep_in_touch={r["referral_id"] for r in chosen})
    _seed_changes(ws, [r for r in chosen if (today - r["received_date"]).days >= 10], today, tool)


def _seed_routine_check_ins(ws: Workspace, by_team: dict[str, list[dict[str, Any]]], today: dt.date,
                            tool: Tool, keep_in_touch: set[str]) -> None:
    """Check-ins a day before each is due, from the first contact on; every sixth call is not answered and
    retried two days later. The two longest waiters in each team whose interval allows it (and who are not
    in ``keep_in_touch``) are left with their last contact more than an interval ago (overdue)."""
    records = Records.read(ws)
    with ws.transaction() as con:
        for team in sorted(by_team):
            left_overdue = 0
            for n, r in enumerate(by_team[team]):
                priority, _ = current_priority(r, records)
                weeks = dt.timedelta(weeks=tool.interval_weeks(priority))
                start = r["first_contact_date"] or r["received_date"]
                stop = today
                if (left_overdue < 2 and r["referral_id"] not in keep_in_touch
                        and today - start > weeks + dt.timedelta(days=3)):
                    stop, left_overdue = today - weeks - dt.timedelta(days=3), left_overdue + 1
                day = start + weeks - dt.timedelta(days=1)
                k = 0
                while day <= stop:
                    k += 1
                    if (k + n) % 6 == 0 and day + dt.timedelta(days=2) <= stop:
                        _insert_check_in(con, r["referral_id"], day, "not_reached", None, DEMO_OFFICER)
                        day += dt.timedelta(days=2)
                    _insert_check_in(con, r["referral_id"], day, "no_change", None, DEMO_OFFICER)
                    day += weeks - dt.timedelta(days=1)


def _seed_changes(ws: Workspace, verified: list[dict[str, Any]], today: dt.date, tool: Tool) -> None:
    """Three check-ins two days ago that found things had changed."""
    when = today - dt.timedelta(days=2)
    notes = (("circumstances_changed", "Carer has been admitted to hospital; managing with neighbours' help", "high"),
             ("circumstances_changed", "Had a fall at home last week; family now visiting twice a day", None),
             ("no_longer_needs_assessment", "Has moved in with family out of county and asked for the referral "
                                            "to be closed", None))
    for r, (outcome, text, priority) in zip(verified[1::5], notes, strict=False):
        _check_in(ws, r, outcome, DEMO_OFFICER, today, when, text, priority, tool)

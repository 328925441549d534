"""The adult social care risk register: risks, their score history, escalation and the heat map.

A risk has a cause and an effect, an owner, controls, and the improvement-plan actions that mitigate
it. It is scored on the council's 5x5 matrix twice: *inherent* (before controls) and *residual*
(with controls in place). Every scoring is kept with its date, so the register can say how a risk
has moved (direction of travel) and what it looked like at any past date: :func:`top_risks` for the
monthly report of March shows the scores as they stood at the end of March.

The scoring rules are in :mod:`asc_assure.domain.risk_rules`; the numbers a council may change (bands,
escalation threshold) in ``risk_budget_settings.yaml`` (see :func:`load_settings`).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import sqlite3
from collections.abc import Iterable
from copy import deepcopy
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError, rows, utc_now
from asc_assure.domain import risk_rules as rr

SETTINGS_FILE = "risk_budget_settings.yaml"
ENTITY = "risk"
STATUSES = ("open", "closed")
TEXT_FIELDS = ("title", "cause", "effect", "category", "owner", "controls")
REQUIRED_FIELDS = ("title", "cause", "effect", "owner")
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
_RESERVED_REFS = {"new", "heat-map"}  # would clash with the web pages' own paths
MAX_TEXT = 4000


# -- settings -----------------------------------------------------------------------------------------
def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def settings_override_path(ws: Workspace) -> Path:
    """Where a council puts its own settings for one store: ``<store>/workspace/risk_budget_settings.yaml``."""
    return ws.root / SETTINGS_FILE


def load_settings(ws: Workspace | None = None) -> dict[str, Any]:
    """The shipped defaults, with the store's own settings file (if any) laid over them key by key."""
    text = (resources.files("asc_assure.assurance") / SETTINGS_FILE).read_text(encoding="utf-8")
    merged = yaml.safe_load(text)
    if ws is not None:
        path = settings_override_path(ws)
        if path.is_file():
            try:
                override = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                raise WorkspaceError(f"{path}: is not valid YAML ({exc.__class__.__name__})") from None
            if not isinstance(override, dict):
                raise WorkspaceError(f"{path}: must contain 'risk:' and/or 'budget:' settings")
            merged = _merge(merged, override)
    return merged


def risk_settings(ws: Workspace | None = None) -> rr.RiskSettings:
    try:
        return rr.parse_risk_settings(load_settings(ws).get("risk"))
    except ValueError as exc:
        raise WorkspaceError(f"risk settings: {exc}") from None


# -- validation ---------------------------------------------------------------------------------------
def _rating(value: Any, field: str) -> int:
    try:
        return rr.check_rating(value, field)
    except ValueError as exc:
        raise WorkspaceError(str(exc)) from None


def _text(value: Any, field: str, required: bool) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise WorkspaceError(f"{field} is required")
    if len(text) > MAX_TEXT:
        raise WorkspaceError(f"{field} is too long ({len(text)} characters; at most {MAX_TEXT})")
    return text


def _scores(il: Any, ii: Any, rl: Any, ri: Any) -> dict[str, int]:
    s = {"inherent_likelihood": _rating(il, "inherent likelihood"), "inherent_impact": _rating(ii, "inherent impact"),
         "residual_likelihood": _rating(rl, "residual likelihood"), "residual_impact": _rating(ri, "residual impact")}
    inherent = s["inherent_likelihood"] * s["inherent_impact"]
    residual = s["residual_likelihood"] * s["residual_impact"]
    if residual > inherent:
        raise WorkspaceError(
            f"residual score {residual} ({s['residual_likelihood']} x {s['residual_impact']}) cannot be higher "
            f"than the inherent score {inherent} ({s['inherent_likelihood']} x {s['inherent_impact']}): controls "
            "do not make a risk worse; re-score the inherent risk too if it has grown")
    return s


def _plan_checker():
    """``asc_assure.assurance.plan.action_exists`` when the improvement plan module is installed."""
    if importlib.util.find_spec("asc_assure.assurance.plan") is None:
        return None
    from asc_assure.assurance import plan

    return getattr(plan, "action_exists", None)


def _action_refs(ws: Workspace, refs: Iterable[str] | str | None) -> list[str]:
    if refs is None:
        return []
    if isinstance(refs, str):
        refs = re.split(r"[,\s]+", refs)
    cleaned: list[str] = []
    for r in refs:
        r = str(r).strip()
        if r and r not in cleaned:
            cleaned.append(r)
    exists = _plan_checker()
    if exists is not None:
        missing = [r for r in cleaned if not exists(ws, r)]
        if missing:
            which = ", ".join(repr(m) for m in missing)
            verb = "is" if len(missing) == 1 else "are"
            raise WorkspaceError(f"linked action{'s' if len(missing) > 1 else ''} {which} {verb} not in the "
                                 "improvement plan (check the action reference)")
    return cleaned


def _date(value: dt.date | str | None, field: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise WorkspaceError(f"{field} {value!r} is not a date (use 2025-03-31)") from None


# -- reading ------------------------------------------------------------------------------------------
def _risk_row(con: sqlite3.Connection, ref: str) -> dict[str, Any]:
    found = rows(con.execute("SELECT * FROM risks WHERE ref = ?", (str(ref).strip(),)))
    if not found:
        raise NotFound(f"there is no risk {ref!r} in the register")
    return found[0]


def _load(ws: Workspace, ref: str | None = None) -> tuple[list[dict[str, Any]], dict[int, list[dict[str, Any]]],
                                                           dict[int, list[str]]]:
    with ws.read() as con:
        if ref is None:
            risks = rows(con.execute("SELECT * FROM risks ORDER BY id"))
        else:
            risks = [_risk_row(con, ref)]
        ids = [r["id"] for r in risks]
        marks = ",".join("?" * len(ids)) or "NULL"
        scores = rows(con.execute(f"SELECT * FROM risk_scores WHERE risk_id IN ({marks}) "
                                  "ORDER BY risk_id, scored_on, id", ids))
        links = rows(con.execute(f"SELECT * FROM risk_actions WHERE risk_id IN ({marks}) "
                                 "ORDER BY action_ref", ids))
    history: dict[int, list[dict[str, Any]]] = {}
    for s in scores:
        history.setdefault(s["risk_id"], []).append(s)
    actions: dict[int, list[str]] = {}
    for a in links:
        actions.setdefault(a["risk_id"], []).append(a["action_ref"])
    return risks, history, actions


def _history_entry(s: dict[str, Any], settings: rr.RiskSettings) -> dict[str, Any]:
    inherent = s["inherent_likelihood"] * s["inherent_impact"]
    residual = s["residual_likelihood"] * s["residual_impact"]
    band = settings.band(residual)
    return {"scored_on": s["scored_on"], "inherent_likelihood": s["inherent_likelihood"],
            "inherent_impact": s["inherent_impact"], "inherent_score": inherent,
            "residual_likelihood": s["residual_likelihood"], "residual_impact": s["residual_impact"],
            "residual_score": residual, "band": band.name, "band_colour": band.colour,
            "escalated": rr.is_escalated(residual, settings.escalation_threshold),
            "note": s["note"], "actor": s["actor"]}


def _describe(risk: dict[str, Any], history: list[dict[str, Any]], actions: list[str],
              settings: rr.RiskSettings, today: dt.date | None) -> dict[str, Any] | None:
    """A risk as it stood on ``today`` (None: as it stands now); None if it had not been scored by then."""
    if today is not None:
        history = [s for s in history if s["scored_on"] <= today.isoformat()]
    if not history:
        return None
    entries = [_history_entry(s, settings) for s in history]
    current = entries[-1]
    closed = risk["status"] == "closed" and (today is None or (risk["closed_on"] or "") <= today.isoformat())
    previous = entries[-2]["residual_score"] if len(entries) > 1 else None
    inherent_band = settings.band(current["inherent_score"])
    return {
        "ref": risk["ref"], "title": risk["title"], "cause": risk["cause"], "effect": risk["effect"],
        "category": risk["category"], "owner": risk["owner"], "controls": risk["controls"],
        "linked_actions": list(actions), "status": "closed" if closed else "open",
        "closed_on": risk["closed_on"] if closed else None,
        **{k: current[k] for k in ("inherent_likelihood", "inherent_impact", "inherent_score",
                                   "residual_likelihood", "residual_impact", "residual_score", "band",
                                   "band_colour", "escalated")},
        "inherent_band": inherent_band.name, "inherent_band_colour": inherent_band.colour,
        "previous_residual_score": previous,
        "direction": rr.direction([e["residual_score"] for e in entries]),
        "last_scored_on": current["scored_on"], "first_scored_on": entries[0]["scored_on"],
        "history": entries,
    }


def get_risk(ws: Workspace, ref: str, today: dt.date | None = None) -> dict[str, Any]:
    """One risk with its full score history (oldest first), direction of travel and escalation."""
    risks, history, actions = _load(ws, ref)
    risk = risks[0]
    described = _describe(risk, history.get(risk["id"], []), actions.get(risk["id"], []), risk_settings(ws), today)
    if described is None:
        raise NotFound(f"risk {ref!r} had not been scored by {today.isoformat() if today else 'now'}")
    return described


def list_risks(ws: Workspace, today: dt.date | None = None, *, status: str | None = "open",
               band: str | None = None, owner: str | None = None,
               escalated: bool | None = None) -> list[dict[str, Any]]:
    """The register as it stood on ``today`` (None: now), highest residual score first.

    Filters: ``status`` open/closed (None for both), ``band`` name, ``owner`` (exact, any case),
    ``escalated`` True/False.
    """
    if status is not None and status not in STATUSES:
        raise WorkspaceError(f"status must be open or closed, not {status!r}")
    settings = risk_settings(ws)
    if band is not None and band.lower() not in {b.name.lower() for b in settings.bands}:
        raise WorkspaceError(f"band {band!r} is not one of {', '.join(b.name for b in settings.bands)}")
    risks, history, actions = _load(ws)
    out = []
    for r in risks:
        d = _describe(r, history.get(r["id"], []), actions.get(r["id"], []), settings, today)
        if d is None:
            continue
        if status is not None and d["status"] != status:
            continue
        if band is not None and d["band"].lower() != band.lower():
            continue
        if owner and d["owner"].lower() != owner.strip().lower():
            continue
        if escalated is not None and d["escalated"] != escalated:
            continue
        out.append(d)
    out.sort(key=lambda d: (-d["residual_score"], -d["inherent_score"], d["ref"]))
    return out


TOP_KEYS = ("ref", "title", "owner", "inherent_likelihood", "inherent_impact", "inherent_score",
            "residual_likelihood", "residual_impact", "residual_score", "band", "direction", "escalated",
            "controls", "linked_actions")


def top_risks(ws: Workspace, today: dt.date, n: int = 10) -> list[dict[str, Any]]:
    """The ``n`` open risks with the highest residual scores on ``today`` (for the monthly report)."""
    return [{k: d[k] for k in TOP_KEYS} for d in list_risks(ws, today, status="open")[:max(n, 0)]]


def heat_map(ws: Workspace, which: str = "residual", today: dt.date | None = None) -> list[list[int]]:
    """Counts of open risks on the 5x5 matrix, indexed ``[likelihood - 1][impact - 1]``."""
    if which not in ("residual", "inherent"):
        raise WorkspaceError(f"heat map must be 'residual' or 'inherent', not {which!r}")
    grid = [[0] * 5 for _ in range(5)]
    for d in list_risks(ws, today, status="open"):
        grid[d[f"{which}_likelihood"] - 1][d[f"{which}_impact"] - 1] += 1
    return grid


def owners(ws: Workspace) -> list[str]:
    with ws.read() as con:
        return [r[0] for r in con.execute("SELECT DISTINCT owner FROM risks ORDER BY owner COLLATE NOCASE")]


def heat_map_cells(ws: Workspace, which: str = "residual", today: dt.date | None = None) -> list[dict[str, Any]]:
    """The heat map as rows for a table, highest likelihood first (as the matrix is usually drawn)."""
    grid = heat_map(ws, which, today)
    settings = risk_settings(ws)
    out = []
    for likelihood in range(5, 0, -1):
        cells = []
        for impact in range(1, 6):
            band = settings.band(likelihood * impact)
            cells.append({"impact": impact, "count": grid[likelihood - 1][impact - 1], "score": likelihood * impact,
                          "band": band.name, "band_colour": band.colour})
        out.append({"likelihood": likelihood, "label": rr.LIKELIHOOD_LABELS[likelihood], "cells": cells})
    return out


# -- writing ------------------------------------------------------------------------------------------
def _next_ref(con: sqlite3.Connection) -> str:
    n = con.execute("SELECT COUNT(*) FROM risks").fetchone()[0] + 1
    while con.execute("SELECT 1 FROM risks WHERE ref = ?", (f"R{n:03d}",)).fetchone():
        n += 1
    return f"R{n:03d}"


def _escalation_change(con: sqlite3.Connection, actor: str, ref: str, before: int | None, after: int,
                       threshold: int) -> str | None:
    was = before is not None and rr.is_escalated(before, threshold)
    now = rr.is_escalated(after, threshold)
    if now and not was:
        Workspace.log(con, actor, ENTITY, ref, "escalate", residual_score=after, threshold=threshold)
        return "escalated"
    if was and not now:
        Workspace.log(con, actor, ENTITY, ref, "de-escalate", residual_score=after, threshold=threshold)
        return "de-escalated"
    return None


def add_risk(ws: Workspace, *, actor: str, today: dt.date, title: str, cause: str, effect: str, owner: str,
             inherent_likelihood: Any, inherent_impact: Any, residual_likelihood: Any, residual_impact: Any,
             category: str = "", controls: str = "", linked_actions: Iterable[str] | str | None = None,
             ref: str | None = None, scored_on: dt.date | str | None = None, note: str = "") -> dict[str, Any]:
    """Add a risk with its first scoring (dated ``scored_on``, default ``today``)."""
    fields = {f: _text(v, f, f in REQUIRED_FIELDS) for f, v in
              (("title", title), ("cause", cause), ("effect", effect), ("category", category),
               ("owner", owner), ("controls", controls))}
    scores = _scores(inherent_likelihood, inherent_impact, residual_likelihood, residual_impact)
    on = _date(scored_on, "date scored") or today
    if on > today:
        raise WorkspaceError(f"date scored {on.isoformat()} is in the future")
    refs = _action_refs(ws, linked_actions)
    threshold = risk_settings(ws).escalation_threshold
    if ref is not None and str(ref).strip():
        ref = str(ref).strip()
        if not _REF.match(ref) or ref.lower() in _RESERVED_REFS:
            raise WorkspaceError(f"risk reference {ref!r} is not valid: use up to 20 letters, digits, '.', '-' or '_'")
    now = utc_now()
    with ws.transaction() as con:
        if not ref:
            ref = _next_ref(con)
        elif con.execute("SELECT 1 FROM risks WHERE ref = ?", (ref,)).fetchone():
            raise WorkspaceError(f"risk reference {ref!r} is already in use")
        cur = con.execute(
            "INSERT INTO risks (ref, title, cause, effect, category, owner, controls, status, created_at, "
            "created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)",
            (ref, fields["title"], fields["cause"], fields["effect"], fields["category"], fields["owner"],
             fields["controls"], now, actor, now))
        risk_id = cur.lastrowid
        _insert_score(con, risk_id, on, scores, note, actor)
        con.executemany("INSERT INTO risk_actions (risk_id, action_ref) VALUES (?, ?)", [(risk_id, r) for r in refs])
        Workspace.log(con, actor, ENTITY, ref, "create", **fields, **scores, scored_on=on.isoformat(),
                      linked_actions=refs)
        _escalation_change(con, actor, ref, None, scores["residual_likelihood"] * scores["residual_impact"], threshold)
    return get_risk(ws, ref)


def _insert_score(con: sqlite3.Connection, risk_id: int, on: dt.date, scores: dict[str, int], note: str,
                  actor: str) -> None:
    con.execute(
        "INSERT INTO risk_scores (risk_id, scored_on, inherent_likelihood, inherent_impact, residual_likelihood, "
        "residual_impact, note, actor, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (risk_id, on.isoformat(), scores["inherent_likelihood"], scores["inherent_impact"],
         scores["residual_likelihood"], scores["residual_impact"], _text(note, "note", False), actor, utc_now()))


def rescore(ws: Workspace, ref: str, *, actor: str, today: dt.date, residual_likelihood: Any, residual_impact: Any,
            inherent_likelihood: Any = None, inherent_impact: Any = None, on: dt.date | str | None = None,
            note: str = "") -> dict[str, Any]:
    """Record a new scoring (appended to the history); the inherent score is kept unless given.

    Returns the risk as it now stands, with ``escalation`` set to "escalated" or "de-escalated" when
    this scoring crossed the escalation threshold.
    """
    on = _date(on, "date scored") or today
    if on > today:
        raise WorkspaceError(f"date scored {on.isoformat()} is in the future")
    threshold = risk_settings(ws).escalation_threshold
    with ws.transaction() as con:
        risk = _risk_row(con, ref)
        if risk["status"] == "closed":
            raise WorkspaceError(f"risk {risk['ref']} is closed: reopen it before re-scoring")
        last = con.execute("SELECT * FROM risk_scores WHERE risk_id = ? ORDER BY scored_on DESC, id DESC LIMIT 1",
                           (risk["id"],)).fetchone()
        if last is not None and on.isoformat() < last["scored_on"]:
            raise WorkspaceError(f"date scored {on.isoformat()} is before the last scoring ({last['scored_on']}): "
                                 "the score history is kept in date order")
        scores = _scores(last["inherent_likelihood"] if inherent_likelihood in (None, "") else inherent_likelihood,
                         last["inherent_impact"] if inherent_impact in (None, "") else inherent_impact,
                         residual_likelihood, residual_impact)
        _insert_score(con, risk["id"], on, scores, note, actor)
        con.execute("UPDATE risks SET updated_at = ? WHERE id = ?", (utc_now(), risk["id"]))
        before = last["residual_likelihood"] * last["residual_impact"] if last is not None else None
        after = scores["residual_likelihood"] * scores["residual_impact"]
        Workspace.log(con, actor, ENTITY, risk["ref"], "rescore", **scores, scored_on=on.isoformat(),
                      previous_residual_score=before, residual_score=after, note=note or None)
        change = _escalation_change(con, actor, risk["ref"], before, after, threshold)
    return {**get_risk(ws, risk["ref"]), "escalation": change}


def update_risk(ws: Workspace, ref: str, *, actor: str, today: dt.date, **changes: Any) -> dict[str, Any]:
    """Change a risk's description, owner, controls, linked actions or status (open/closed).

    Only the fields given are changed; scores change only through :func:`rescore`.
    """
    allowed = {*TEXT_FIELDS, "linked_actions", "status"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise WorkspaceError(f"cannot change {', '.join(unknown)} here (scores change by re-scoring)")
    with ws.transaction() as con:
        risk = _risk_row(con, ref)
        done: dict[str, Any] = {}
        for field in TEXT_FIELDS:
            if field in changes and changes[field] is not None:
                value = _text(changes[field], field, field in REQUIRED_FIELDS)
                if value != risk[field]:
                    con.execute(f"UPDATE risks SET {field} = ? WHERE id = ?", (value, risk["id"]))
                    done[field] = {"from": risk[field], "to": value}
        if changes.get("linked_actions") is not None:
            refs = _action_refs(ws, changes["linked_actions"])
            old = [r[0] for r in con.execute("SELECT action_ref FROM risk_actions WHERE risk_id = ? "
                                             "ORDER BY action_ref", (risk["id"],))]
            if sorted(refs) != old:
                con.execute("DELETE FROM risk_actions WHERE risk_id = ?", (risk["id"],))
                con.executemany("INSERT INTO risk_actions (risk_id, action_ref) VALUES (?, ?)",
                                [(risk["id"], r) for r in refs])
                done["linked_actions"] = {"from": old, "to": sorted(refs)}
        status = changes.get("status")
        if status is not None and status != risk["status"]:
            if status not in STATUSES:
                raise WorkspaceError(f"status must be open or closed, not {status!r}")
            closed_on = today.isoformat() if status == "closed" else None
            con.execute("UPDATE risks SET status = ?, closed_on = ? WHERE id = ?", (status, closed_on, risk["id"]))
            done["status"] = {"from": risk["status"], "to": status}
        if done:
            con.execute("UPDATE risks SET updated_at = ? WHERE id = ?", (utc_now(), risk["id"]))
            action = "close" if done.get("status", {}).get("to") == "closed" else (
                "reopen" if "status" in done else "update")
            Workspace.log(con, actor, ENTITY, risk["ref"], action, **done)
    return {**get_risk(ws, risk["ref"]), "changed": sorted(done)}


def changes(ws: Workspace, ref: str) -> list[dict[str, Any]]:
    """Who changed this risk, when and how (newest first)."""
    with ws.read() as con:
        risk = _risk_row(con, ref)
    return ws.changes(ENTITY, risk["ref"])


# -- demo ---------------------------------------------------------------------------------------------
# (title, category, owner, cause, effect, controls, words that pick the plan actions it links to,
#  [(months before today, inherent L, I, residual L, I), ...] oldest first)
_DEMO_RISKS: list[tuple[str, str, str, str, str, str, tuple[str, ...], list[tuple[int, int, int, int, int]]]] = [
    ("Social care workforce capacity", "Workforce", "Deputy Director, Adult Social Care",
     "Vacancies and turnover among social workers and occupational therapists, with reliance on agency staff.",
     "Assessments and reviews are delayed, waiting lists grow and people's needs escalate while they wait.",
     "Recruitment and retention plan; social work apprenticeships; agency reduction panel; weekly caseload review.",
     ("workforce development", "recruitment"), [(8, 5, 4, 4, 4), (5, 5, 4, 4, 4), (2, 5, 4, 3, 4)]),
    ("Care market sustainability", "Market", "Head of Commissioning",
     "Rising provider costs (National Living Wage, energy, insurance) outpace fee uplifts, especially in rural "
     "home care.",
     "Provider failure or hand-backs of packages, unmet need and delayed hospital discharge.",
     "Market position statement; fee uplift panel; provider failure protocol; Care Home Framework.",
     ("home care", "supported living framework"), [(9, 5, 5, 4, 4), (6, 5, 5, 4, 4), (3, 5, 5, 4, 4)]),
    ("Deprivation of Liberty Safeguards backlog", "Legal duty", "Head of DoLS and Mental Capacity",
     "DoLS applications arrive faster than Best Interests Assessors can complete them.",
     "People are deprived of their liberty without authorisation: unlawful detention, challenge and cost.",
     "Risk-based prioritisation (ADASS screening tool); additional BIA capacity funded from reserves.",
     ("dols",), [(10, 5, 4, 5, 4), (6, 5, 4, 4, 4), (2, 5, 4, 4, 4)]),
    ("Safeguarding enquiry timeliness", "Safeguarding", "Head of Safeguarding",
     "High volumes of concerns that do not meet the threshold for an enquiry reach the front door.",
     "Concerns that do need an enquiry are not responded to within the 1-2 day guideline.",
     "Multi-agency threshold guidance; daily triage; Safeguarding Adults Board performance subgroup.",
     ("raising a safeguarding concern", "notifications"), [(7, 4, 5, 3, 4), (4, 4, 5, 3, 4), (1, 4, 5, 2, 4)]),
    ("CQC assessment outcome", "Regulation", "Director of Adult Social Services",
     "Gaps in evidence, or inconsistent practice, against the CQC quality statements.",
     "A lower rating than the self-assessment expects, with reputational damage and intervention.",
     "Self-assessment kept current; evidence library; assurance board; peer review actions.",
     (), [(11, 4, 4, 3, 4), (7, 4, 4, 3, 3), (3, 4, 4, 2, 3)]),
    ("Adult social care budget pressure", "Finance", "Director of Finance (Adults)",
     "Demand growth and the cost of care exceed the budget; health reviews move packages to social care.",
     "Overspend against the directorate budget and savings not delivered.",
     "Monthly budget monitoring; savings programme board; demand management actions; contingency held centrally.",
     (), [(9, 5, 5, 3, 4), (6, 5, 5, 3, 4), (2, 5, 5, 4, 4)]),
    ("Data quality in the case management system", "Data", "Head of Performance and Information",
     "Incomplete or late recording of assessments, reviews and outcomes.",
     "Performance measures and statutory returns are unreliable; decisions are made on wrong figures.",
     "Data quality dashboard; recording standards; team manager checks; validation on every load.",
     ("record ethnicity",), [(8, 4, 3, 3, 3), (4, 4, 3, 3, 3)]),
    ("Transitions from children's services", "Transitions", "Head of Learning Disability and Autism",
     "Young people with complex needs are identified late for transition to adult services.",
     "Gaps in support at 18, placement breakdown and avoidable hospital admission.",
     "Preparing for adulthood panel from age 14; joint transitions protocol; Dynamic Support Register.",
     (), [(10, 4, 4, 4, 3), (5, 4, 4, 3, 3), (1, 4, 4, 3, 3)]),
    ("Waiting times for assessment", "Access", "Head of Locality Services",
     "Demand for Care Act assessments outstrips capacity in some localities.",
     "People wait too long for assessment; needs escalate; carers break down.",
     "Waiting list triage and contact at least monthly; duty system; trusted assessors.",
     ("appointment setting", "waiting lists"), [(9, 4, 4, 4, 4), (5, 4, 4, 4, 3), (1, 4, 4, 3, 3)]),
    ("Unpaid carers' support", "Carers", "Head of Prevention and Carers",
     "Carers are not identified or offered assessments early enough.",
     "Carer breakdown leads to emergency placements and poorer outcomes for the person cared for.",
     "Carers' champions in every team; commissioned carers' service; carers' assessments tracked monthly.",
     ("carer",), [(6, 3, 4, 3, 3), (2, 3, 4, 2, 3)]),
    ("Hospital discharge delays", "Partnerships", "Head of Hospital Social Work",
     "Shortage of home care and reablement capacity at the point of discharge.",
     "People stay in hospital longer than they need to, losing independence.",
     "Discharge to assess pathways; Better Care Fund schemes; daily system calls with the NHS.",
     ("discharge",), [(8, 4, 4, 3, 4), (4, 4, 4, 3, 3)]),
    ("Cyber attack on care records", "Information", "Head of Digital (Adults)",
     "Ransomware or compromise of the case management system or a provider's systems.",
     "Loss of access to care records; people's care disrupted; data breach.",
     "Business continuity plans; offline contact lists; supplier assurance; staff training.",
     (), [(7, 5, 5, 3, 5), (1, 5, 5, 3, 5)]),
]


def _plan_action_titles(ws: Workspace) -> list[tuple[str, str]]:
    """Refs and titles of improvement-plan actions, when the plan's table exists (demo linking only)."""
    with ws.read() as con:
        try:
            cols = {r[1] for r in con.execute("PRAGMA table_info(plan_actions)")}
            if "ref" not in cols:
                return []
            title = next((c for c in ("title", "description") if c in cols), "ref")
            return [(r[0], str(r[1] or "")) for r in con.execute(f"SELECT ref, {title} FROM plan_actions ORDER BY ref")]
        except sqlite3.Error:
            return []


def _months_before(today: dt.date, months: int) -> dt.date:
    y, m = divmod(today.year * 12 + today.month - 1 - months, 12)
    return dt.date(y, m + 1, min(today.day, 28))


def seed_demo(ws: Workspace, store_dir: Path, today: dt.date) -> None:
    """A demo register of twelve adult social care risks, each scored two or three times over the year.

    These are illustrative risks with invented scores (a register is the council's own judgement, not a
    measured value); they are marked as demo content in each risk's first scoring note.
    """
    with ws.read() as con:
        if con.execute("SELECT COUNT(*) FROM risks").fetchone()[0]:
            return
    plan_actions = _plan_action_titles(ws)
    for title, category, owner, cause, effect, controls, words, scores in _DEMO_RISKS:
        linked = [ref for ref, text in plan_actions if any(w in text.lower() for w in words)][:2]
        months, il, ii, rl, ri = scores[0]
        risk = add_risk(ws, actor="demo", today=today, title=title, cause=cause, effect=effect, owner=owner,
                        category=category, controls=controls, linked_actions=linked, inherent_likelihood=il,
                        inherent_impact=ii, residual_likelihood=rl, residual_impact=ri,
                        scored_on=_months_before(today, months), note="Demo risk (illustrative scores).")
        for months, il, ii, rl, ri in scores[1:]:
            rescore(ws, risk["ref"], actor="demo", today=today, inherent_likelihood=il, inherent_impact=ii,
                    residual_likelihood=rl, residual_impact=ri, on=_months_before(today, months),
                    note="Monthly review (demo).")

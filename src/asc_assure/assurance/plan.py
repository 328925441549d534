"""The improvement plan: workstreams, actions, success measures, findings and the action log.

After the LGA peer review and the CQC assessment a council keeps an improvement plan: workstreams
(with a lead and a sponsor), actions (owner, dates, status, % complete, dependencies, evidence of
completion), success measures drawn from the measures it already reports, and an action log of dated
progress updates. This module holds that plan in the assurance workspace and answers the questions
the leadership team asks of it each month: what is overdue, what is due soon, how each workstream
stands. Ratings are computed (``asc_assure.domain.plan_rag``), never typed, so they mean the same
thing in every workstream. Every write is attributed in the workspace change log.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError, rows, utc_now
from asc_assure.domain import plan_rag
from asc_assure.domain.plan_rag import CANCELLED, COMPLETE, STATUSES

REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,29}$")
DUE_SOON_DAYS = 30
VIEWS = ("workstream", "statement", "owner", "overdue", "due-soon")
STATUS_SYNONYMS = {"completed": COMPLETE, "done": COMPLETE, "onhold": "on hold", "not yet started": "not started",
                   "started": "in progress", "ongoing": "in progress"}


MULTILINE_FIELDS = {"evidence", "description", "note", "text"}


class FieldError(WorkspaceError):
    """A bad value in one field; ``field`` says which, so a form or spreadsheet can point at it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# -- cleaning what people type ------------------------------------------------------------------------
def clean_ref(value: Any, field: str = "ref", label: str = "reference") -> str:
    text = "" if value is None else str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():  # Excel turns 3 into 3.0
        text = text[:-2]
    if not text:
        raise FieldError(field, f"{label} is missing")
    if not REF_PATTERN.match(text):
        raise FieldError(field, f"{label} {text!r} is not valid: use up to 30 letters, digits, dots, "
                                "dashes or underscores, e.g. 1.3 or WS2")
    return text


def clean_text(value: Any, field: str, label: str, required: bool = False) -> str:
    """Trimmed text; one-line fields also have runs of spaces and line breaks collapsed."""
    if value is None:
        text = ""
    elif field in MULTILINE_FIELDS:
        text = str(value).strip()
    else:
        text = " ".join(str(value).split())
    if required and not text:
        raise FieldError(field, f"{label} is missing")
    return text


def clean_date(value: Any, field: str, label: str, required: bool = False) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            raise FieldError(field, f"{label} is missing")
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise FieldError(field, f"{label} {text!r} is not a date (use 31/03/2025 or 2025-03-31)")


def clean_status(value: Any) -> str:
    text = " ".join(str(value or "").strip().lower().replace("-", " ").replace("_", " ").split())
    if not text:
        return "not started"
    text = STATUS_SYNONYMS.get(text, text)
    if text not in STATUSES:
        raise FieldError("status", f"status {value!r} is not one of: {', '.join(STATUSES)}")
    return text


def clean_percent(value: Any) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    text = str(value).strip().rstrip("%").strip()
    try:
        number = float(text)
    except ValueError:
        raise FieldError("percent_complete", f"% complete {value!r} is not a number from 0 to 100") from None
    if not 0 <= number <= 100:
        raise FieldError("percent_complete", f"% complete {value!r} must be from 0 to 100")
    return round(number)


def split_list(value: Any) -> list[str]:
    """A cell or form field holding several refs or slugs: separated by commas, semicolons or new lines."""
    if value is None:
        return []
    if isinstance(value, list | tuple | set):
        items = [str(v) for v in value]
    else:
        items = re.split(r"[,;\n]+", str(value))
    out: list[str] = []
    for item in (i.strip() for i in items):
        if item and item not in out:
            out.append(item)
    return out


def clean_statements(value: Any, field: str = "statements") -> list[str]:
    from asc_assure.domain.cqc import load_framework

    known = load_framework().slugs
    slugs = [s.lower() for s in split_list(value)]
    bad = [s for s in slugs if s not in known]
    if bad:
        raise FieldError(field, f"unknown CQC quality statement {bad[0]!r}; use one of: {', '.join(known)}")
    return sorted(set(slugs), key=known.index)


def statement_titles() -> dict[str, str]:
    from asc_assure.domain.cqc import load_framework

    return {s.slug: s.title for s in load_framework().statements}


# -- reading --------------------------------------------------------------------------------------------
def _exists(con: sqlite3.Connection, table: str, ref: str) -> bool:
    return con.execute(f"SELECT 1 FROM {table} WHERE ref = ?", (ref,)).fetchone() is not None


def action_exists(ws: Workspace, ref: str) -> bool:
    """Is there an action with this ref? (The risk register links risks to actions with it.)"""
    with ws.read() as con:
        return _exists(con, "plan_actions", str(ref).strip())


def list_workstreams(ws: Workspace) -> list[dict[str, Any]]:
    with ws.read() as con:
        return rows(con.execute("SELECT * FROM plan_workstreams ORDER BY position, ref"))


def get_workstream(ws: Workspace, ref: str) -> dict[str, Any]:
    with ws.read() as con:
        found = rows(con.execute("SELECT * FROM plan_workstreams WHERE ref = ?", (ref,)))
    if not found:
        raise NotFound(f"no workstream {ref!r} in the improvement plan")
    return found[0]


def list_findings(ws: Workspace) -> list[dict[str, Any]]:
    with ws.read() as con:
        return rows(con.execute("SELECT * FROM plan_findings ORDER BY ref"))


def _raw_actions(con: sqlite3.Connection) -> list[dict[str, Any]]:
    actions = rows(con.execute(
        "SELECT a.*, w.name AS workstream, w.lead AS workstream_lead, w.position AS workstream_position "
        "FROM plan_actions a JOIN plan_workstreams w ON w.ref = a.workstream_ref"))
    deps: dict[str, list[str]] = {}
    for r in con.execute("SELECT action_ref, depends_on FROM plan_action_dependencies ORDER BY depends_on"):
        deps.setdefault(r[0], []).append(r[1])
    stmts: dict[str, list[str]] = {}
    for r in con.execute("SELECT action_ref, statement FROM plan_action_statements"):
        stmts.setdefault(r[0], []).append(r[1])
    for a in actions:
        a["depends_on"] = deps.get(a["ref"], [])
        a["statements"] = stmts.get(a["ref"], [])
    return actions


def _ref_key(ref: str) -> tuple:
    """Sort 1.2 before 1.10: numbers as numbers."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[._-]", ref))


def _rate(actions: list[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    from asc_assure.domain.cqc import load_framework

    order = load_framework().slugs
    ratings = plan_rag.rate_all({a["ref"]: {
        "status": a["status"], "percent_complete": a["percent_complete"],
        "start_date": dt.date.fromisoformat(a["start_date"]) if a["start_date"] else None,
        "due_date": dt.date.fromisoformat(a["due_date"]), "depends_on": a["depends_on"]} for a in actions}, today)
    for a in actions:
        rag, why = ratings[a["ref"]]
        due = dt.date.fromisoformat(a["due_date"])
        open_ = a["status"] not in (COMPLETE, CANCELLED)
        a["rag"], a["rag_label"], a["rag_reasons"] = rag, plan_rag.RAG_LABELS[rag], why
        a["overdue"] = open_ and due < today
        a["days_overdue"] = (today - due).days if a["overdue"] else 0
        a["due_soon"] = open_ and today <= due <= today + dt.timedelta(days=DUE_SOON_DAYS)
        a["statements"] = sorted(a["statements"], key=lambda s: order.index(s) if s in order else 99)
    actions.sort(key=lambda a: (a["workstream_position"], a["workstream_ref"], _ref_key(a["ref"])))
    return actions


def list_actions(ws: Workspace, today: dt.date, *, workstream: str | None = None, owner: str | None = None,
                 statement: str | None = None, view: str | None = None) -> list[dict[str, Any]]:
    """Rated actions, optionally only one workstream's, one owner's, one quality statement's, or only
    the overdue (view ``overdue``) or those due in the next 30 days (view ``due-soon``)."""
    with ws.read() as con:
        actions = _rate(_raw_actions(con), today)
    if workstream:
        actions = [a for a in actions if a["workstream_ref"] == workstream]
    if owner:
        actions = [a for a in actions if a["owner"] == owner]
    if statement:
        actions = [a for a in actions if statement in a["statements"]]
    if view == "overdue":
        actions = sorted((a for a in actions if a["overdue"]), key=lambda a: -a["days_overdue"])
    elif view == "due-soon":
        actions = sorted((a for a in actions if a["due_soon"]), key=lambda a: a["due_date"])
    return actions


def counts(actions: Iterable[dict[str, Any]]) -> dict[str, int]:
    """RAG counts; cancelled actions are left out of every count."""
    live = [a for a in actions if a["status"] != CANCELLED]
    return {"actions": len(live), "complete": sum(a["rag"] == plan_rag.DONE for a in live),
            "red": sum(a["rag"] == plan_rag.RED for a in live), "amber": sum(a["rag"] == plan_rag.AMBER for a in live),
            "green": sum(a["rag"] == plan_rag.GREEN for a in live), "overdue": sum(a["overdue"] for a in live),
            "due_30_days": sum(a["due_soon"] for a in live)}


def grouped(ws: Workspace, today: dt.date, by: str) -> list[dict[str, Any]]:
    """Actions in groups (``workstream``, ``statement`` or ``owner``), each with its RAG counts."""
    actions = list_actions(ws, today)
    groups: dict[str, dict[str, Any]] = {}
    if by == "workstream":
        for w in list_workstreams(ws):
            groups[w["ref"]] = {"key": w["ref"], "title": f"{w['ref']} {w['name']}", "lead": w["lead"],
                                "sponsor": w["sponsor"], "actions": []}
        for a in actions:
            groups[a["workstream_ref"]]["actions"].append(a)
    elif by == "statement":
        titles = statement_titles()
        for slug, title in titles.items():
            groups[slug] = {"key": slug, "title": title, "actions": []}
        groups[""] = {"key": "", "title": "Not linked to a quality statement", "actions": []}
        for a in actions:
            for slug in a["statements"] or [""]:
                groups[slug]["actions"].append(a)
    elif by == "owner":
        for a in sorted(actions, key=lambda a: a["owner"].lower()):
            key = a["owner"] or ""
            groups.setdefault(key, {"key": key, "title": key or "No owner", "actions": []})["actions"].append(a)
    else:
        raise WorkspaceError(f"cannot group the plan by {by!r}; use workstream, statement or owner")
    out = [g for g in groups.values() if g["actions"] or by == "workstream"]
    for g in out:
        g["counts"] = counts(g["actions"])
    return out


def get_action(ws: Workspace, ref: str, today: dt.date) -> dict[str, Any]:
    """One action, rated, with its action log (newest first) and what depends on it."""
    found = [a for a in list_actions(ws, today) if a["ref"] == ref]
    if not found:
        raise NotFound(f"no action {ref!r} in the improvement plan")
    action = found[0]
    with ws.read() as con:
        action["log"] = rows(con.execute(
            "SELECT * FROM plan_action_log WHERE action_ref = ? ORDER BY on_date DESC, id DESC", (ref,)))
        action["needed_by"] = [r[0] for r in con.execute(
            "SELECT action_ref FROM plan_action_dependencies WHERE depends_on = ? ORDER BY action_ref", (ref,))]
    return action


def action_log(ws: Workspace, ref: str | None = None) -> list[dict[str, Any]]:
    """Action log entries, oldest first (the order a spreadsheet keeps them)."""
    sql, args = "SELECT * FROM plan_action_log", []
    if ref:
        sql, args = sql + " WHERE action_ref = ?", [ref]
    with ws.read() as con:
        return rows(con.execute(sql + " ORDER BY action_ref, on_date, id", args))


# -- writing ---------------------------------------------------------------------------------------------
def _write(con: sqlite3.Connection, actor: str, table: str, entity: str, key: dict[str, Any],
           values: dict[str, Any]) -> str:
    """Insert or update one row by its key; log only real changes. Returns created/updated/unchanged."""
    where = " AND ".join(f"{k} = ?" for k in key)
    old = con.execute(f"SELECT * FROM {table} WHERE {where}", tuple(key.values())).fetchone()
    entity_id = "/".join(str(v) for v in key.values())
    if old is None:
        cols = {**key, **values}
        con.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                    tuple(cols.values()))
        Workspace.log(con, actor, entity, entity_id, "create", **values)
        return "created"
    diff = {k: {"old": old[k], "new": v} for k, v in values.items() if old[k] != v}
    if not diff:
        return "unchanged"
    sets = ", ".join(f"{k} = ?" for k in diff)
    con.execute(f"UPDATE {table} SET {sets} WHERE {where}",
                (*[d["new"] for d in diff.values()], *key.values()))
    Workspace.log(con, actor, entity, entity_id, "update", **diff)
    return "updated"


def _set_links(con: sqlite3.Connection, actor: str, table: str, owner_col: str, value_col: str, entity: str,
               ref: str, values: list[str]) -> bool:
    old = sorted(r[0] for r in con.execute(f"SELECT {value_col} FROM {table} WHERE {owner_col} = ?",
                                           (ref,)))
    if old == sorted(values):
        return False
    con.execute(f"DELETE FROM {table} WHERE {owner_col} = ?", (ref,))
    con.executemany(f"INSERT INTO {table} ({owner_col}, {value_col}) VALUES (?, ?)",
                    [(ref, v) for v in values])
    Workspace.log(con, actor, entity, ref, "update", **{value_col: {"old": old, "new": sorted(values)}})
    return True


def clean_workstream(raw: dict[str, Any]) -> dict[str, Any]:
    return {"ref": clean_ref(raw.get("ref"), "ref", "workstream reference"),
            "name": clean_text(raw.get("name"), "name", "workstream name", required=True),
            "lead": clean_text(raw.get("lead"), "lead", "lead"),
            "sponsor": clean_text(raw.get("sponsor"), "sponsor", "sponsor"),
            "description": clean_text(raw.get("description"), "description", "description")}


def write_workstream(con: sqlite3.Connection, actor: str, data: dict[str, Any]) -> str:
    clash = con.execute("SELECT ref FROM plan_workstreams WHERE name = ? AND ref <> ?",
                        (data["name"], data["ref"])).fetchone()
    if clash:
        raise FieldError("name", f"workstream name {data['name']!r} is already used by workstream {clash[0]}")
    values = {k: data[k] for k in ("name", "lead", "sponsor", "description")}
    if not _exists(con, "plan_workstreams", data["ref"]):
        values["position"] = con.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM plan_workstreams").fetchone()[0]
    return _write(con, actor, "plan_workstreams", "plan_workstream", {"ref": data["ref"]}, values)


def save_workstream(ws: Workspace, actor: str, **raw: Any) -> str:
    """Add or change a workstream (by its ref)."""
    data = clean_workstream(raw)
    with ws.transaction() as con:
        return write_workstream(con, actor, data)


def clean_finding(raw: dict[str, Any]) -> dict[str, Any]:
    statement = clean_statements(raw.get("statement"), "statement")
    if len(statement) > 1:
        raise FieldError("statement", "a finding belongs to one quality statement; give only one")
    return {"ref": clean_ref(raw.get("ref"), "ref", "finding reference"),
            "text": clean_text(raw.get("text"), "text", "finding text", required=True),
            "statement": statement[0] if statement else "",
            "source": clean_text(raw.get("source"), "source", "source")}


def write_finding(con: sqlite3.Connection, actor: str, data: dict[str, Any]) -> str:
    return _write(con, actor, "plan_findings", "plan_finding", {"ref": data["ref"]},
                  {k: data[k] for k in ("text", "statement", "source")})


def save_finding(ws: Workspace, actor: str, **raw: Any) -> str:
    """Add or change an assessment finding (from the CQC report, the peer review...) by its ref."""
    data = clean_finding(raw)
    with ws.transaction() as con:
        return write_finding(con, actor, data)


def clean_action(raw: dict[str, Any]) -> dict[str, Any]:
    """Check one action's fields (not yet its links to other records)."""
    data = {
        "ref": clean_ref(raw.get("ref"), "ref", "action reference"),
        "workstream_ref": clean_ref(raw.get("workstream_ref"), "workstream_ref", "workstream"),
        "description": clean_text(raw.get("description"), "description", "description", required=True),
        "owner": clean_text(raw.get("owner"), "owner", "owner"),
        "start_date": clean_date(raw.get("start_date"), "start_date", "start date"),
        "due_date": clean_date(raw.get("due_date"), "due_date", "due date", required=True),
        "status": clean_status(raw.get("status")),
        "percent_complete": clean_percent(raw.get("percent_complete")),
        "evidence": clean_text(raw.get("evidence"), "evidence", "evidence of completion"),
        "depends_on": [clean_ref(r, "depends_on", "dependency") for r in split_list(raw.get("depends_on"))],
        "statements": clean_statements(raw.get("statements")),
    }
    if data["start_date"] and data["due_date"] < data["start_date"]:
        raise FieldError("due_date", f"due date {data['due_date']:%d/%m/%Y} is before the start date "
                                     f"{data['start_date']:%d/%m/%Y}")
    if data["status"] == COMPLETE:
        if not data["evidence"]:
            raise FieldError("evidence", f"action {data['ref']} is complete but has no evidence of completion; "
                                         "say what shows it was done")
        data["percent_complete"] = 100
    if data["ref"] in data["depends_on"]:
        raise FieldError("depends_on", f"action {data['ref']} cannot depend on itself")
    return data


def _graph(con: sqlite3.Connection) -> dict[str, list[str]]:
    graph: dict[str, list[str]] = {}
    for r in con.execute("SELECT action_ref, depends_on FROM plan_action_dependencies"):
        graph.setdefault(r[0], []).append(r[1])
    return graph


def check_dependencies(con: sqlite3.Connection, ref: str, depends_on: list[str],
                       pending: dict[str, list[str]] | None = None) -> None:
    """Unknown refs and loops are refused: a loop would mean no action in it could ever start.

    ``pending`` holds dependencies about to be written (an import), so they are checked together.
    """
    pending = pending or {}
    for dep in depends_on:
        if dep not in pending and not _exists(con, "plan_actions", dep):
            raise FieldError("depends_on", f"action {ref} depends on {dep!r}, which is not an action in the plan")
    graph = {**_graph(con), **pending, ref: depends_on}
    loop = plan_rag.find_cycle(graph)
    if loop and ref in loop:
        raise FieldError("depends_on", f"dependencies would go round in a loop: {' -> '.join(loop)}")


def write_action(con: sqlite3.Connection, actor: str, data: dict[str, Any], check_deps: bool = True,
                 with_dependencies: bool = True) -> str:
    """Write one cleaned action. An import writes every action first, then their dependencies
    (``write_dependencies``), so an action may depend on one further down the sheet."""
    if not _exists(con, "plan_workstreams", data["workstream_ref"]):
        raise FieldError("workstream_ref", f"workstream {data['workstream_ref']!r} is not in the plan; "
                                           "add the workstream first")
    if check_deps:
        check_dependencies(con, data["ref"], data["depends_on"])
    values = {k: data[k] for k in ("workstream_ref", "description", "owner", "status", "percent_complete",
                                   "evidence")}
    values["start_date"] = data["start_date"].isoformat() if data["start_date"] else None
    values["due_date"] = data["due_date"].isoformat()
    outcome = _write(con, actor, "plan_actions", "plan_action", {"ref": data["ref"]}, values)
    links = _set_links(con, actor, "plan_action_statements", "action_ref", "statement", "plan_action", data["ref"],
                       data["statements"])
    deps = write_dependencies(con, actor, data["ref"], data["depends_on"]) if with_dependencies else False
    if outcome == "unchanged" and (links or deps):
        outcome = "updated"
    if outcome != "unchanged":
        con.execute("UPDATE plan_actions SET updated_at = ? WHERE ref = ?", (utc_now(), data["ref"]))
    return outcome


def write_dependencies(con: sqlite3.Connection, actor: str, ref: str, depends_on: list[str]) -> bool:
    """Replace an action's dependencies (already checked); True if they changed."""
    changed = _set_links(con, actor, "plan_action_dependencies", "action_ref", "depends_on", "plan_action", ref,
                         depends_on)
    if changed:
        con.execute("UPDATE plan_actions SET updated_at = ? WHERE ref = ?", (utc_now(), ref))
    return changed


def save_action(ws: Workspace, actor: str, **raw: Any) -> str:
    """Add or change an action, every field (the assurance lead's edit). Returns created/updated/unchanged."""
    data = clean_action(raw)
    with ws.transaction() as con:
        return write_action(con, actor, data)


def update_progress(ws: Workspace, actor: str, ref: str, today: dt.date, *, status: str | None = None,
                    percent_complete: Any = None, evidence: str | None = None, note: str = "") -> dict[str, Any]:
    """An owner's update: status, % complete, evidence of completion and a note, dated ``today``.

    Each update adds an entry to the action log with the status and % complete at that time, so the
    log tells the story of the action even though the action keeps only its latest state.
    """
    with ws.transaction() as con:
        row = con.execute("SELECT * FROM plan_actions WHERE ref = ?", (ref,)).fetchone()
        if row is None:
            raise NotFound(f"no action {ref!r} in the improvement plan")
        new_status = clean_status(status) if status not in (None, "") else row["status"]
        percent = clean_percent(percent_complete) if percent_complete not in (None, "") else row["percent_complete"]
        proof = clean_text(evidence, "evidence", "evidence") if evidence is not None else row["evidence"]
        if new_status == COMPLETE:
            if not proof:
                raise FieldError("evidence", f"to mark action {ref} complete, give the evidence of completion")
            percent = 100
        note = (note or "").strip()
        values = {"status": new_status, "percent_complete": percent, "evidence": proof}
        changed = {k: v for k, v in values.items() if row[k] != v}
        if not changed and not note:
            raise FieldError("note", "nothing to record: change the status or % complete, or write a note")
        if changed:
            _write(con, actor, "plan_actions", "plan_action", {"ref": ref}, values)
            con.execute("UPDATE plan_actions SET updated_at = ? WHERE ref = ?", (utc_now(), ref))
        write_log_entry(con, actor, {"action_ref": ref, "on_date": today, "who": actor, "note": note,
                                     "percent_complete": percent, "status": new_status})
    return changed


def clean_log_entry(raw: dict[str, Any]) -> dict[str, Any]:
    return {"action_ref": clean_ref(raw.get("action_ref"), "action_ref", "action"),
            "on_date": clean_date(raw.get("on_date"), "on_date", "date", required=True),
            "who": clean_text(raw.get("who"), "who", "who", required=True),
            "note": str(raw.get("note") or "").strip(),
            "percent_complete": clean_percent(raw.get("percent_complete")),
            "status": clean_status(raw.get("status"))}


def write_log_entry(con: sqlite3.Connection, actor: str, data: dict[str, Any]) -> str:
    """Add an action log entry; the same entry (action, date, who, note) twice is kept once."""
    if not _exists(con, "plan_actions", data["action_ref"]):
        raise FieldError("action_ref", f"action {data['action_ref']!r} is not in the plan")
    on = data["on_date"].isoformat() if isinstance(data["on_date"], dt.date) else data["on_date"]
    same = con.execute("SELECT id, percent_complete, status FROM plan_action_log WHERE action_ref = ? AND "
                       "on_date = ? AND who = ? AND note = ?", (data["action_ref"], on, data["who"], data["note"]))
    old = same.fetchone()
    if old is not None:
        if (old[1], old[2]) == (data["percent_complete"], data["status"]):
            return "unchanged"
        con.execute("UPDATE plan_action_log SET percent_complete = ?, status = ? WHERE id = ?",
                    (data["percent_complete"], data["status"], old[0]))
        Workspace.log(con, actor, "plan_action_log", old[0], "update", percent_complete=data["percent_complete"],
                      status=data["status"])
        return "updated"
    cur = con.execute("INSERT INTO plan_action_log (action_ref, on_date, who, note, percent_complete, status, "
                      "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                      (data["action_ref"], on, data["who"], data["note"], data["percent_complete"], data["status"],
                       utc_now()))
    Workspace.log(con, actor, "plan_action_log", cur.lastrowid, "create", action_ref=data["action_ref"], on_date=on,
                  who=data["who"], note=data["note"], percent_complete=data["percent_complete"],
                  status=data["status"])
    return "created"


def add_log_note(ws: Workspace, actor: str, ref: str, today: dt.date, note: str) -> dict[str, Any]:
    """A note in the action log without changing the action (status and % as they stand)."""
    return update_progress(ws, actor, ref, today, note=note)


# -- success measures ----------------------------------------------------------------------------------------
def clean_success_measure(raw: dict[str, Any]) -> dict[str, Any]:
    from asc_assure.measures.registry import load_registry

    measure_id = clean_text(raw.get("measure_id"), "measure_id", "measure id")
    if measure_id and measure_id not in load_registry():
        raise FieldError("measure_id", f"measure {measure_id!r} is not in the measure registry "
                                       "(see `asc-assure measures list`)")
    target = raw.get("target")
    if target is None or (isinstance(target, str) and not target.strip()):
        target = None
    else:
        try:
            target = float(str(target).strip().rstrip("%"))
        except ValueError:
            raise FieldError("target", f"target {raw.get('target')!r} is not a number") from None
    if target is not None and not measure_id:
        raise FieldError("target", "a target needs a measure id to be measured against")
    return {"ref": clean_ref(raw.get("ref"), "ref", "success measure reference"),
            "workstream_ref": clean_ref(raw.get("workstream_ref"), "workstream_ref", "workstream"),
            "description": clean_text(raw.get("description"), "description", "description", required=True),
            "measure_id": measure_id, "target": target,
            "target_date": clean_date(raw.get("target_date"), "target_date", "target date"),
            "statements": clean_statements(raw.get("statements")),
            "findings": [clean_ref(f, "findings", "finding") for f in split_list(raw.get("findings"))]}


def write_success_measure(con: sqlite3.Connection, actor: str, data: dict[str, Any]) -> str:
    if not _exists(con, "plan_workstreams", data["workstream_ref"]):
        raise FieldError("workstream_ref", f"workstream {data['workstream_ref']!r} is not in the plan")
    for f in data["findings"]:
        if not _exists(con, "plan_findings", f):
            raise FieldError("findings", f"finding {f!r} is not in the plan's findings; add it first")
    values = {"workstream_ref": data["workstream_ref"], "description": data["description"],
              "measure_id": data["measure_id"], "target": data["target"],
              "target_date": data["target_date"].isoformat() if data["target_date"] else None}
    outcome = _write(con, actor, "plan_success_measures", "plan_success_measure", {"ref": data["ref"]}, values)
    a = _set_links(con, actor, "plan_success_measure_statements", "measure_ref", "statement",
                   "plan_success_measure", data["ref"], data["statements"])
    b = _set_links(con, actor, "plan_success_measure_findings", "measure_ref", "finding_ref",
                   "plan_success_measure", data["ref"], data["findings"])
    return "updated" if outcome == "unchanged" and (a or b) else outcome


def save_success_measure(ws: Workspace, actor: str, **raw: Any) -> str:
    """Add or change a success measure: a registry measure with a target, or a described outcome."""
    data = clean_success_measure(raw)
    with ws.transaction() as con:
        return write_success_measure(con, actor, data)


def latest_as_of(store_dir: Path | str) -> dt.date | None:
    """The newest extract date loaded into the store (None if there is no store or nothing loaded)."""
    from asc_assure.data.store import Store, StoreError

    try:
        manifests = Store(store_dir).manifests()
    except (StoreError, OSError):
        return None
    dates = [m["as_of"] for m in manifests if m["kind"] not in {"teams", "targets", "areas"}]
    return dt.date.fromisoformat(max(dates)) if dates else None


def _live_values(store_dir: Path | str | None, as_of: dt.date | None, ids: list[str],
                 public: bool = False) -> dict[str, dict[str, Any]]:
    """Current values from the store, per measure id, computed by the measure engine (never typed in)."""
    if not ids or store_dir is None:
        return {}
    as_of = as_of or latest_as_of(store_dir)
    if as_of is None:
        return {}
    from asc_assure.measures.engine import run_measures
    from asc_assure.measures.registry import load_registry

    registry = load_registry()
    by_period: dict[str, list[str]] = {}
    for i in ids:
        if i in registry:
            by_period.setdefault("month" if registry[i].frequency == "month" else "week", []).append(i)
    out: dict[str, dict[str, Any]] = {}
    for period, chosen in by_period.items():
        try:
            results = run_measures(store_dir, as_of, period, ids=chosen, trend_points=1, public=public)
        except Exception:  # no store yet, or an extract missing: show no live value rather than fail the page
            continue
        out.update({r["id"]: r for r in results})
    return out


def list_success_measures(ws: Workspace, store_dir: Path | str | None = None, as_of: dt.date | None = None,
                          public: bool = False) -> list[dict[str, Any]]:
    """Success measures with their links and, when the store has the data, the live current value
    (as at ``as_of``, default the newest data loaded; ``public`` applies small-number suppression)."""
    from asc_assure.domain import rag as ragrules
    from asc_assure.measures.registry import load_registry

    with ws.read() as con:
        items = rows(con.execute(
            "SELECT m.*, w.name AS workstream FROM plan_success_measures m "
            "JOIN plan_workstreams w ON w.ref = m.workstream_ref ORDER BY w.position, m.ref"))
        stmts = rows(con.execute("SELECT * FROM plan_success_measure_statements"))
        finds = rows(con.execute("SELECT f.measure_ref, p.* FROM plan_success_measure_findings f "
                                 "JOIN plan_findings p ON p.ref = f.finding_ref ORDER BY p.ref"))
    registry = load_registry()
    live = _live_values(store_dir, as_of, sorted({i["measure_id"] for i in items if i["measure_id"]}), public)
    for item in items:
        item["statements"] = [s["statement"] for s in stmts if s["measure_ref"] == item["ref"]]
        item["findings"] = [{k: f[k] for k in ("ref", "text", "statement", "source")}
                            for f in finds if f["measure_ref"] == item["ref"]]
        measure = registry.get(item["measure_id"])
        item["measure_title"] = measure.title if measure else None
        item["unit"] = measure.unit if measure else None
        result = live.get(item["measure_id"])
        item["current"] = result["value"] if result else None
        item["current_as_of"] = result["as_of"] if result else None
        item["current_reason"] = (result or {}).get("reason")
        met = None
        if (measure and isinstance(item["current"], int | float) and item["target"] is not None
                and measure.polarity != "neutral"):
            met = ragrules.rag(item["current"], item["target"], measure.polarity) == ragrules.GREEN
        item["target_met"] = met
    return items


# -- the monthly report's view ------------------------------------------------------------------------------
def plan_summary(ws: Workspace, today: dt.date) -> dict[str, Any]:
    """The plan at a glance for the monthly report: totals, each workstream, overdue and due in 30 days.

    Cancelled actions are left out of every count and list.
    """
    actions = [a for a in list_actions(ws, today) if a["status"] != CANCELLED]
    totals = counts(actions)
    workstreams = []
    for w in list_workstreams(ws):
        c = counts(a for a in actions if a["workstream_ref"] == w["ref"])
        workstreams.append({"name": w["name"], "lead": w["lead"], "actions": c["actions"], "complete": c["complete"],
                            "red": c["red"], "amber": c["amber"], "green": c["green"], "overdue": c["overdue"]})
    overdue = sorted((a for a in actions if a["overdue"]), key=lambda a: (-a["days_overdue"], _ref_key(a["ref"])))
    soon = sorted((a for a in actions if a["due_soon"]), key=lambda a: (a["due_date"], _ref_key(a["ref"])))
    return {
        "as_of": today.isoformat(),
        "totals": {k: totals[k] for k in ("actions", "complete", "red", "amber", "green", "overdue", "due_30_days")},
        "workstreams": workstreams,
        "overdue": [{"ref": a["ref"], "description": a["description"], "owner": a["owner"], "due": a["due_date"],
                     "workstream": a["workstream"], "days_overdue": a["days_overdue"], "status": a["status"],
                     "percent_complete": a["percent_complete"]} for a in overdue],
        "due_soon": [{"ref": a["ref"], "description": a["description"], "owner": a["owner"], "due": a["due_date"],
                      "workstream": a["workstream"], "status": a["status"],
                      "percent_complete": a["percent_complete"]} for a in soon],
    }


def seed_demo(ws: Workspace, store_dir: Path, today: dt.date) -> None:
    """Fill the demo workspace with an improvement plan (below); does nothing if the plan already has actions."""
    with ws.read() as con:
        if con.execute("SELECT COUNT(*) FROM plan_actions").fetchone()[0]:
            return
    _seed(ws, today)


# -- demo content ------------------------------------------------------------------------------------------
# An improvement plan in the spirit of a council's plan after the LGA peer review and the CQC assessment.
# Dates are days from the demo's today, so the mix of states (complete, overdue, due soon, on hold,
# behind, held up by a late dependency) is the same whatever today is. No measured figures are typed:
# success measures name registry measures and the council's targets; current values come from the store.
_DEMO_WORKSTREAMS = (
    ("WS1", "Assessment timeliness and hospital discharge", "Head of Locality Services",
     "Deputy Director of Adult Social Care", "Shorter, better-communicated waits for Care Act assessments."),
    ("WS2", "Safeguarding timeliness and provider communication", "Head of Safeguarding",
     "Director of Adult Social Care", "Timely triage and enquiries; clear thresholds for providers."),
    ("WS3", "Deprivation of Liberty Safeguards backlog", "DoLS Service Manager",
     "Deputy Director of Adult Social Care", "Clear the DoLS waiting list and keep it clear."),
    ("WS4", "Reviews and care provision", "Head of Quality and Contracts", "Deputy Director of Adult Social Care",
     "Reviews on time and care sourced promptly."),
    ("WS5", "Workforce and leadership", "Principal Social Worker", "Director of Adult Social Care",
     "A stable, skilled and diverse workforce and leadership."),
    ("WS6", "Equity, co-production and carers", "ASC Assurance Lead", "Corporate Director of Adult Social Care",
     "Better equality data, co-produced improvement and support for carers."),
)
_AL, _PA, _TM = "assurance-lead", "performance-analyst", "team-manager"
# ref, workstream, description, owner, start, due (days from today), status, %, evidence, depends on, statements
_DEMO_ACTIONS: tuple[tuple[Any, ...], ...] = (
    ("1.1", "WS1", "Introduce appointment setting so everyone referred for an assessment is given a date",
     _TM, -300, -120, "complete", 100, "Appointment letters issued by every locality team; duty desk call log",
     "", "assessing-needs"),
    ("1.2", "WS1", "Map the person's journey through assessment with the Assessing Needs working group and "
     "agree the decision points", _AL, -170, -30, "in progress", 60, "", "", "assessing-needs"),
    ("1.3", "WS1", "Apply the screening and prioritisation tool consistently at the front door; audit a monthly "
     "sample", _TM, -90, 60, "in progress", 40, "", "", "assessing-needs"),
    ("1.4", "WS1", "Tell people what to expect while they wait: letters, website and non-digital formats",
     _AL, -60, 10, "in progress", 50, "", "", "assessing-needs"),
    ("1.5", "WS1", "Put the Healthwatch hospital discharge recommendations into practice, including a discharge "
     "leaflet", _TM, -200, -60, "complete", 100, "Discharge leaflet in use on all wards; Healthwatch follow-up "
     "letter", "", "safe-pathways-systems-transitions"),
    ("1.6", "WS1", "Weekly Meaningful Measures review of waiting lists with locality heads of service",
     _PA, -365, 365, "in progress", 55, "", "", "assessing-needs; governance-management-sustainability"),
    ("2.1", "WS2", "Clarify with providers the thresholds for raising a safeguarding concern",
     _TM, -120, -14, "in progress", 80, "", "", "safeguarding"),
    ("2.2", "WS2", "Quarterly provider forum on safeguarding communication, with feedback on response times",
     _AL, -30, 90, "not started", 0, "", "2.1", "safeguarding; partnerships-and-communities"),
    ("2.3", "WS2", "New safeguarding practice audit tool so Making Safeguarding Personal is embedded",
     _AL, -180, -45, "complete", 100, "Audit tool approved by the Principal Social Worker; first quarter's audit "
     "results", "", "safeguarding"),
    ("2.4", "WS2", "Redirect police and ambulance notifications that are not safeguarding concerns to the front "
     "door", _TM, -60, 25, "in progress", 30, "", "", "safeguarding; safe-pathways-systems-transitions"),
    ("2.5", "WS2", "Track learning from Safeguarding Adults Reviews through the Internal Assurance Group",
     _AL, -90, 180, "in progress", 30, "", "", "safeguarding; learning-improvement-innovation"),
    ("3.1", "WS3", "Commission agency capacity to complete the backlog of DoLS assessments",
     _TM, -270, -150, "complete", 100, "Contract award notices; agency completion reports", "", "safeguarding"),
    ("3.2", "WS3", "Recruit to the permanent DoLS team establishment", _TM, -200, -20, "in progress", 70, "", "",
     "safeguarding; governance-management-sustainability"),
    ("3.3", "WS3", "Screen every new DoLS application with the ADASS priority tool within 2 working days",
     _PA, -100, 20, "in progress", 60, "", "", "safeguarding"),
    ("3.4", "WS3", "Train qualified staff to complete community deprivation of liberty applications",
     _TM, -30, 150, "on hold", 10, "", "", "safeguarding; learning-improvement-innovation"),
    ("3.5", "WS3", "Bring every standard DoLS application to a decision within three months of receipt",
     _TM, -60, 120, "in progress", 35, "", "3.1, 3.2", "safeguarding"),
    ("4.1", "WS4", "Provider-led annual reviews for people in long-term residential care",
     _TM, -240, -30, "complete", 100, "Review template agreed with providers; reviews returned", "",
     "assessing-needs"),
    ("4.2", "WS4", "Clear the backlog of mental health reviews", _TM, -45, 5, "in progress", 80, "", "",
     "assessing-needs"),
    ("4.3", "WS4", "Give brokerage a real-time view of available home care so care is sourced within 48 hours",
     _PA, -150, 30, "in progress", 20, "", "", "care-provision-integration-continuity"),
    ("4.4", "WS4", "Next call-off from the supported living framework for people placed out of county",
     _AL, 20, 200, "not started", 0, "", "", "care-provision-integration-continuity"),
    ("4.5", "WS4", "Safe Space alternative to hospital admission (now led by the ICB programme)",
     _AL, -120, 60, "cancelled", 15, "", "", "care-provision-integration-continuity"),
    ("5.1", "WS5", "Refresh the adult social care workforce development strategy with Skills for Care",
     _AL, -120, 60, "in progress", 50, "", "", "governance-management-sustainability"),
    ("5.2", "WS5", "Leadership development programme with the Organisational Effectiveness team",
     _AL, -10, 170, "in progress", 5, "", "5.1", "governance-management-sustainability"),
    ("5.3", "WS5", "Make CPD and study time a standing item in supervision", _TM, -90, -5, "in progress", 90, "", "",
     "learning-improvement-innovation"),
    ("5.4", "WS5", "Publish Workforce Race Equality Standard data with an action plan", _PA, -60, 14,
     "in progress", 40, "", "", "equity-in-experience-and-outcomes; governance-management-sustainability"),
    ("5.5", "WS5", "Targeted recruitment campaign for social workers and occupational therapists",
     _TM, -200, -100, "complete", 100, "Campaign report to the Adults Extended Leadership Team", "",
     "governance-management-sustainability"),
    ("6.1", "WS6", "Record ethnicity and other protected characteristics at first contact", _PA, -150, 45,
     "in progress", 45, "", "", "equity-in-experience-and-outcomes"),
    ("6.2", "WS6", "Community profiles for the priority rural areas with the Marmot Place partnership",
     _AL, -30, 240, "in progress", 10, "", "6.1", "equity-in-experience-and-outcomes; partnerships-and-communities"),
    ("6.3", "WS6", "Lived experience panel to co-produce how the plan is monitored", _AL, -90, -60, "complete", 100,
     "Panel terms of reference; minutes of the first two meetings", "", "learning-improvement-innovation"),
    ("6.4", "WS6", "Young carers: Children's Services refer at 17½ so a carer's assessment is offered",
     _TM, -20, 100, "not started", 0, "", "", "assessing-needs; safe-pathways-systems-transitions"),
    ("6.5", "WS6", "Carers' peer support groups in market towns and villages, in person and online",
     _TM, -100, 80, "in progress", 55, "", "", "supporting-healthier-lives"),
    ("6.6", "WS6", "Review the website and offer information in non-digital formats and in libraries",
     _AL, 10, 120, "not started", 0, "", "1.4", "equity-in-experience-and-outcomes"),
)
_DEMO_FINDINGS = (
    ("CQC-1", "Some people waited a long time for an assessment and were not told what to expect while they "
     "waited.", "assessing-needs", "CQC report 2025"),
    ("CQC-2", "Providers described delays and inconsistent replies to safeguarding concerns; the threshold for "
     "raising a concern needs to be clearer.", "safeguarding", "CQC report 2025"),
    ("LGA-1", "The DoLS waiting list remained a risk even with extra assessment capacity.", "safeguarding",
     "LGA peer review 2024"),
    ("CQC-3", "A more strategic, data-led approach to equality is needed, starting with better demographic data.",
     "equity-in-experience-and-outcomes", "CQC report 2025"),
    ("CQC-4", "The workforce strategy gives direction, but skills, succession planning and recruitment in the "
     "independent sector need more work.", "governance-management-sustainability", "CQC report 2025"),
    ("CQC-5", "Home care was not always sourced promptly.", "care-provision-integration-continuity",
     "CQC report 2025"),
)
# ref, workstream, description, measure id, target (the council's), target date (days), statements, findings
_DEMO_MEASURES: tuple[tuple[Any, ...], ...] = (
    ("SM1", "WS1", "Median wait for a Care Act assessment within the 28-day appointment standard",
     "waiting_list.median_wait_days", 28, 365, "assessing-needs", "CQC-1"),
    ("SM2", "WS1", "Everyone on the waiting list has a priority set", "waiting_list.pct_prioritised", 100, 180,
     "assessing-needs", "CQC-1"),
    ("SM3", "WS2", "Concerns triaged within 2 working days", "safeguarding.triage_within_2wd_pct", 90, 365,
     "safeguarding", "CQC-2"),
    ("SM4", "WS2", "Enquiries completed within 20 working days", "safeguarding.enquiry_within_20wd_pct", 70, 365,
     "safeguarding", "CQC-2"),
    ("SM5", "WS3", "Standard DoLS applications decided within 21 days", "dols.standard_within_21d_pct", 50, 365,
     "safeguarding", "LGA-1"),
    ("SM6", "WS4", "People in long-term support reviewed in the last 12 months", "reviews.reviewed_in_12_months_pct",
     70, 365, "assessing-needs", ""),
    ("SM7", "WS4", "Home care sourced within 48 hours", "brokerage.home_care_within_48h_pct", 80, 365,
     "care-provision-integration-continuity", "CQC-5"),
    ("SM8", "WS5", "Vacancy rate", "workforce.vacancy_rate_pct", 10, 365, "governance-management-sustainability",
     "CQC-4"),
    ("SM9", "WS5", "Establishment covered by agency staff", "workforce.agency_pct", 5, 365,
     "governance-management-sustainability", "CQC-4"),
    ("SM10", "WS6", "People from under-served and rural communities tell the lived experience panel that "
     "information and support are easier to reach", "", None, 540, "equity-in-experience-and-outcomes", "CQC-3"),
)
# action, days from today, who, note, %, status
_DEMO_LOG = (
    ("1.1", -180, _TM, "Pilot in the north locality: fewer calls to the duty desk asking about dates", 50,
     "in progress"),
    ("1.1", -125, _TM, "Live in every locality team", 100, "complete"),
    ("1.2", -60, _AL, "Journey mapped from first contact to assessment; decision points drafted", 40, "in progress"),
    ("1.2", -20, _AL, "Waiting for locality heads to sign off the decision points", 60, "in progress"),
    ("2.1", -30, _TM, "Draft thresholds shared with the provider forum for comment", 80, "in progress"),
    ("3.2", -40, _TM, "Four of six posts filled", 60, "in progress"),
    ("3.2", -10, _TM, "Two posts re-advertised after no suitable applicants", 70, "in progress"),
    ("3.4", -7, _TM, "Paused until the training budget for 2025/26 is confirmed", 10, "on hold"),
    ("6.1", -14, _PA, "New mandatory fields at first contact agreed with the systems team", 45, "in progress"),
)


def _seed(ws: Workspace, today: dt.date) -> None:
    actor = "demo"

    def day(offset: int | None) -> dt.date | None:
        return None if offset is None else today + dt.timedelta(days=offset)

    with ws.transaction() as con:
        for ref, name, lead, sponsor, description in _DEMO_WORKSTREAMS:
            write_workstream(con, actor, clean_workstream({"ref": ref, "name": name, "lead": lead, "sponsor": sponsor,
                                                           "description": description}))
        for ref, text, statement, source in _DEMO_FINDINGS:
            write_finding(con, actor, clean_finding({"ref": ref, "text": text, "statement": statement,
                                                     "source": source}))
        for ref, wsr, desc, owner, start, due, status, pct, evidence, deps, stmts in _DEMO_ACTIONS:
            write_action(con, actor, clean_action({
                "ref": ref, "workstream_ref": wsr, "description": desc, "owner": owner, "start_date": day(start),
                "due_date": day(due), "status": status, "percent_complete": pct, "evidence": evidence,
                "depends_on": deps, "statements": stmts}), check_deps=False)
        for ref, _desc, *_rest in _DEMO_ACTIONS:
            check_dependencies(con, ref, [d for d in _graph(con).get(ref, [])])
        for ref, wsr, desc, measure_id, target, when, stmts, finds in _DEMO_MEASURES:
            write_success_measure(con, actor, clean_success_measure({
                "ref": ref, "workstream_ref": wsr, "description": desc, "measure_id": measure_id, "target": target,
                "target_date": day(when), "statements": stmts, "findings": finds}))
        for ref, when, who, note, pct, status in _DEMO_LOG:
            write_log_entry(con, actor, {"action_ref": ref, "on_date": day(when), "who": who, "note": note,
                                         "percent_complete": pct, "status": status})

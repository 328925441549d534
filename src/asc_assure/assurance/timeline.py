"""The CQC assessment timeline: milestones and tasks worked out from the notification date.

A council gets a notification letter, then (weeks later) the on-site dates. Everything else hangs off
those two or three dates: the information return is due a set number of working days after the
notification, the list of 50 cases and the pen pictures a set time after the on-site dates are known,
the leadership presentation a month before the on-site week. ``timeline_defaults.yaml`` holds those
offsets, each reproducing Oxfordshire's real 2024-25 timeline, so a council can see where a date comes
from and change the rule rather than the date.

Generating again after an anchor changes (the on-site dates arrive, or CQC moves them) moves the due
dates of tasks that are not done yet, and says which moved; finished tasks keep their dates, so the
record of what was done when stays true. Tasks people add themselves keep their dates unless they
are attached to a milestone, when they move by as many days as the milestone did.

Overdue = due before today and not done; due soon = due today or in the next 7 days and not done.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError, rows, utc_now
from asc_assure.domain.working_days import add_working_days, is_working_day

TASK_STATUSES = {"not_started": "Not started", "in_progress": "In progress", "done": "Done"}
ANCHORS = ("notified", "onsite_notified", "onsite_start")
DUE_SOON_DAYS = 7
ENTITY_TASK = "assessment_task"
ENTITY_TIMELINE = "assessment_timeline"


@lru_cache(maxsize=1)
def load_defaults() -> dict[str, Any]:
    """The packaged timeline rules (anchors, milestones and their tasks)."""
    text = (resources.files("asc_assure.assurance") / "timeline_defaults.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def shift(day: dt.date, days: int, unit: str) -> dt.date:
    """``days`` calendar or working days from ``day`` (negative counts back)."""
    if unit == "calendar":
        return day + dt.timedelta(days=days)
    if unit != "working":
        raise WorkspaceError(f"offset unit {unit!r} is not 'calendar' or 'working'")
    if days >= 0:
        return add_working_days(day, days)
    out = day
    while not is_working_day(out):  # count back from the working day before a weekend/holiday anchor
        out -= dt.timedelta(days=1)
    left = -days
    while left:
        out -= dt.timedelta(days=1)
        if is_working_day(out):
            left -= 1
    return out


def describe_rule(days: int, unit: str, anchor_label: str) -> str:
    """An offset in words, e.g. '14 working days after notification of assessment'."""
    label = anchor_label[:1].lower() + anchor_label[1:]
    if days == 0:
        return f"on the day: {label}"
    word = "working day" if unit == "working" else "day"
    n = abs(days)
    return f"{n} {word}{'s' if n != 1 else ''} {'after' if days > 0 else 'before'} {label}"


def _as_date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise WorkspaceError(f"{field} {value!r} is not a date (use 2025-01-31)") from None


def resolve_anchors(notified: dt.date, onsite_notified: dt.date | None = None,
                    onsite_start: dt.date | None = None, config: dict[str, Any] | None = None
                    ) -> dict[str, tuple[dt.date, bool]]:
    """Every anchor's date and whether it was given (True) or worked out from the defaults (False)."""
    cfg = config or load_defaults()
    given = {"notified": notified, "onsite_notified": onsite_notified, "onsite_start": onsite_start}
    out: dict[str, tuple[dt.date, bool]] = {}
    for name in ANCHORS:
        if given[name] is not None:
            out[name] = (given[name], True)
            continue
        rule = cfg["anchors"][name].get("default")
        if rule is None:
            raise WorkspaceError(f"the timeline needs the {cfg['anchors'][name]['label'].lower()} date")
        out[name] = (shift(out[rule["from"]][0], int(rule["days"]), rule["unit"]), False)
    if out["onsite_notified"][0] < out["notified"][0]:
        raise WorkspaceError(f"on-site dates notified {out['onsite_notified'][0].isoformat()} is before the "
                             f"notification date {notified.isoformat()}")
    if out["onsite_start"][0] < out["onsite_notified"][0]:
        raise WorkspaceError(f"on-site start {out['onsite_start'][0].isoformat()} is before the date the "
                             f"on-site dates were notified {out['onsite_notified'][0].isoformat()}")
    return out


def plan(anchors: dict[str, tuple[dt.date, bool]], config: dict[str, Any] | None = None
         ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Milestones and generated tasks for these anchor dates (nothing is written)."""
    cfg = config or load_defaults()
    milestones, tasks = [], []
    for sort, m in enumerate(cfg["milestones"]):
        anchor = m["from"]
        due = shift(anchors[anchor][0], int(m["days"]), m["unit"])
        end = due + dt.timedelta(days=int(m["span_days"])) if m.get("span_days") else None
        milestones.append({
            "key": m["key"], "title": m["title"], "due_date": due.isoformat(),
            "end_date": end.isoformat() if end else None, "anchor": anchor,
            "rule": describe_rule(int(m["days"]), m["unit"], cfg["anchors"][anchor]["label"]),
            "source": m.get("source", ""), "sort": sort})
        for t in m.get("tasks", []):
            tasks.append({"key": t["key"], "milestone_key": m["key"], "title": t["title"],
                          "due_date": shift(due, int(t["days"]), t["unit"]).isoformat(),
                          "owner": t.get("owner", "")})
    return milestones, tasks


def generate(ws: Workspace, *, actor: str, notified: dt.date, onsite_notified: dt.date | None = None,
             onsite_start: dt.date | None = None, default_owner: str = "",
             config: dict[str, Any] | None = None) -> dict[str, Any]:
    """Create or re-work the timeline from its anchor dates.

    Returns the milestones, how many tasks were created, and ``moved``: every task whose due date
    changed (with old and new dates). Done tasks never move; they are listed under ``kept``.
    """
    anchors = resolve_anchors(notified, onsite_notified, onsite_start, config)
    milestones, planned = plan(anchors, config)
    now = utc_now()
    moved: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    created = 0
    with ws.transaction() as con:
        old_due = {r["key"]: r["due_date"] for r in con.execute("SELECT key, due_date FROM assessment_milestones")}
        con.execute("DELETE FROM assessment_anchors")
        for name, (day, given) in anchors.items():
            con.execute("INSERT INTO assessment_anchors VALUES (?, ?, ?, ?)", (name, day.isoformat(), int(given), now))
        con.execute("DELETE FROM assessment_milestones")
        for m in milestones:
            con.execute("INSERT INTO assessment_milestones (key, title, due_date, end_date, anchor, rule, source, sort)"
                        " VALUES (:key, :title, :due_date, :end_date, :anchor, :rule, :source, :sort)", m)
        existing = {r["key"]: dict(r) for r in con.execute("SELECT * FROM assessment_tasks WHERE key IS NOT NULL")}
        for t in planned:
            row = existing.get(t["key"])
            if row is None:
                cur = con.execute(
                    "INSERT INTO assessment_tasks (key, milestone_key, title, owner, due_date, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (t["key"], t["milestone_key"], t["title"], t["owner"] or default_owner, t["due_date"], now, now))
                created += 1
                Workspace.log(con, actor, ENTITY_TASK, cur.lastrowid, "create", title=t["title"], due=t["due_date"])
                continue
            if row["due_date"] == t["due_date"]:
                continue
            change = {"id": row["id"], "title": row["title"], "from": row["due_date"], "to": t["due_date"]}
            if row["status"] == "done":
                kept.append(change)
                continue
            con.execute("UPDATE assessment_tasks SET due_date = ?, updated_at = ? WHERE id = ?",
                        (t["due_date"], now, row["id"]))
            Workspace.log(con, actor, ENTITY_TASK, row["id"], "move", **{"from": row["due_date"], "to": t["due_date"]})
            moved.append(change)
        new_due = {m["key"]: m["due_date"] for m in milestones}
        for row in rows(con.execute("SELECT * FROM assessment_tasks WHERE key IS NULL AND milestone_key IS NOT NULL"
                                    " AND status != 'done'")):
            before, after = old_due.get(row["milestone_key"]), new_due.get(row["milestone_key"])
            if not before or not after or before == after:
                continue
            delta = dt.date.fromisoformat(after) - dt.date.fromisoformat(before)
            to = (dt.date.fromisoformat(row["due_date"]) + delta).isoformat()
            con.execute("UPDATE assessment_tasks SET due_date = ?, updated_at = ? WHERE id = ?", (to, now, row["id"]))
            Workspace.log(con, actor, ENTITY_TASK, row["id"], "move", **{"from": row["due_date"], "to": to})
            moved.append({"id": row["id"], "title": row["title"], "from": row["due_date"], "to": to})
        Workspace.log(con, actor, ENTITY_TIMELINE, "current", "generate",
                      **{name: day.isoformat() for name, (day, _g) in anchors.items()},
                      created=created, moved=len(moved))
    return {"anchors": {n: {"date": d.isoformat(), "given": g} for n, (d, g) in anchors.items()},
            "milestones": milestones, "created": created, "moved": moved, "kept": kept}


def _flags(item: dict[str, Any], today: dt.date) -> dict[str, Any]:
    due = dt.date.fromisoformat(item["due_date"])
    open_ = item.get("status") != "done"
    item["overdue"] = open_ and due < today
    item["due_soon"] = open_ and today <= due <= today + dt.timedelta(days=DUE_SOON_DAYS)
    item["days_overdue"] = (today - due).days if item["overdue"] else 0
    item["status_text"] = TASK_STATUSES.get(item.get("status", ""), item.get("status", ""))
    return item


def anchors(ws: Workspace) -> dict[str, dict[str, Any]]:
    with ws.read() as con:
        return {r["name"]: {"date": r["value"], "given": bool(r["given"])}
                for r in con.execute("SELECT * FROM assessment_anchors")}


def milestone_due(ws: Workspace, key: str) -> str | None:
    """A milestone's due date (ISO), or None before the timeline is generated."""
    with ws.read() as con:
        row = con.execute("SELECT due_date FROM assessment_milestones WHERE key = ?", (key,)).fetchone()
    return row["due_date"] if row else None


def list_tasks(ws: Workspace, today: dt.date, *, owner: str | None = None, status: str | None = None,
               milestone: str | None = None) -> list[dict[str, Any]]:
    """Tasks in due-date order with overdue / due-soon flags as of ``today``."""
    sql, args, where = "SELECT * FROM assessment_tasks", [], []
    for col, val in (("owner", owner), ("status", status), ("milestone_key", milestone)):
        if val:
            where.append(f"{col} = ?")
            args.append(val)
    if where:
        sql += " WHERE " + " AND ".join(where)
    with ws.read() as con:
        found = rows(con.execute(sql + " ORDER BY due_date, id", args))
    return [_flags(t, today) for t in found]


def show(ws: Workspace, today: dt.date) -> dict[str, Any]:
    """The whole timeline: anchors, milestones (with their tasks) and counts of overdue / due-soon tasks."""
    tasks = list_tasks(ws, today)
    with ws.read() as con:
        ms = rows(con.execute("SELECT * FROM assessment_milestones ORDER BY due_date, sort"))
    by_ms: dict[str | None, list[dict[str, Any]]] = {}
    for t in tasks:
        by_ms.setdefault(t["milestone_key"], []).append(t)
    for m in ms:
        m["tasks"] = by_ms.get(m["key"], [])
        m["done"] = bool(m["tasks"]) and all(t["status"] == "done" for t in m["tasks"])
        m["passed"] = dt.date.fromisoformat(m["end_date"] or m["due_date"]) < today
    return {"today": today.isoformat(), "anchors": anchors(ws), "milestones": ms,
            "unattached_tasks": by_ms.get(None, []), "tasks": tasks,
            "overdue": sum(t["overdue"] for t in tasks), "due_soon": sum(t["due_soon"] for t in tasks),
            "done": sum(t["status"] == "done" for t in tasks)}


def get_task(ws: Workspace, task_id: int) -> dict[str, Any]:
    with ws.read() as con:
        row = con.execute("SELECT * FROM assessment_tasks WHERE id = ?", (task_id,)).fetchone()
    if row is None:
        raise NotFound(f"no task with id {task_id}")
    return dict(row)


def _milestone_exists(con: Any, key: str) -> None:
    if con.execute("SELECT 1 FROM assessment_milestones WHERE key = ?", (key,)).fetchone() is None:
        known = [r[0] for r in con.execute("SELECT key FROM assessment_milestones ORDER BY sort")]
        raise WorkspaceError(f"milestone {key!r} is not on the timeline; known: {', '.join(known) or 'none yet'}")


def add_task(ws: Workspace, *, actor: str, title: str, due_date: dt.date | str, owner: str = "",
             milestone: str | None = None, notes: str = "") -> int:
    """A task a user adds (e.g. 'book the council chamber'); returns its id."""
    if not title or not title.strip():
        raise WorkspaceError("task title is empty")
    due = _as_date(due_date, "due date")
    now = utc_now()
    with ws.transaction() as con:
        if milestone:
            _milestone_exists(con, milestone)
        cur = con.execute(
            "INSERT INTO assessment_tasks (milestone_key, title, owner, due_date, notes, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)", (milestone or None, title.strip(), owner.strip(), due.isoformat(),
                                             notes.strip(), now, now))
        Workspace.log(con, actor, ENTITY_TASK, cur.lastrowid, "create", title=title.strip(), due=due.isoformat(),
                      owner=owner.strip())
        return int(cur.lastrowid)


def update_task(ws: Workspace, task_id: int, *, actor: str, today: dt.date, status: str | None = None,
                owner: str | None = None, due_date: dt.date | str | None = None, title: str | None = None,
                notes: str | None = None) -> dict[str, Any]:
    """Change a task; marking it done records ``today`` as the day it was completed."""
    if status is not None and status not in TASK_STATUSES:
        raise WorkspaceError(f"status {status!r} is not one of: {', '.join(TASK_STATUSES)}")
    if title is not None and not title.strip():
        raise WorkspaceError("task title is empty")
    task = get_task(ws, task_id)
    changes: dict[str, Any] = {}
    if status is not None and status != task["status"]:
        changes["status"] = status
        changes["completed_on"] = today.isoformat() if status == "done" else None
    if owner is not None and owner.strip() != task["owner"]:
        changes["owner"] = owner.strip()
    if due_date is not None:
        due = _as_date(due_date, "due date").isoformat()
        if due != task["due_date"]:
            changes["due_date"] = due
    if title is not None and title.strip() != task["title"]:
        changes["title"] = title.strip()
    if notes is not None and notes.strip() != task["notes"]:
        changes["notes"] = notes.strip()
    if not changes:
        return task
    changes["updated_at"] = utc_now()
    with ws.transaction() as con:
        con.execute(f"UPDATE assessment_tasks SET {', '.join(f'{k} = ?' for k in changes)} WHERE id = ?",
                    [*changes.values(), task_id])
        Workspace.log(con, actor, ENTITY_TASK, task_id, "update",
                      **{k: {"from": task.get(k), "to": v} for k, v in changes.items() if k != "updated_at"})
    return get_task(ws, task_id)


# -- demo ------------------------------------------------------------------------------------------
DEMO_NOTIFIED = dt.date(2025, 1, 6)
DEMO_OWNERS = ("assurance-lead", "performance-analyst", "team-manager")


def seed_demo(ws: Workspace, store_dir: Path, today: dt.date) -> None:
    """A notification on 6 January 2025, so the demo's 31 March 2025 sits mid-process.

    The on-site dates were notified on 3 March 2025 (8 weeks in, as CQC's "9 to 11 weeks" once
    suggested); tasks due more than a week before ``today`` are done except two left overdue, the
    rest are open. Owners are the demo users, so each can update their own tasks.
    """
    del store_dir
    with ws.read() as con:
        if con.execute("SELECT count(*) FROM assessment_tasks").fetchone()[0]:
            return
    generate(ws, actor="demo", notified=DEMO_NOTIFIED, onsite_notified=dt.date(2025, 3, 3))
    tasks = list_tasks(ws, today)
    left_overdue = {"cases_check", "pen_pictures"}
    for i, t in enumerate(tasks):
        owner = DEMO_OWNERS[i % len(DEMO_OWNERS)]
        due = dt.date.fromisoformat(t["due_date"])
        if due < today - dt.timedelta(days=2) and t["key"] not in left_overdue:
            status = "done"
        elif due <= today + dt.timedelta(days=10):
            status = "in_progress"
        else:
            status = None
        update_task(ws, t["id"], actor="demo", today=min(due, today), status=status, owner=owner)
    add_task(ws, actor="demo", title="Book the council chamber for the leadership presentation",
             due_date=dt.date(2025, 4, 4), owner="assurance-lead", milestone="leadership_presentation")

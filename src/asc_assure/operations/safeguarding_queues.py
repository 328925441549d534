"""Safeguarding work queues: every open concern and enquiry with its next due date, per team.

An open concern waits for triage (due 2 working days after receipt; an urgent one is also screened
within 2 hours of receipt). An open enquiry waits for allocation to a worker (due 10 working days after
its concern was triaged) and then for completion (due 20 working days after allocation). The rules and
working days come from ``asc_assure.domain.timescales`` and ``asc_assure.domain.working_days``, the same
rules the timeliness measures use; :func:`timeliness` recomputes those measures from the queue's rules so
tests can check they agree.

A team manager may sign off a later due date for an item's current step, with a reason
(:func:`extend`); the queue then works to the extended date and shows the extension. Extensions change
the work queue only: the timeliness measures still count against the standard timescale.

Queues per team, on a date: **overdue** (due before the date), **due today**, **due in the next 2
working days**, and **open over 12 weeks** (more than 84 days since the concern was received or the
enquiry started, as the measure ``safeguarding.open_over_12_weeks`` counts enquiries).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError, rows, utc_now
from asc_assure.data.store import Store, StoreError
from asc_assure.domain import timescales as ts
from asc_assure.domain.working_days import add_working_days

NO_TEAM = "No team recorded"
SOON_WORKING_DAYS = 2
QUEUES = ("overdue", "due_today", "due_in_2_days", "open_over_12_weeks")
QUEUE_TITLES = {
    "overdue": "Overdue",
    "due_today": "Due today",
    "due_in_2_days": "Due in the next 2 working days",
    "open_over_12_weeks": "Open over 12 weeks",
}
STEP_TITLES = {"triage": "Triage", "allocation": "Allocation to a worker", "completion": "Completion"}
MIN_REASON = 10
MAX_EXTENSION_WORKING_DAYS = 60


def _connect(store_dir: Path | str, as_of: dt.date | None):
    try:
        store = Store(store_dir)
    except StoreError as exc:
        raise WorkspaceError(str(exc)) from exc
    return store.connect(as_of, first_if_later=as_of is not None,
                         only=("safeguarding_concerns", "safeguarding_enquiries"))


def _dicts(cur) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _open_rows(store_dir: Path | str, as_of: dt.date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    con = _connect(store_dir, as_of)
    try:
        concerns = _dicts(con.execute(
            "SELECT concern_id, person_id, received_date, urgent, team, triage_completed_date "
            "FROM safeguarding_concerns WHERE received_date <= ? "
            "AND (triage_completed_date IS NULL OR triage_completed_date > ?) ORDER BY received_date, concern_id",
            [as_of, as_of]))
        enquiries = _dicts(con.execute(
            "SELECT e.enquiry_id, e.concern_id, e.person_id, e.team, e.enquiry_type, e.start_date, e.allocated_date, "
            "c.triage_completed_date AS triaged FROM safeguarding_enquiries e "
            "LEFT JOIN safeguarding_concerns c ON c.concern_id = e.concern_id "
            "WHERE e.start_date <= ? AND (e.completed_date IS NULL OR e.completed_date > ?) "
            "ORDER BY e.start_date, e.enquiry_id", [as_of, as_of]))
    finally:
        con.close()
    return concerns, enquiries


def open_items(store_dir: Path | str, as_of: dt.date) -> list[dict[str, Any]]:
    """Every concern and enquiry open on ``as_of`` with its current step and the standard due date."""
    concerns, enquiries = _open_rows(store_dir, as_of)
    items = []
    for c in concerns:
        items.append({
            "kind": "concern", "item_id": c["concern_id"], "person_id": c["person_id"],
            "team": c["team"] or NO_TEAM, "opened": c["received_date"], "urgent": bool(c["urgent"]),
            "step": "triage", "clock_from": c["received_date"], "standard_due": ts.triage_due(c["received_date"]),
            "basis": f"{ts.TRIAGE_WORKING_DAYS} working days from receipt",
        })
    for e in enquiries:
        allocated = e["allocated_date"] if e["allocated_date"] and e["allocated_date"] <= as_of else None
        if allocated is None:
            start, basis = e["triaged"], f"{ts.ALLOCATION_WORKING_DAYS} working days from the concern's triage"
            if start is None:
                start = e["start_date"]
                basis = (f"{ts.ALLOCATION_WORKING_DAYS} working days from the enquiry's start (the concern's "
                         "triage date is not in the concerns extract)")
            step, due = "allocation", ts.allocation_due(start)
        else:
            start, step, due = allocated, "completion", ts.completion_due(allocated)
            basis = f"{ts.COMPLETION_WORKING_DAYS} working days from allocation"
        items.append({
            "kind": "enquiry", "item_id": e["enquiry_id"], "person_id": e["person_id"],
            "team": e["team"] or NO_TEAM, "opened": e["start_date"], "urgent": False, "step": step,
            "clock_from": start, "standard_due": due, "basis": basis, "concern_id": e["concern_id"],
            "enquiry_type": e["enquiry_type"],
        })
    return items


# -- extensions -------------------------------------------------------------------------------------------
def latest_extensions(ws: Workspace) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(kind, item id, step) -> the extension in force (the latest signed off)."""
    with ws.read() as con:
        found = rows(con.execute(
            "SELECT * FROM safeguarding_extensions WHERE id IN "
            "(SELECT max(id) FROM safeguarding_extensions GROUP BY item_kind, item_id, step)"))
    return {(r["item_kind"], r["item_id"], r["step"]): r for r in found}


def extension_history(ws: Workspace, item_id: str) -> list[dict[str, Any]]:
    """Every extension signed off for an item, newest first."""
    with ws.read() as con:
        return rows(con.execute("SELECT * FROM safeguarding_extensions WHERE item_id = ? ORDER BY id DESC",
                                (item_id,)))


def _with_state(item: dict[str, Any], as_of: dt.date, ext: dict[str, Any] | None) -> dict[str, Any]:
    due = dt.date.fromisoformat(ext["new_due"]) if ext else item["standard_due"]
    soon = add_working_days(as_of, SOON_WORKING_DAYS)
    urgent_today = item["urgent"] and item["step"] == "triage" and item["opened"] == as_of
    if due < as_of:
        state = "overdue"
    elif due == as_of or urgent_today:
        state = "due_today"
    elif due <= soon:
        state = "due_in_2_days"
    else:
        state = None
    return {
        **item, "due": due, "extended": ext is not None,
        "extension": ({"new_due": ext["new_due"], "due_before": ext["due_before"], "reason": ext["reason"],
                       "signed_off_by": ext["signed_off_by"], "signed_off_at": ext["signed_off_at"]}
                      if ext else None),
        "state": state, "open_days": (as_of - item["opened"]).days,
        "open_over_12_weeks": ts.open_over_12_weeks(item["opened"], as_of),
        "days_overdue": (as_of - due).days if due < as_of else 0,
        "urgent_screening": ("screen within 2 hours of receipt" if urgent_today else None),
    }


def items_on(ws: Workspace, store_dir: Path | str, as_of: dt.date) -> list[dict[str, Any]]:
    """Open items with the due date in force (extended where signed off) and their queue state."""
    extensions = latest_extensions(ws)
    out = [_with_state(i, as_of, extensions.get((i["kind"], i["item_id"], i["step"])))
           for i in open_items(store_dir, as_of)]
    out.sort(key=lambda i: (i["due"], not i["urgent"], i["opened"], i["item_id"]))
    return out


def queues(ws: Workspace, store_dir: Path | str, as_of: dt.date, team: str | None = None,
           teams: frozenset[str] | set[str] | None = None) -> dict[str, Any]:
    """Queues per team on ``as_of``. ``team`` picks one team; ``teams`` limits to a set (a team manager's)."""
    items = items_on(ws, store_dir, as_of)
    if team and teams is not None and team not in teams:
        raise WorkspaceError(f"team {team!r} is not one of the teams you manage ({', '.join(sorted(teams))})")
    if team:
        chosen = [team]
    else:
        chosen = sorted(teams) if teams is not None else sorted({i["team"] for i in items})
    out = []
    for name in chosen:
        mine = [i for i in items if i["team"] == name]
        lists = {q: [i for i in mine if i["state"] == q] for q in QUEUES[:3]}
        lists["open_over_12_weeks"] = sorted((i for i in mine if i["open_over_12_weeks"]),
                                             key=lambda i: (i["opened"], i["item_id"]))
        out.append({
            "team": name, "open": len(mine),
            "open_concerns": sum(1 for i in mine if i["kind"] == "concern"),
            "open_enquiries": sum(1 for i in mine if i["kind"] == "enquiry"),
            "enquiries_over_12_weeks": sum(1 for i in mine if i["kind"] == "enquiry" and i["open_over_12_weeks"]),
            "extended": sum(1 for i in mine if i["extended"]),
            "counts": {q: len(v) for q, v in lists.items()}, "queues": lists,
        })
    return {"as_of": as_of, "due_soon_until": add_working_days(as_of, SOON_WORKING_DAYS), "teams": out}


def find_item(ws: Workspace, store_dir: Path | str, item_id: str, as_of: dt.date) -> dict[str, Any]:
    """An open item by its pseudonymised reference."""
    item_id = (item_id or "").strip()
    for item in items_on(ws, store_dir, as_of):
        if item["item_id"] == item_id:
            return item
    raise NotFound(f"no open safeguarding concern or enquiry {item_id!r} on {as_of:%d/%m/%Y} (use the "
                   "pseudonymised reference shown in the queue)")


def extend(ws: Workspace, store_dir: Path | str, item_id: str, new_due: dt.date, reason: str, actor: str,
           as_of: dt.date) -> dict[str, Any]:
    """A team manager signs off a later due date for an open item's current step, with a reason."""
    item = find_item(ws, store_dir, item_id, as_of)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise WorkspaceError(f"give a reason for the extension of at least {MIN_REASON} characters")
    if not isinstance(new_due, dt.date):
        raise WorkspaceError(f"new due date {new_due!r} is not a date")
    if new_due <= item["due"]:
        raise WorkspaceError(f"new due date {new_due:%d/%m/%Y} must be after the current due date "
                             f"{item['due']:%d/%m/%Y}")
    limit = add_working_days(item["due"], MAX_EXTENSION_WORKING_DAYS)
    if new_due > limit:
        raise WorkspaceError(f"new due date {new_due:%d/%m/%Y} is more than {MAX_EXTENSION_WORKING_DAYS} "
                             f"working days after the current due date (latest {limit:%d/%m/%Y})")
    with ws.transaction() as con:
        cur = con.execute(
            "INSERT INTO safeguarding_extensions (item_kind, item_id, step, team, due_before, new_due, reason, "
            "signed_off_by, signed_off_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (item["kind"], item["item_id"], item["step"], item["team"], item["due"].isoformat(),
             new_due.isoformat(), reason, actor, utc_now()))
        Workspace.log(con, actor, "safeguarding_extension", item["item_id"], "extend", kind=item["kind"],
                      step=item["step"], team=item["team"], due_before=item["due"].isoformat(),
                      new_due=new_due.isoformat(), reason=reason)
        ext_id = cur.lastrowid
    return {"id": ext_id, **find_item(ws, store_dir, item["item_id"], as_of)}


# -- agreement with the timeliness measures ----------------------------------------------------------------
def _pct(flags: list[bool]) -> dict[str, Any]:
    n = len(flags)
    if not n:
        return {"numerator": None, "denominator": None, "value": None}
    return {"numerator": sum(flags), "denominator": n, "value": round(100 * sum(flags) / n, 1)}


def timeliness(store_dir: Path | str, as_of: dt.date, period: str = "week") -> dict[str, dict[str, Any]]:
    """The three timeliness measures worked out from the queue's rules: of the items whose standard due
    date fell in the period, the share done by then. They must equal the measures' figures."""
    from asc_assure.measures.periods import window

    first = window(as_of, period).start
    con = _connect(store_dir, as_of)
    try:
        concerns = con.execute("SELECT received_date, triage_completed_date FROM safeguarding_concerns").fetchall()
        enquiries = con.execute(
            "SELECT c.triage_completed_date, e.allocated_date, e.completed_date FROM safeguarding_enquiries e "
            "LEFT JOIN safeguarding_concerns c ON c.concern_id = e.concern_id").fetchall()
    finally:
        con.close()
    triage = [ts.on_time(r, t, ts.TRIAGE_WORKING_DAYS) for r, t in concerns if first <= ts.triage_due(r) <= as_of]
    alloc = [ts.on_time(t, a, ts.ALLOCATION_WORKING_DAYS) for t, a, _ in enquiries
             if t is not None and first <= ts.allocation_due(t) <= as_of]
    done = [ts.on_time(a, c, ts.COMPLETION_WORKING_DAYS) for _, a, c in enquiries
            if a is not None and first <= ts.completion_due(a) <= as_of]
    return {"safeguarding.triage_within_2wd_pct": _pct(triage),
            "safeguarding.allocation_within_10wd_pct": _pct(alloc),
            "safeguarding.enquiry_within_20wd_pct": _pct(done)}


# -- demo ----------------------------------------------------------------------------------------------------
DEMO_REASONS = (
    "Adult in hospital after a fall; the enquiry visit is rearranged for after discharge",
    "Police investigation under way; the enquiry waits for the police's agreement to proceed",
    "Interpreter needed for the adult's preferred language; first available date is later",
)


def seed_demo(ws: Workspace, store_dir: Path, today: dt.date) -> None:
    """A few signed-off extensions on the demo store: for the three teams with the most open enquiries on
    ``today``, the open enquiry due soonest gets a later due date with a reason. Adds nothing if any
    extension exists already."""
    with ws.read() as con:
        if con.execute("SELECT count(*) FROM safeguarding_extensions").fetchone()[0]:
            return
    try:
        items = items_on(ws, store_dir, today)
    except WorkspaceError:
        return
    enquiries = [i for i in items if i["kind"] == "enquiry" and i["due"] >= today]
    by_team: dict[str, list[dict[str, Any]]] = {}
    for i in enquiries:
        by_team.setdefault(i["team"], []).append(i)
    teams = sorted(by_team, key=lambda t: (-len(by_team[t]), t))[:3]
    for n, team in enumerate(teams):
        item = min(by_team[team], key=lambda i: (i["due"], i["item_id"]))
        extend(ws, store_dir, item["item_id"], add_working_days(item["due"], 5 + 5 * n), DEMO_REASONS[n],
               actor="team-manager", as_of=today)

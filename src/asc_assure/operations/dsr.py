"""The Dynamic Support Register (DSR): people with a learning disability and/or autistic people at risk of
admission to a mental health hospital, kept by team managers.

Why it is built this way:

* **Pseudonymised, and checked.** An entry names a person only by the pseudonymised key the store uses
  (``P-`` and 16 hex digits). The key must belong to someone in the store's people or CLD extract, so a
  typing error or a real identifier (a name, an NHS number) is refused rather than kept.
* **History, not just the latest state.** Every RAG rating is a row with the date it applies from, who
  recorded it and why; so the register can say how many people were Red, Amber or Green on any past
  date, and a monthly series is worked out from the history rather than from snapshots someone
  remembered to take.
* **Review dates are computed, never typed.** The next review is due a number of months (by RAG, in
  ``dsr_settings.yaml``) after the latest of: the date added, the last review, the last RAG change. A
  change of settings therefore moves every due date at once, and an entry is overdue when that date has
  passed.
* **Counts for reports are suppressed.** Anything leaving the register as a count goes through
  :mod:`asc_assure.domain.suppression`, because a register of a few dozen people is easy to re-identify.

Access rules (team managers only, own teams, audited views) live in the web app; the CLI records each
list or entry it shows in the workspace change log (:func:`record_view`).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from asc_assure.assurance.commentary import month_bounds, month_label, shift_month
from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError, rows, utc_now
from asc_assure.domain.suppression import SUPPRESSED, public_count

RAGS = ("red", "amber", "green")
AGE_GROUPS = ("transition", "adult")
SETTINGS = ("community", "inpatient")
ENTITY = "dsr_entry"
PERSON_KEY = re.compile(r"^P-[0-9a-f]{16}$")
REF = re.compile(r"^\s*(?:dsr[-\s]?)?0*(\d{1,9})\s*$", re.IGNORECASE)
#: Month ends shown in the monthly report's DSR table (the report month and the five before it).
REPORT_MONTHS = 6


# -- settings ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    """The register's rules from ``dsr_settings.yaml``: ratings, review intervals and the lists."""

    rag: dict[str, dict[str, Any]]
    due_soon_days: int
    min_reason: int
    age_groups: dict[str, dict[str, str]]
    ctr_settings: dict[str, str]
    ctr_outcomes: dict[str, str]
    close_reasons: dict[str, str]
    sources: list[dict[str, Any]]

    def review_months(self, rag: str) -> int:
        return int(self.rag[rag]["review_months"])

    def label(self, rag: str | None) -> str:
        return self.rag[rag]["label"] if rag in self.rag else "Not rated"


def _settings_from(data: dict[str, Any]) -> Settings:
    rag = data.get("rag") or {}
    if sorted(rag) != sorted(RAGS):
        raise ValueError("dsr_settings.yaml must define exactly the ratings red, amber and green")
    for name, spec in rag.items():
        if int(spec.get("review_months", 0)) < 1:
            raise ValueError(f"dsr_settings.yaml: review_months for {name} must be a whole number of months, 1 or more")
    if sorted(data.get("age_groups") or {}) != sorted(AGE_GROUPS):
        raise ValueError("dsr_settings.yaml must define the age groups transition and adult")
    if sorted(data.get("ctr_settings") or {}) != sorted(SETTINGS):
        raise ValueError("dsr_settings.yaml must define the C(E)TR settings community and inpatient")
    if not data.get("ctr_outcomes") or not data.get("close_reasons") or "other" not in data["close_reasons"]:
        raise ValueError("dsr_settings.yaml needs ctr_outcomes and close_reasons (including 'other')")
    return Settings(rag=rag, due_soon_days=int(data.get("due_soon_days", 14)),
                    min_reason=int(data.get("min_reason_chars", 10)), age_groups=data["age_groups"],
                    ctr_settings=data["ctr_settings"], ctr_outcomes=data["ctr_outcomes"],
                    close_reasons=data["close_reasons"], sources=list(data.get("sources") or []))


@lru_cache(maxsize=4)
def load_settings(path: str | None = None) -> Settings:
    """The packaged settings, or a council's own file."""
    text = (Path(path).read_text(encoding="utf-8") if path
            else (resources.files("asc_assure.operations") / "dsr_settings.yaml").read_text(encoding="utf-8"))
    return _settings_from(yaml.safe_load(text))


# -- small rules ----------------------------------------------------------------------------------------------
def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (31 January + 1 month = 28 or 29 February)."""
    first, last = month_bounds(shift_month(f"{day:%Y-%m}", months))
    return first.replace(day=min(day.day, last.day))


def ref(entry_id: int) -> str:
    """How an entry is named on screen and in the CLI: DSR-0007."""
    return f"DSR-{int(entry_id):04d}"


def parse_ref(text: str | int) -> int:
    """'DSR-0007', 'dsr-7' or 7 -> 7."""
    m = REF.match(str(text))
    if not m or int(m.group(1)) == 0:
        raise WorkspaceError(f"entry {text!r} is not a register reference (use the form DSR-0007)")
    return int(m.group(1))


def _iso(day: dt.date | str | None) -> str | None:
    return day.isoformat() if isinstance(day, dt.date) else day


def _day(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _text(value: Any, field: str, minimum: int = 1) -> str:
    text = " ".join(str(value or "").split())
    if len(text) < minimum:
        need = "is required" if minimum <= 1 else f"needs at least {minimum} characters (got {len(text)})"
        raise WorkspaceError(f"{field} {need}")
    return text


def _choice(value: Any, options: dict[str, Any] | tuple[str, ...], field: str) -> str:
    key = str(value or "").strip().lower()
    if not key:
        raise WorkspaceError(f"{field} is required: choose one of {', '.join(options)}")
    if key not in options:
        raise WorkspaceError(f"{field} {value!r} is not one of: {', '.join(options)}")
    return key


def _date_in_range(day: dt.date, field: str, today: dt.date, not_before: dt.date | None = None,
                   what: str = "") -> dt.date:
    if not isinstance(day, dt.date):
        raise WorkspaceError(f"{field} {day!r} is not a date")
    if day > today:
        raise WorkspaceError(f"{field} {day:%d/%m/%Y} is in the future (today is {today:%d/%m/%Y})")
    if not_before is not None and day < not_before:
        raise WorkspaceError(f"{field} {day:%d/%m/%Y} is before {what} ({not_before:%d/%m/%Y})")
    return day


# -- the store ------------------------------------------------------------------------------------------------
def person_facts(store_dir: Path | str, person_key: str) -> dict[str, Any]:
    """What the store knows about a person: whether they exist, date of birth and death, primary support
    reason and whether autism is recorded (people extract first, CLD events otherwise)."""
    from asc_assure.data.store import Store, StoreError

    try:
        store = Store(store_dir)
    except StoreError as exc:
        raise WorkspaceError(str(exc)) from None
    con = store.connect(None, only=("people", "cld"))
    try:
        p = con.execute("SELECT date_of_birth, date_of_death, primary_support_reason FROM people "
                        "WHERE person_id = ? LIMIT 1", [person_key]).fetchone()
        c = con.execute(
            "SELECT count(*), max(date_of_birth), max(date_of_death), "
            "arg_max(primary_support_reason, event_start_date) FILTER (WHERE primary_support_reason IS NOT NULL), "
            "bool_or(lower(coalesce(autism_spectrum_disorder_asd, '')) IN ('yes', 'y', 'true', '1')) "
            "FROM cld WHERE la_person_unique_identifier = ?", [person_key]).fetchone()
    finally:
        con.close()
    in_cld = bool(c and c[0])
    if p is None and not in_cld:
        return {"found": False}
    dob = (p[0] if p else None) or (c[1] if in_cld else None)
    dod = (p[1] if p else None) or (c[2] if in_cld else None)
    psr = (p[2] if p else None) or (c[3] if in_cld else None)
    return {"found": True, "in_people": p is not None, "in_cld": in_cld, "date_of_birth": dob,
            "date_of_death": dod, "primary_support_reason": psr,
            "learning_disability_support": psr == "Learning disability support",
            "autism_recorded": bool(c[4]) if in_cld else False}


def store_teams(store_dir: Path | str) -> list[str]:
    """Teams in the store's teams extract (empty when none is loaded)."""
    from asc_assure.data.store import Store, StoreError

    try:
        con = Store(store_dir).connect(None, only=("teams",))
    except StoreError as exc:
        raise WorkspaceError(str(exc)) from None
    try:
        return [r[0] for r in con.execute("SELECT DISTINCT team FROM teams WHERE team IS NOT NULL ORDER BY team")
                .fetchall()]
    finally:
        con.close()


def _check_person(store_dir: Path | str, person_key: str, added_on: dt.date) -> dict[str, Any]:
    key = (person_key or "").strip()
    if not PERSON_KEY.match(key):
        raise WorkspaceError(f"person {person_key!r} is not a pseudonymised person reference: use the key the "
                             "store shows (P- followed by 16 characters, e.g. P-1a2b3c4d5e6f7a8b), never a name "
                             "or NHS number")
    facts = person_facts(store_dir, key)
    if not facts["found"]:
        raise WorkspaceError(f"person {key} is not in the store's people or CLD extract (check the reference)")
    if facts["date_of_death"] is not None and facts["date_of_death"] <= added_on:
        raise WorkspaceError(f"person {key} died on {facts['date_of_death']:%d/%m/%Y}, before the date added")
    return facts


def _check_team(store_dir: Path | str, team: str) -> str:
    team = _text(team, "team")
    known = store_teams(store_dir)
    if known and team not in known:
        raise WorkspaceError(f"team {team!r} is not in the teams extract (known teams: {', '.join(known)})")
    return team


# -- reading ----------------------------------------------------------------------------------------------------
def _load(ws: Workspace, ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Entries with their RAG history, reviews, C(E)TRs and actions (oldest first within each)."""
    where, args = "", []
    if ids is not None:
        if not ids:
            return []
        where = f" WHERE id IN ({','.join('?' * len(ids))})"
        args = list(ids)
    with ws.read() as con:
        entries = rows(con.execute(f"SELECT * FROM dsr_entries{where} ORDER BY id", args))
        children = {}
        for table, order in (("dsr_rag_history", "effective_on, id"), ("dsr_reviews", "reviewed_on, id"),
                             ("dsr_ctrs", "held_on, id"), ("dsr_actions", "id")):
            found = rows(con.execute(f"SELECT * FROM {table}{where.replace('id IN', 'entry_id IN')} "
                                     f"ORDER BY entry_id, {order}", args))
            by_entry: dict[int, list[dict[str, Any]]] = {}
            for r in found:
                by_entry.setdefault(r["entry_id"], []).append(r)
            children[table] = by_entry
    for e in entries:
        e["rag_history"] = children["dsr_rag_history"].get(e["id"], [])
        e["reviews"] = children["dsr_reviews"].get(e["id"], [])
        e["ctrs"] = children["dsr_ctrs"].get(e["id"], [])
        e["actions"] = children["dsr_actions"].get(e["id"], [])
    return entries


def rag_on(entry: dict[str, Any], day: dt.date) -> str | None:
    """The entry's RAG on ``day`` (None if it was not on the register that day)."""
    if not on_register(entry, day):
        return None
    current = None
    for h in entry["rag_history"]:
        if _day(h["effective_on"]) <= day:
            current = h["rag"]
    return current


def on_register(entry: dict[str, Any], day: dt.date) -> bool:
    """Added on or before ``day`` and not closed by then (an entry closed on a day is off the register that day)."""
    closed = _day(entry["closed_on"])
    return _day(entry["added_on"]) <= day and (closed is None or closed > day)


def next_review_on(entry: dict[str, Any], day: dt.date, settings: Settings | None = None) -> dt.date | None:
    """When the next review was due, as things stood on ``day``: the RAG's interval after the latest of the
    date added, the last review and the last RAG change on or before ``day``."""
    settings = settings or load_settings()
    rag = rag_on(entry, day)
    if rag is None:
        return None
    marks = [_day(entry["added_on"])]
    marks += [_day(r["reviewed_on"]) for r in entry["reviews"] if _day(r["reviewed_on"]) <= day]
    marks += [_day(h["effective_on"]) for h in entry["rag_history"] if _day(h["effective_on"]) <= day]
    return add_months(max(marks), settings.review_months(rag))


def _view(entry: dict[str, Any], today: dt.date, settings: Settings) -> dict[str, Any]:
    """An entry as the CLI and web show it, with what is worked out for ``today``."""
    e = dict(entry)
    e["ref"] = ref(e["id"])
    latest = e["rag_history"][-1] if e["rag_history"] else None
    e["rag"] = latest["rag"] if latest else None
    e["rag_label"] = settings.label(e["rag"])
    e["rag_reason"] = latest["reason"] if latest else None
    e["rag_since"] = latest["effective_on"] if latest else None
    e["review_type"] = settings.age_groups[e["age_group"]]["review_type"]
    e["age_group_label"] = settings.age_groups[e["age_group"]]["label"]
    e["needs"] = " and ".join(n for n, on in (("learning disability", e["learning_disability"]),
                                              ("autism", e["autism"])) if on)
    e["last_review"] = e["reviews"][-1]["reviewed_on"] if e["reviews"] else None
    e["last_ctr"] = e["ctrs"][-1] if e["ctrs"] else None
    for c in e["ctrs"]:
        c["outcome_label"] = settings.ctr_outcomes.get(c["outcome"], c["outcome"])
        c["setting_label"] = settings.ctr_settings.get(c["setting"], c["setting"])
    for a in e["actions"]:
        a["overdue"] = a["done_on"] is None and _day(a["due_on"]) < today
    e["open_actions"] = sum(1 for a in e["actions"] if a["done_on"] is None)
    e["overdue_actions"] = sum(1 for a in e["actions"] if a["overdue"])
    e["close_reason_label"] = settings.close_reasons.get(e["close_reason"]) if e["close_reason"] else None
    if e["status"] == "open":
        due = next_review_on(entry, max(today, _day(e["added_on"])), settings)
        e["next_review"] = due.isoformat() if due else None
        e["review_overdue"] = bool(due and due < today)
        e["review_due_soon"] = bool(due and not e["review_overdue"] and (due - today).days <= settings.due_soon_days)
        e["days_overdue"] = (today - due).days if e["review_overdue"] else 0
    else:
        e.update(next_review=None, review_overdue=False, review_due_soon=False, days_overdue=0)
    e["review_status"] = ("Overdue" if e["review_overdue"] else "Due soon" if e["review_due_soon"]
                          else "Closed" if e["status"] == "closed" else "On time")
    return e


def entries(ws: Workspace, today: dt.date, teams: frozenset[str] | set[str] | None = None,
            status: str = "open", rag: str | None = None, team: str | None = None,
            overdue_only: bool = False) -> list[dict[str, Any]]:
    """The register: open entries by default, Red first, then by next review date. ``teams`` limits the list
    to those teams (a team manager's own); ``team`` and ``rag`` filter further."""
    settings = load_settings()
    if status not in ("open", "closed", "all"):
        raise WorkspaceError(f"status {status!r} must be open, closed or all")
    if rag is not None:
        rag = _choice(rag, RAGS, "RAG")
    out = []
    for e in _load(ws):
        if teams is not None and e["team"] not in teams:
            continue
        if team and e["team"] != team:
            continue
        if status != "all" and e["status"] != status:
            continue
        v = _view(e, today, settings)
        if rag and v["rag"] != rag:
            continue
        if overdue_only and not v["review_overdue"]:
            continue
        out.append(v)
    order = {r: n for n, r in enumerate(RAGS)}
    out.sort(key=lambda v: (v["status"] != "open", order.get(v["rag"], 9), v["next_review"] or "9999", v["id"]))
    return out


def entry(ws: Workspace, entry_ref: str | int, today: dt.date) -> dict[str, Any]:
    """One entry with its history, reviews, C(E)TRs and actions."""
    entry_id = parse_ref(entry_ref)
    found = _load(ws, [entry_id])
    if not found:
        raise NotFound(f"no register entry {ref(entry_id)}")
    return _view(found[0], today, load_settings())


def teams_in_use(ws: Workspace) -> list[str]:
    with ws.read() as con:
        return [r[0] for r in con.execute("SELECT DISTINCT team FROM dsr_entries ORDER BY team")]


# -- writing ----------------------------------------------------------------------------------------------------
def _open_entry(ws: Workspace, entry_ref: str | int, today: dt.date) -> dict[str, Any]:
    e = entry(ws, entry_ref, today)
    if e["status"] != "open":
        raise WorkspaceError(f"{e['ref']} was closed on {_day(e['closed_on']):%d/%m/%Y}; add the person again "
                             "to start a new entry")
    return e


def add_entry(ws: Workspace, store_dir: Path | str, person_key: str, *, learning_disability: bool, autism: bool,
              age_group: str, team: str, key_worker: str, rag: str, reason: str, added_on: dt.date,
              actor: str, today: dt.date) -> dict[str, Any]:
    """Put a person on the register with their first RAG rating."""
    settings = load_settings()
    if not (learning_disability or autism):
        raise WorkspaceError("an entry is for a person with a learning disability and/or an autistic person: "
                             "tick at least one")
    age_group = _choice(age_group, AGE_GROUPS, "age group")
    rag = _choice(rag, RAGS, "RAG")
    reason = _text(reason, "reason for the RAG rating", settings.min_reason)
    key_worker = _text(key_worker, "key worker")
    added_on = _date_in_range(added_on, "date added", today)
    team = _check_team(store_dir, team)
    person_key = person_key.strip()
    _check_person(store_dir, person_key, added_on)
    with ws.transaction() as con:
        already = con.execute("SELECT id FROM dsr_entries WHERE person_key = ? AND status = 'open'",
                              (person_key,)).fetchone()
        if already:
            raise WorkspaceError(f"person {person_key} is already on the register as {ref(already[0])}")
        cur = con.execute(
            "INSERT INTO dsr_entries (person_key, learning_disability, autism, age_group, team, key_worker, added_on, "
            "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (person_key, int(bool(learning_disability)), int(bool(autism)), age_group, team, key_worker,
             added_on.isoformat(), actor, utc_now()))
        entry_id = cur.lastrowid
        con.execute("INSERT INTO dsr_rag_history (entry_id, rag, reason, effective_on, recorded_by, recorded_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)", (entry_id, rag, reason, added_on.isoformat(), actor, utc_now()))
        Workspace.log(con, actor, ENTITY, ref(entry_id), "add", team=team, age_group=age_group, rag=rag,
                      added_on=added_on.isoformat(), key_worker=key_worker)
    return entry(ws, entry_id, today)


def change_rag(ws: Workspace, entry_ref: str | int, rag: str, reason: str, effective_on: dt.date, actor: str,
               today: dt.date) -> dict[str, Any]:
    """Record a new RAG rating with its reason and the date it applies from (kept in the history)."""
    settings = load_settings()
    e = _open_entry(ws, entry_ref, today)
    rag = _choice(rag, RAGS, "RAG")
    reason = _text(reason, "reason for the RAG rating", settings.min_reason)
    latest = _day(e["rag_history"][-1]["effective_on"])
    effective_on = _date_in_range(effective_on, "date of the RAG change", today, latest,
                                  "the current rating's date")
    if rag == e["rag"]:
        raise WorkspaceError(f"{e['ref']} is already {settings.label(rag)}; record a review instead")
    with ws.transaction() as con:
        con.execute("INSERT INTO dsr_rag_history (entry_id, rag, reason, effective_on, recorded_by, recorded_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)", (e["id"], rag, reason, effective_on.isoformat(), actor, utc_now()))
        Workspace.log(con, actor, ENTITY, e["ref"], "rag", rag_before=e["rag"], rag=rag, reason=reason,
                      effective_on=effective_on.isoformat())
    return entry(ws, e["id"], today)


def record_review(ws: Workspace, entry_ref: str | int, reviewed_on: dt.date, notes: str, actor: str,
                  today: dt.date, rag: str | None = None, reason: str | None = None) -> dict[str, Any]:
    """Record a review; a new RAG decided at the review is recorded with it (same date)."""
    settings = load_settings()
    e = _open_entry(ws, entry_ref, today)
    notes = _text(notes, "what the review found and agreed", settings.min_reason)
    reviewed_on = _date_in_range(reviewed_on, "review date", today, _day(e["added_on"]), "the date added")
    new_rag = _choice(rag, RAGS, "RAG") if rag else None
    if new_rag == e["rag"]:
        new_rag = None
    if new_rag:
        reason = _text(reason, "reason for the RAG rating", settings.min_reason)
        _date_in_range(reviewed_on, "review date", today, _day(e["rag_history"][-1]["effective_on"]),
                       "the current rating's date")
    with ws.transaction() as con:
        con.execute("INSERT INTO dsr_reviews (entry_id, reviewed_on, notes, recorded_by, recorded_at) "
                    "VALUES (?, ?, ?, ?, ?)", (e["id"], reviewed_on.isoformat(), notes, actor, utc_now()))
        if new_rag:
            con.execute("INSERT INTO dsr_rag_history (entry_id, rag, reason, effective_on, recorded_by, recorded_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (e["id"], new_rag, reason, reviewed_on.isoformat(), actor,
                                                      utc_now()))
        Workspace.log(con, actor, ENTITY, e["ref"], "review", reviewed_on=reviewed_on.isoformat(),
                      rag_before=e["rag"], rag=new_rag or e["rag"], reason=reason if new_rag else None)
    return entry(ws, e["id"], today)


def record_ctr(ws: Workspace, entry_ref: str | int, held_on: dt.date, setting: str, outcome: str, actor: str,
               today: dt.date, notes: str | None = None) -> dict[str, Any]:
    """Record a Care and Treatment Review (adults) or C(E)TR (children and young people): the type follows
    the entry's age group."""
    settings = load_settings()
    e = _open_entry(ws, entry_ref, today)
    setting = _choice(setting, settings.ctr_settings, "setting")
    outcome = _choice(outcome, settings.ctr_outcomes, "outcome")
    held_on = _date_in_range(held_on, f"{e['review_type']} date", today)
    notes = " ".join(str(notes or "").split()) or None
    with ws.transaction() as con:
        con.execute("INSERT INTO dsr_ctrs (entry_id, review_type, setting, held_on, outcome, notes, recorded_by, "
                    "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (e["id"], e["review_type"], setting, held_on.isoformat(), outcome, notes, actor, utc_now()))
        Workspace.log(con, actor, ENTITY, e["ref"], "ctr", review_type=e["review_type"], setting=setting,
                      held_on=held_on.isoformat(), outcome=outcome)
    return entry(ws, e["id"], today)


def add_action(ws: Workspace, entry_ref: str | int, text: str, owner: str, due_on: dt.date, actor: str,
               today: dt.date) -> dict[str, Any]:
    """An action agreed for the person: what, who and by when."""
    e = _open_entry(ws, entry_ref, today)
    text = _text(text, "action")
    owner = _text(owner, "action owner")
    if not isinstance(due_on, dt.date):
        raise WorkspaceError(f"due date {due_on!r} is not a date")
    if due_on < _day(e["added_on"]):
        raise WorkspaceError(f"due date {due_on:%d/%m/%Y} is before the date added ({_day(e['added_on']):%d/%m/%Y})")
    with ws.transaction() as con:
        cur = con.execute("INSERT INTO dsr_actions (entry_id, text, owner, due_on, created_by, created_at) "
                          "VALUES (?, ?, ?, ?, ?, ?)", (e["id"], text, owner, due_on.isoformat(), actor, utc_now()))
        Workspace.log(con, actor, ENTITY, e["ref"], "action", action_id=cur.lastrowid, owner=owner,
                      due_on=due_on.isoformat())
    return entry(ws, e["id"], today)


def complete_action(ws: Workspace, entry_ref: str | int, action_id: int, done_on: dt.date, actor: str,
                    today: dt.date) -> dict[str, Any]:
    """Mark an action done."""
    e = _open_entry(ws, entry_ref, today)
    action = next((a for a in e["actions"] if a["id"] == int(action_id)), None)
    if action is None:
        raise NotFound(f"{e['ref']} has no action {action_id}")
    if action["done_on"]:
        raise WorkspaceError(f"action {action_id} was already done on {_day(action['done_on']):%d/%m/%Y}")
    done_on = _date_in_range(done_on, "date done", today, _day(e["added_on"]), "the date added")
    with ws.transaction() as con:
        con.execute("UPDATE dsr_actions SET done_on = ?, done_by = ? WHERE id = ?",
                    (done_on.isoformat(), actor, action["id"]))
        Workspace.log(con, actor, ENTITY, e["ref"], "action_done", action_id=action["id"],
                      done_on=done_on.isoformat())
    return entry(ws, e["id"], today)


def close_entry(ws: Workspace, entry_ref: str | int, reason: str, closed_on: dt.date, actor: str, today: dt.date,
                note: str | None = None) -> dict[str, Any]:
    """Take a person off the register, with the reason (an admission is recorded this way)."""
    settings = load_settings()
    e = _open_entry(ws, entry_ref, today)
    reason = _choice(reason, settings.close_reasons, "reason for closing")
    note = " ".join(str(note or "").split()) or None
    if reason == "other":
        note = _text(note, "the reason for closing", settings.min_reason)
    latest = max([_day(e["added_on"])] + [_day(h["effective_on"]) for h in e["rag_history"]])
    closed_on = _date_in_range(closed_on, "date closed", today, latest, "the latest rating")
    with ws.transaction() as con:
        con.execute("UPDATE dsr_entries SET status = 'closed', closed_on = ?, close_reason = ?, close_note = ? "
                    "WHERE id = ?", (closed_on.isoformat(), reason, note, e["id"]))
        Workspace.log(con, actor, ENTITY, e["ref"], "close", reason=reason, note=note, closed_on=closed_on.isoformat())
    return entry(ws, e["id"], today)


def record_view(ws: Workspace, actor: str, what: str, **detail: Any) -> None:
    """Write a view of person-level register data to the change log (the CLI's audit of who looked)."""
    with ws.transaction() as con:
        Workspace.log(con, actor, ENTITY, what, "view", **detail)


def history(ws: Workspace, entry_ref: str | int) -> list[dict[str, Any]]:
    """Every change to an entry (from the workspace change log), newest first."""
    return ws.changes(ENTITY, ref(parse_ref(entry_ref)))


# -- counts ------------------------------------------------------------------------------------------------------
def counts_at(ws: Workspace, day: dt.date, teams: frozenset[str] | set[str] | None = None,
              all_entries: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """People on the register on ``day`` by RAG (exact counts, from the RAG history)."""
    settings = load_settings()
    loaded = all_entries if all_entries is not None else _load(ws)
    counts = dict.fromkeys(RAGS, 0)
    overdue = 0
    for e in loaded:
        if teams is not None and e["team"] not in teams:
            continue
        rag = rag_on(e, day)
        if rag is None:
            continue
        counts[rag] += 1
        due = next_review_on(e, day, settings)
        overdue += bool(due and due < day)
    return {"as_of": day.isoformat(), **counts, "total": sum(counts.values()), "overdue_reviews": overdue}


def month_ends(through: dt.date, months: int) -> list[tuple[str, dt.date]]:
    """(YYYY-MM, date) for ``months`` months ending with the month of ``through``; the last is ``through``
    itself when it falls inside its month."""
    last = f"{through:%Y-%m}"
    out = [(m, month_bounds(m)[1]) for m in (shift_month(last, -k) for k in range(months - 1, 0, -1))]
    return [*out, (last, min(month_bounds(last)[1], through))]


def monthly_counts(ws: Workspace, through: dt.date, months: int = 12,
                   teams: frozenset[str] | set[str] | None = None) -> list[dict[str, Any]]:
    """Counts by RAG at each month end, oldest first (exact)."""
    loaded = _load(ws)
    return [{"month": m, "label": month_label(m), **counts_at(ws, d, teams, loaded)} for m, d in month_ends(through,
                                                                                                      months)]


def suppress(row: dict[str, Any]) -> dict[str, Any]:
    """A counts row as it may be published: 1-4 shown as [c], other counts rounded to the nearest 5."""
    return {**row, **{k: public_count(row[k]) for k in (*RAGS, "total", "overdue_reviews") if k in row},
            "suppressed": any(row[k] != public_count(row[k]) for k in (*RAGS, "total", "overdue_reviews") if k in row)}


def published_counts(ws: Workspace, through: dt.date, months: int = 12) -> dict[str, Any]:
    """What the counts page and the monthly report show: suppressed counts as at ``through`` and at each of
    the month ends before it. No person-level data."""
    series = monthly_counts(ws, through, months)
    return {"as_of": through.isoformat(), "months": [suppress(r) for r in series],
            "current": suppress(series[-1]), "suppressed_marker": SUPPRESSED,
            "rule": "Counts from 1 to 4 are shown as [c]; other counts are rounded to the nearest 5."}


# -- demo --------------------------------------------------------------------------------------------------------
_DEMO_CANDIDATES_SQL = """
WITH c AS (
    SELECT la_person_unique_identifier AS pk,
           bool_or(lower(coalesce(autism_spectrum_disorder_asd, '')) = 'yes') AS autism,
           bool_or(primary_support_reason = 'Learning disability support') AS ld,
           max(date_of_birth) AS dob, max(date_of_death) AS dod
    FROM cld WHERE la_person_unique_identifier IS NOT NULL GROUP BY 1
), p AS (
    SELECT person_id AS pk, primary_support_reason = 'Learning disability support' AS ld,
           date_of_birth AS dob, date_of_death AS dod FROM people
), r AS (
    SELECT person_id AS pk, arg_max(team, received_date) AS team FROM referrals
    WHERE team IS NOT NULL AND received_date <= $today GROUP BY 1
)
SELECT pk, coalesce(p.ld, false) OR coalesce(c.ld, false) AS ld, coalesce(c.autism, false) AS autism,
       coalesce(p.dob, c.dob) AS dob, r.team
FROM p FULL OUTER JOIN c USING (pk) LEFT JOIN r USING (pk)
WHERE (coalesce(p.ld, false) OR coalesce(c.ld, false) OR coalesce(c.autism, false))
  AND coalesce(p.dod, c.dod) IS NULL AND coalesce(p.dob, c.dob) IS NOT NULL
ORDER BY pk
"""

DEMO_SIZE = 25
DEMO_REASONS = {
    "red": ["Placement breaking down after two crisis calls to the police this month",
            "Presented at A&E in crisis twice in three weeks; support staff changed",
            "Family carer admitted to hospital; no stable support at home"],
    "amber": ["Behaviour escalating since a change of day service; support plan being revised",
              "Mental health deteriorating; waiting for psychology assessment",
              "Moving placement next month; risk while the new team gets to know them"],
    "green": ["Stable at home with the enhanced support package in place",
              "Crisis plan working; no incidents since the last review",
              "Settled in new placement; family report things are going well"],
}


def seed_demo(ws: Workspace, store_dir: Path, today: dt.date) -> None:
    """About 25 entries on demo people with a learning disability (primary support reason) or autism recorded
    in the CLD, spread across the teams that last took a referral for them, with RAG histories, reviews,
    C(E)TRs and actions over 2024-25. Deterministic for a given store; adds nothing once entries exist."""
    from asc_assure.data.store import Store, StoreError

    with ws.read() as con:
        if con.execute("SELECT count(*) FROM dsr_entries").fetchone()[0]:
            return
    try:
        con = Store(store_dir).connect(today, first_if_later=True, only=("people", "cld", "referrals", "teams"))
    except StoreError:
        return
    try:
        found = con.execute(_DEMO_CANDIDATES_SQL, {"today": today}).fetchall()
        ld_team = con.execute("SELECT min(team) FROM teams WHERE team_type = 'learning_disability'").fetchone()[0]
    finally:
        con.close()
    young: dict[str, list[tuple[Any, ...]]] = {}
    older: dict[str, list[tuple[Any, ...]]] = {}
    for pk, ld, autism, dob, team in found:
        age = (today - dob).days // 365
        if age >= 14:
            pool = young if age <= 25 else older
            pool.setdefault(team or ld_team or "Learning Disability Team", []).append((pk, ld, autism, dob))
    by_team: dict[str, list[tuple[Any, ...]]] = {}
    for team in sorted(set(young) | set(older)):  # one young person in transition, then two adults, per team
        y, o = young.get(team, []), older.get(team, [])
        mixed = []
        while y or o:
            mixed += y[:1] + o[:2]
            y, o = y[1:], o[2:]
        by_team[team] = mixed
    chosen: list[tuple[str, tuple[Any, ...]]] = []
    while len(chosen) < DEMO_SIZE and any(by_team.values()):  # round-robin across teams, in name order
        for team in sorted(by_team):
            if by_team[team] and len(chosen) < DEMO_SIZE:
                chosen.append((team, by_team[team].pop(0)))
    rng = random.Random(20240401)
    start = dt.date(2024, 4, 1)
    for n, (team, (pk, ld, autism, dob)) in enumerate(chosen):
        _seed_one(ws, store_dir, rng, n, team, pk, bool(ld), bool(autism), dob, start, today)


def _seed_one(ws: Workspace, store_dir: Path, rng: random.Random, n: int, team: str, pk: str, ld: bool,
              autism: bool, dob: dt.date, start: dt.date, today: dt.date) -> None:
    settings = load_settings()
    added = start + dt.timedelta(days=rng.randrange(0, 300))
    age_group = "transition" if (added - dob).days // 365 <= 25 else "adult"
    worker = f"{''.join(w[0] for w in team.lower().split())}-sw{n % 3 + 1}"
    rag = rng.choice(("red", "amber", "amber", "green"))
    actor = "team-manager"
    e = add_entry(ws, store_dir, pk, learning_disability=ld, autism=autism, age_group=age_group, team=team,
                  key_worker=worker, rag=rag, reason=rng.choice(DEMO_REASONS[rag]), added_on=added, actor=actor,
                  today=today)
    day = added
    for step in range(rng.randrange(1, 5)):
        day = add_months(day, settings.review_months(rag)) + dt.timedelta(days=rng.randrange(-7, 21))
        if day > today - dt.timedelta(days=3):
            break
        move = {"red": ("amber", "red"), "amber": ("green", "red", "amber"), "green": ("amber", "green")}[rag]
        new = rng.choice(move)
        e = record_review(ws, e["id"], day, f"DSR review meeting {step + 1}: support plan and risks discussed with "
                                            "the family and provider", actor, today,
                          rag=new if new != rag else None,
                          reason=rng.choice(DEMO_REASONS[new]) if new != rag else None)
        rag = new
        if rag == "red" and rng.random() < 0.7:
            held = min(today, day + dt.timedelta(days=rng.randrange(3, 12)))
            outcome = rng.choice(("stay_at_home", "stay_at_home", "admission_recommended"))
            record_ctr(ws, e["id"], held, "community", outcome, actor, today,
                       notes="Panel recommendations shared with the family")
            add_action(ws, e["id"], "Arrange positive behaviour support review with the provider",
                       worker, day + dt.timedelta(days=28), actor, today)
    if rng.random() < 0.5:
        due = today - dt.timedelta(days=rng.randrange(-40, 40))
        e = add_action(ws, e["id"], "Update the crisis and contingency plan", worker, max(due, added), actor, today)
        if due < today - dt.timedelta(days=10) and rng.random() < 0.6:
            action = e["actions"][-1]
            complete_action(ws, e["id"], action["id"], min(today, max(due, added)), actor, today)
    if n % 9 == 8:
        last = max(_day(h["effective_on"]) for h in e["rag_history"])
        closed = min(today, last + dt.timedelta(days=30))
        close_entry(ws, e["id"], "risk_reduced" if n % 2 else "admitted", closed, actor, today)

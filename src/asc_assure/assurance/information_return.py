"""The information-return checklist: every document and data item CQC asks for, who owns it, where it is.

The default items are in ``information_return_items.yaml`` (with where each comes from). An item
exists in the checklist from the start with status "not started"; the first change to it (an
owner, a status, a link to evidence) writes its row, so reading the checklist never writes.

Statuses: not started, in progress, ready (checked and waiting to go), submitted, and not applicable
(which needs a reason, because CQC expects the council to say why rather than leave a gap). Every
item is due on the timeline's "information return" milestone unless the YAML names another; an item
is overdue when that date has passed and it is neither ready, submitted nor not applicable.

Linked evidence is the evidence library's items (``evidence_items``), checked to exist when linked.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError, rows, utc_now

STATUSES = {"not_started": "Not started", "in_progress": "In progress", "ready": "Ready",
            "submitted": "Submitted", "not_applicable": "Not applicable"}
FINISHED = {"ready", "submitted", "not_applicable"}
KINDS = {"document": "Document", "data": "Data"}
DEFAULT_MILESTONE = "information_return_due"
ENTITY = "information_return_item"


@lru_cache(maxsize=1)
def load_items() -> dict[str, Any]:
    """The packaged checklist (sections of items, with sources)."""
    text = (resources.files("asc_assure.assurance") / "information_return_items.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _defaults() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    sort = 0
    for section in load_items()["sections"]:
        for item in section["items"]:
            sort += 1
            source = item.get("source") or ""
            if item.get("oxfordshire"):
                source = (source + "; " if source else "") + f"Oxfordshire supplied: {item['oxfordshire']}"
            out[item["id"]] = {
                "id": item["id"], "section": section["title"], "title": item["title"], "kind": item["kind"],
                "description": item.get("description", ""),
                "quality_statements": list(item.get("quality_statements", [])), "source": source,
                "milestone_key": item.get("milestone", DEFAULT_MILESTONE), "owner": "", "status": "not_started",
                "na_reason": "", "notes": "", "sort": sort, "updated_at": None}
    return out


def _stored(con: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    found = {}
    for r in rows(con.execute("SELECT * FROM information_return_items")):
        r["quality_statements"] = json.loads(r["quality_statements"])
        found[r["id"]] = r
    return found


def _links(con: sqlite3.Connection) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for r in con.execute("SELECT item_id, evidence_id FROM information_return_evidence ORDER BY evidence_id"):
        out.setdefault(r["item_id"], []).append(int(r["evidence_id"]))
    return out


def _decorate(item: dict[str, Any], due: dict[str, str], links: dict[str, list[int]],
              today: dt.date) -> dict[str, Any]:
    item["due_date"] = due.get(item["milestone_key"])
    item["evidence"] = links.get(item["id"], [])
    item["status_text"] = STATUSES[item["status"]]
    item["kind_text"] = KINDS.get(item["kind"], item["kind"])
    item["overdue"] = bool(item["due_date"]) and item["status"] not in FINISHED \
        and dt.date.fromisoformat(item["due_date"]) < today
    return item


def list_items(ws: Workspace, today: dt.date, *, status: str | None = None, owner: str | None = None,
               section: str | None = None) -> list[dict[str, Any]]:
    """The checklist in order, filtered by status, owner or section title, with due dates and evidence."""
    if status is not None and status not in STATUSES:
        raise WorkspaceError(f"status {status!r} is not one of: {', '.join(STATUSES)}")
    with ws.read() as con:
        items = {**_defaults(), **_stored(con)}
        due = {r["key"]: r["due_date"] for r in con.execute("SELECT key, due_date FROM assessment_milestones")}
        links = _links(con)
    out = [_decorate(i, due, links, today) for i in sorted(items.values(), key=lambda i: (i["sort"], i["id"]))]
    if status:
        out = [i for i in out if i["status"] == status]
    if owner is not None and owner != "":
        out = [i for i in out if i["owner"] == owner]
    if section:
        out = [i for i in out if i["section"] == section]
    return out


def get_item(ws: Workspace, item_id: str, today: dt.date | None = None) -> dict[str, Any]:
    """One checklist item (raises NotFound naming the id)."""
    found = [i for i in list_items(ws, today or dt.date.today()) if i["id"] == item_id]
    if not found:
        raise NotFound(f"no information-return item {item_id!r}")
    return found[0]


def summary(ws: Workspace, today: dt.date) -> dict[str, Any]:
    items = list_items(ws, today)
    counts = {k: sum(i["status"] == k for i in items) for k in STATUSES}
    return {"total": len(items), "by_status": counts, "overdue": sum(i["overdue"] for i in items),
            "unowned": sum(not i["owner"] for i in items), "finished": sum(counts[k] for k in FINISHED)}


def owners(ws: Workspace) -> list[str]:
    with ws.read() as con:
        return [r[0] for r in con.execute(
            "SELECT DISTINCT owner FROM information_return_items WHERE owner != '' ORDER BY owner")]


def _check_evidence(con: sqlite3.Connection, ids: list[int]) -> None:
    if not ids:
        return
    if con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'evidence_items'").fetchone() is None:
        raise WorkspaceError("there is no evidence library in this workspace yet, so evidence cannot be linked")
    for eid in ids:
        if con.execute("SELECT 1 FROM evidence_items WHERE id = ?", (eid,)).fetchone() is None:
            raise WorkspaceError(f"evidence item {eid} does not exist")


def _evidence_ids(values: Any) -> list[int]:
    out = []
    for v in values or ():
        try:
            out.append(int(str(v).strip()))
        except ValueError:
            raise WorkspaceError(f"evidence id {v!r} is not a number") from None
    return list(dict.fromkeys(out))


def update_item(ws: Workspace, item_id: str, *, actor: str, owner: str | None = None, status: str | None = None,
                na_reason: str | None = None, notes: str | None = None, add_evidence: Any = (),
                remove_evidence: Any = ()) -> dict[str, Any]:
    """Change an item's owner, status, notes or linked evidence; every change is logged."""
    if status is not None and status not in STATUSES:
        raise WorkspaceError(f"status {status!r} is not one of: {', '.join(STATUSES)}")
    add_ids, remove_ids = _evidence_ids(add_evidence), _evidence_ids(remove_evidence)
    now = utc_now()
    with ws.transaction() as con:
        current = _stored(con).get(item_id) or _defaults().get(item_id)
        if current is None:
            raise NotFound(f"no information-return item {item_id!r}")
        new = dict(current)
        if owner is not None:
            new["owner"] = owner.strip()
        if status is not None:
            new["status"] = status
        if na_reason is not None:
            new["na_reason"] = na_reason.strip()
        if notes is not None:
            new["notes"] = notes.strip()
        if new["status"] == "not_applicable" and not new["na_reason"]:
            raise WorkspaceError(f"say why item {item_id!r} is not applicable (reason is empty)")
        if new["status"] != "not_applicable":
            new["na_reason"] = ""
        _check_evidence(con, add_ids)
        changed = {k: {"from": current[k], "to": new[k]} for k in ("owner", "status", "na_reason", "notes")
                   if current[k] != new[k]}
        new["updated_at"] = now
        con.execute(
            "INSERT INTO information_return_items (id, section, title, kind, description, quality_statements, source,"
            " milestone_key, owner, status, na_reason, notes, sort, updated_at) VALUES (:id, :section, :title, :kind,"
            " :description, :qs, :source, :milestone_key, :owner, :status, :na_reason, :notes, :sort, :updated_at)"
            " ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, status = excluded.status,"
            " na_reason = excluded.na_reason, notes = excluded.notes, updated_at = excluded.updated_at",
            {**new, "qs": json.dumps(new["quality_statements"])})
        linked = {int(r[0]) for r in con.execute(
            "SELECT evidence_id FROM information_return_evidence WHERE item_id = ?", (item_id,))}
        added = [e for e in add_ids if e not in linked]
        removed = [e for e in remove_ids if e in linked]
        for eid in added:
            con.execute("INSERT INTO information_return_evidence VALUES (?, ?, ?)", (item_id, eid, now))
        for eid in removed:
            con.execute("DELETE FROM information_return_evidence WHERE item_id = ? AND evidence_id = ?", (item_id, eid))
        if added:
            changed["evidence_added"] = added
        if removed:
            changed["evidence_removed"] = removed
        if changed:
            Workspace.log(con, actor, ENTITY, item_id, "update", **changed)
    return get_item(ws, item_id)


def add_item(ws: Workspace, *, actor: str, title: str, kind: str = "document", section: str = "Further requests",
             description: str = "", owner: str = "") -> str:
    """An item CQC asked for that is not in the default list (they may ask for more during the assessment)."""
    if not title.strip():
        raise WorkspaceError("item title is empty")
    if kind not in KINDS:
        raise WorkspaceError(f"kind {kind!r} is not one of: {', '.join(KINDS)}")
    now = utc_now()
    with ws.transaction() as con:
        n = con.execute("SELECT count(*) FROM information_return_items WHERE id LIKE 'extra_%'").fetchone()[0] + 1
        item_id = f"extra_{n}"
        con.execute(
            "INSERT INTO information_return_items (id, section, title, kind, description, owner, sort, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (item_id, section.strip() or "Further requests", title.strip(), kind,
                                                 description.strip(), owner.strip(), 1000 + n, now))
        Workspace.log(con, actor, ENTITY, item_id, "create", title=title.strip(), kind=kind)
    return item_id


# -- demo ------------------------------------------------------------------------------------------
def seed_demo(ws: Workspace, store_dir: Path, today: dt.date) -> None:
    """A checklist partly complete two months after the demo's return was due (24 January 2025).

    Most items were submitted; a few are ready or still in progress (CQC asked for updated figures),
    one is not applicable with its reason; a handful link to the evidence library's first items.
    """
    del store_dir
    with ws.read() as con:
        if con.execute("SELECT count(*) FROM information_return_items").fetchone()[0]:
            return
        has_evidence = con.execute("SELECT 1 FROM sqlite_master WHERE name = 'evidence_items'").fetchone()
        evidence = [r[0] for r in con.execute("SELECT id FROM evidence_items ORDER BY id LIMIT 12")] \
            if has_evidence else []
    owners_ = ("assurance-lead", "performance-analyst", "team-manager")
    plan = {"in_progress": {"waiting_data", "reviews_data", "dols_data"}, "ready": {"brokerage_data", "budget_data"},
            "not_started": {"market_sustainability"}}
    for n, item in enumerate(list_items(ws, today)):
        status = next((s for s, ids in plan.items() if item["id"] in ids), "submitted")
        kwargs: dict[str, Any] = {}
        if item["id"] == "transitions_protocol":
            status, kwargs["na_reason"] = "not_applicable", \
                "Covered by the joint Preparing for Adulthood policy supplied under practice_framework"
        if item["kind"] == "data" and status == "in_progress":
            kwargs["notes"] = "CQC asked for figures to the end of March; refreshing from the latest extracts."
        if evidence and n < len(evidence):
            kwargs["add_evidence"] = [evidence[n]]
        update_item(ws, item["id"], actor="demo", owner=owners_[n % len(owners_)], status=status, **kwargs)

"""The CQC evidence library: what the council holds to show each quality statement is met.

Each item is one piece of evidence (a policy, a survey report, a case audit, a data pack...), with
the CQC evidence category it falls under, the quality statements it supports, its source type, an
owner, the date it is from and the date it should be reviewed by. The evidence itself is either a
file, stored by checksum (:mod:`asc_assure.assurance.evidence_files`), or a link to where it lives.

Why a coverage matrix: CQC gathers evidence for each of the 9 quality statements across 4 evidence
categories. A statement with nothing current in a category is a gap the council should fill (or
explain) before the assessment; evidence past its review date is "stale": it may no longer describe
the service. :func:`coverage` shows both, for the date given.

Rules (every one raises :class:`~asc_assure.assurance.workspace.WorkspaceError` naming the field):

* category is one of the framework's 4 evidence categories; statements are known slugs, at least one;
  source type is one of :data:`SOURCE_TYPES`;
* exactly one of a file or a link (an http or https address);
* dates are real dates and the review-by date is not before the evidence date;
* stale means the review-by date is before ``today``; an item with no review-by date is never stale.

Updating keeps the old values in the change log; retiring keeps the record (it drops out of lists and
the matrix) and can be undone.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from asc_assure.assurance import evidence_files as files
from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError, rows, utc_now
from asc_assure.domain.cqc import Framework, load_framework

ENTITY = "evidence"
SOURCE_TYPES: dict[str, str] = {
    "data": "Data",
    "survey": "Survey",
    "case-audit": "Case audit",
    "policy": "Policy",
    "feedback": "Feedback",
    "peer-review": "Peer review",
}
GAP, STALE_ONLY, COVERED = "gap", "stale", "covered"
STATUS_TEXT = {GAP: "Gap", STALE_ONLY: "Stale only", COVERED: "Covered"}
DUE_SOON_DAYS = 30
MAX_TITLE, MAX_SUMMARY, MAX_OWNER, MAX_LINK, MAX_REASON = 200, 4000, 120, 2000, 1000
_UNSET: Any = object()


# -- checking input ------------------------------------------------------------------------------

def _key(value: str) -> str:
    return " ".join(str(value).replace("_", " ").replace("-", " ").replace("’", "'").lower().split())


def categories(fw: Framework | None = None) -> list[dict[str, str]]:
    """The framework's evidence categories, in order, as {slug, title}."""
    return [dict(c) for c in (fw or load_framework()).evidence_categories]


def check_category(value: str, fw: Framework | None = None) -> str:
    """The category slug for a slug or title ("processes", "People's experience")."""
    cats = categories(fw)
    for c in cats:
        if _key(value or "") in (_key(c["slug"]), _key(c["title"])):
            return c["slug"]
    raise WorkspaceError(f"category {value!r} is not a CQC evidence category; use one of "
                         f"{', '.join(c['slug'] for c in cats)}")


def check_source_type(value: str) -> str:
    """The source type slug for a slug or label ("case-audit", "Case audit", "case_audit")."""
    for slug, label in SOURCE_TYPES.items():
        if _key(value or "") in (_key(slug), _key(label)):
            return slug
    raise WorkspaceError(f"source type {value!r} is not one of {', '.join(SOURCE_TYPES)}")


def check_statement(value: str, fw: Framework | None = None) -> str:
    """A quality statement slug, also accepting its title or a known alternative wording."""
    fw = fw or load_framework()
    wanted = _key(value or "")
    for s in fw.statements:
        if wanted in {_key(s.slug), _key(s.title), *(_key(a) for a in s.aliases)}:
            return s.slug
    raise WorkspaceError(f"quality statement {value!r} is not known; use one of {', '.join(fw.slugs)}")


def check_statements(values: Iterable[str] | str, fw: Framework | None = None) -> list[str]:
    """At least one known statement; returned once each, in framework order."""
    fw = fw or load_framework()
    if isinstance(values, str):
        values = [values]
    found = {check_statement(v, fw) for v in values if str(v).strip()}
    if not found:
        raise WorkspaceError("statements: choose at least one quality statement the evidence supports")
    return [s for s in fw.slugs if s in found]


def check_theme(value: str, fw: Framework | None = None) -> str:
    fw = fw or load_framework()
    for t in fw.themes:
        if _key(value or "") in (_key(t.slug), _key(t.title), _key(t.short_title)):
            return t.slug
    raise WorkspaceError(f"theme {value!r} is not known; use one of {', '.join(t.slug for t in fw.themes)}")


def check_date(value: Any, field: str, required: bool = True) -> dt.date | None:
    """A real date (a ``date`` or ISO text such as 2025-03-31)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise WorkspaceError(f"{field} is required")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise WorkspaceError(f"{field} {value!r} is not a real date (use 2025-03-31)") from None


def _text(value: Any, field: str, limit: int, required: bool = True) -> str:
    text = " ".join(str(value or "").split()) if field != "summary" else str(value or "").strip()
    if required and not text:
        raise WorkspaceError(f"{field} is required")
    if len(text) > limit:
        raise WorkspaceError(f"{field} is {len(text)} characters long; the limit is {limit}")
    return text


def check_link(value: str) -> str:
    """An http or https address with a host (where the evidence can be read)."""
    link = str(value or "").strip()
    parts = urlsplit(link)
    if (parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(ch.isspace() for ch in link)
            or len(link) > MAX_LINK):
        raise WorkspaceError(f"link {value!r} is not a web address; use one starting https:// or http://")
    return link


def _check_dates(evidence_date: dt.date, review_by: dt.date | None) -> None:
    if review_by is not None and review_by < evidence_date:
        raise WorkspaceError(f"review_by {review_by.isoformat()} is before the evidence date "
                             f"{evidence_date.isoformat()}")


# -- reading -------------------------------------------------------------------------------------

def _statements_of(con: sqlite3.Connection, ids: list[int]) -> dict[int, list[str]]:
    fw = load_framework()
    order = {slug: i for i, slug in enumerate(fw.slugs)}
    found: dict[int, list[str]] = {i: [] for i in ids}
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        marks = ",".join("?" * len(chunk))
        for r in con.execute(f"SELECT item_id, statement FROM evidence_item_statements WHERE item_id IN ({marks})",
                             chunk):
            found[r["item_id"]].append(r["statement"])
    return {i: sorted(v, key=lambda s: order.get(s, 99)) for i, v in found.items()}


def is_stale(item: dict[str, Any], today: dt.date) -> bool:
    """Past its review-by date (the day itself still counts as current)."""
    return bool(item.get("review_by")) and dt.date.fromisoformat(item["review_by"]) < today


def _decorate(row: dict[str, Any], statements: list[str], today: dt.date | None) -> dict[str, Any]:
    fw = load_framework()
    cats = {c["slug"]: c["title"] for c in fw.evidence_categories}
    by_slug = {s.slug: s for s in fw.statements}
    item = dict(row)
    item["statements"] = statements
    item["statement_details"] = [{"slug": s, "number": by_slug[s].number, "title": by_slug[s].title,
                                  "theme": by_slug[s].theme} for s in statements if s in by_slug]
    item["themes"] = [t.slug for t in fw.themes if any(by_slug[s].theme == t.slug for s in statements
                                                       if s in by_slug)]
    item["category_title"] = cats.get(item["category"], item["category"])
    item["source_type_title"] = SOURCE_TYPES.get(item["source_type"], item["source_type"])
    item["has_file"] = item["file_sha256"] is not None
    item["retired"] = item["retired_at"] is not None
    if today is None:
        item["stale"] = None
        item["days_past_review"] = None
    else:
        item["stale"] = is_stale(item, today)
        item["days_past_review"] = ((today - dt.date.fromisoformat(item["review_by"])).days
                                    if item["stale"] else 0)
    return item


def get_item(ws: Workspace, item_id: int, today: dt.date | None = None) -> dict[str, Any]:
    """One item with its statements; ``stale`` is worked out only when ``today`` is given (else None)."""
    with ws.read() as con:
        found = rows(con.execute("SELECT * FROM evidence_items WHERE id = ?", (_id(item_id),)))
        if not found:
            raise NotFound(f"there is no evidence item {item_id}")
        statements = _statements_of(con, [found[0]["id"]])[found[0]["id"]]
    return _decorate(found[0], statements, today)


def _id(item_id: Any) -> int:
    try:
        return int(item_id)
    except (TypeError, ValueError):
        raise NotFound(f"there is no evidence item {item_id!r}") from None


def _matches_text(item: dict[str, Any], words: list[str]) -> bool:
    haystack = " ".join(str(item.get(k) or "") for k in ("title", "summary", "owner", "file_name")).casefold()
    return all(w in haystack for w in words)


def list_items(ws: Workspace, *, today: dt.date, text: str | None = None, statement: str | None = None,
               theme: str | None = None, category: str | None = None, source_type: str | None = None,
               owner: str | None = None, stale: bool | None = None,
               include_retired: bool = False) -> list[dict[str, Any]]:
    """Items matching every filter given, newest evidence first.

    ``text`` matches title, summary, owner and file name, ignoring case (every word must appear);
    ``owner`` matches part of the owner's name; ``stale`` True gives only stale items, False only current ones.
    """
    fw = load_framework()
    where, args = [], []
    if not include_retired:
        where.append("retired_at IS NULL")
    if category:
        where.append("category = ?")
        args.append(check_category(category, fw))
    if source_type:
        where.append("source_type = ?")
        args.append(check_source_type(source_type))
    if statement:
        where.append("id IN (SELECT item_id FROM evidence_item_statements WHERE statement = ?)")
        args.append(check_statement(statement, fw))
    if theme:
        slugs = [s.slug for s in fw.statements if s.theme == check_theme(theme, fw)]
        where.append(f"id IN (SELECT item_id FROM evidence_item_statements WHERE statement IN "
                     f"({','.join('?' * len(slugs))}))")
        args.extend(slugs)
    sql = "SELECT * FROM evidence_items"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY evidence_date DESC, id DESC"
    with ws.read() as con:
        found = rows(con.execute(sql, args))
        statements = _statements_of(con, [r["id"] for r in found])
    items = [_decorate(r, statements[r["id"]], today) for r in found]
    words = (text or "").casefold().split()
    if words:
        items = [i for i in items if _matches_text(i, words)]
    if owner and owner.strip():
        wanted = owner.casefold().strip()
        items = [i for i in items if wanted in i["owner"].casefold()]
    if stale is not None:
        items = [i for i in items if i["stale"] == stale]
    return items


def owners(ws: Workspace) -> list[str]:
    """Everyone who owns a current item (for the owner filter)."""
    with ws.read() as con:
        return [r[0] for r in con.execute(
            "SELECT DISTINCT owner FROM evidence_items WHERE retired_at IS NULL ORDER BY owner COLLATE NOCASE")]


def history(ws: Workspace, item_id: int) -> list[dict[str, Any]]:
    """The item's change log, newest first: who created, changed, retired or reinstated it, with old values."""
    get_item(ws, item_id)
    return ws.changes(ENTITY, _id(item_id))


# -- writing -------------------------------------------------------------------------------------

def _validated(fields: dict[str, Any]) -> dict[str, Any]:
    fw = load_framework()
    evidence_date = check_date(fields["evidence_date"], "evidence_date")
    review_by = check_date(fields["review_by"], "review_by", required=False)
    assert evidence_date is not None
    _check_dates(evidence_date, review_by)
    return {
        "title": _text(fields["title"], "title", MAX_TITLE),
        "summary": _text(fields["summary"], "summary", MAX_SUMMARY, required=False),
        "category": check_category(fields["category"], fw),
        "source_type": check_source_type(fields["source_type"]),
        "owner": _text(fields["owner"], "owner", MAX_OWNER),
        "evidence_date": evidence_date.isoformat(),
        "review_by": review_by.isoformat() if review_by else None,
        "statements": check_statements(fields["statements"], fw),
    }


def _file_or_link(ws: Workspace, link: str | None, file_path: Path | None,
                  file_name: str | None) -> dict[str, Any]:
    has_link = link is not None and str(link).strip() != ""
    if has_link and file_path is not None:
        raise WorkspaceError("give either a file or a link for the evidence, not both")
    if not has_link and file_path is None:
        raise WorkspaceError("evidence needs a file or a link (an https:// address)")
    if has_link:
        return {"link": check_link(str(link)), "file_sha256": None, "file_name": None, "file_size": None}
    stored = files.store_file(ws.files_dir, Path(file_path), file_name)  # type: ignore[arg-type]
    return {"link": None, "file_sha256": stored.sha256, "file_name": stored.name, "file_size": stored.size}


def add_item(ws: Workspace, *, actor: str, title: str, category: str, statements: list[str], source_type: str,
             owner: str, evidence_date: dt.date, summary: str = "", review_by: dt.date | None = None,
             link: str | None = None, file_path: Path | None = None, file_name: str | None = None) -> int:
    """Add an item to the library and return its id. The file (if any) is checked and stored first."""
    values = _validated({"title": title, "summary": summary, "category": category, "source_type": source_type,
                         "owner": owner, "evidence_date": evidence_date, "review_by": review_by,
                         "statements": statements})
    values.update(_file_or_link(ws, link, file_path, file_name))
    statement_slugs = values.pop("statements")
    now = utc_now()
    with ws.transaction() as con:
        cur = con.execute(
            "INSERT INTO evidence_items (title, summary, category, source_type, owner, evidence_date, review_by, "
            "link, file_sha256, file_name, file_size, created_at, created_by, updated_at, updated_by) "
            "VALUES (:title, :summary, :category, :source_type, :owner, :evidence_date, :review_by, :link, "
            ":file_sha256, :file_name, :file_size, :now, :actor, :now, :actor)",
            {**values, "now": now, "actor": actor})
        item_id = int(cur.lastrowid)  # type: ignore[arg-type]
        con.executemany("INSERT INTO evidence_item_statements (item_id, statement) VALUES (?, ?)",
                        [(item_id, s) for s in statement_slugs])
        Workspace.log(con, actor, ENTITY, item_id, "create", **values, statements=statement_slugs)
    return item_id


def update_item(ws: Workspace, item_id: int, *, actor: str, title: str = _UNSET, summary: str = _UNSET,
                category: str = _UNSET, statements: list[str] = _UNSET, source_type: str = _UNSET,
                owner: str = _UNSET, evidence_date: dt.date = _UNSET, review_by: dt.date | None = _UNSET,
                link: str | None = _UNSET, file_path: Path | None = _UNSET,
                file_name: str | None = _UNSET) -> dict[str, Any]:
    """Change the fields given (others stay as they are) and return the item.

    The change log keeps each changed field's old and new value. A new file or link replaces the old
    one; an earlier file stays in the store under its checksum. Retired items must be reinstated first.
    Nothing is logged when nothing changes.
    """
    current = get_item(ws, item_id)
    if current["retired"]:
        raise WorkspaceError(f"evidence item {item_id} is retired; reinstate it before changing it")
    given = {"title": title, "summary": summary, "category": category, "statements": statements,
             "source_type": source_type, "owner": owner, "evidence_date": evidence_date, "review_by": review_by}
    merged = {k: (current[k] if v is _UNSET else v) for k, v in given.items()}
    values = _validated(merged)
    if link is not _UNSET or file_path is not _UNSET:
        new_link = None if link is _UNSET else link
        new_file = None if file_path is _UNSET else file_path
        values.update(_file_or_link(ws, new_link, new_file, None if file_name is _UNSET else file_name))
    elif file_name is not _UNSET and current["has_file"] and file_name:
        values["file_name"] = files.clean_name(file_name)
        files.check_type(values["file_name"])
    changed = {k: {"from": current[k], "to": v} for k, v in values.items() if current[k] != v}
    if not changed:
        return current
    now = utc_now()
    with ws.transaction() as con:
        columns = [k for k in changed if k != "statements"]
        if columns:
            con.execute(
                f"UPDATE evidence_items SET {', '.join(f'{c} = ?' for c in columns)}, updated_at = ?, "
                "updated_by = ? WHERE id = ?",
                [changed[c]["to"] for c in columns] + [now, actor, current["id"]])
        else:
            con.execute("UPDATE evidence_items SET updated_at = ?, updated_by = ? WHERE id = ?",
                        (now, actor, current["id"]))
        if "statements" in changed:
            con.execute("DELETE FROM evidence_item_statements WHERE item_id = ?", (current["id"],))
            con.executemany("INSERT INTO evidence_item_statements (item_id, statement) VALUES (?, ?)",
                            [(current["id"], s) for s in changed["statements"]["to"]])
        Workspace.log(con, actor, ENTITY, current["id"], "update", changes=changed)
    return get_item(ws, current["id"])


def retire_item(ws: Workspace, item_id: int, *, actor: str, reason: str) -> dict[str, Any]:
    """Take an item out of use (superseded, withdrawn); the record, its file and its history are kept."""
    current = get_item(ws, item_id)
    why = _text(reason, "reason", MAX_REASON)
    if current["retired"]:
        raise WorkspaceError(f"evidence item {item_id} was already retired on {current['retired_at'][:10]}")
    with ws.transaction() as con:
        con.execute("UPDATE evidence_items SET retired_at = ?, retired_by = ?, retired_reason = ? WHERE id = ?",
                    (utc_now(), actor, why, current["id"]))
        Workspace.log(con, actor, ENTITY, current["id"], "retire", reason=why)
    return get_item(ws, current["id"])


def reinstate_item(ws: Workspace, item_id: int, *, actor: str) -> dict[str, Any]:
    """Undo a retirement (the retirement stays in the change log)."""
    current = get_item(ws, item_id)
    if not current["retired"]:
        raise WorkspaceError(f"evidence item {item_id} is not retired")
    with ws.transaction() as con:
        con.execute("UPDATE evidence_items SET retired_at = NULL, retired_by = NULL, retired_reason = NULL, "
                    "updated_at = ?, updated_by = ? WHERE id = ?", (utc_now(), actor, current["id"]))
        Workspace.log(con, actor, ENTITY, current["id"], "reinstate", was_retired_at=current["retired_at"],
                      reason=current["retired_reason"])
    return get_item(ws, current["id"])


# -- files ---------------------------------------------------------------------------------------

def item_file(ws: Workspace, item_id: int) -> files.StoredFile:
    """The item's stored file, re-hashed first: an altered or missing file raises EvidenceFileError."""
    item = get_item(ws, item_id)
    if not item["has_file"]:
        raise NotFound(f"evidence item {item_id} is a link, not a stored file")
    return files.open_verified(ws.files_dir, item["file_sha256"], item["file_name"])


def item_file_bytes(ws: Workspace, item_id: int) -> tuple[dict[str, Any], bytes]:
    """The item and its file's bytes, checked against the recorded checksum (for serving a download)."""
    item = get_item(ws, item_id)
    if not item["has_file"]:
        raise NotFound(f"evidence item {item_id} is a link, not a stored file")
    return item, files.read_verified(ws.files_dir, item["file_sha256"], item["file_name"])


def verify_files(ws: Workspace) -> dict[str, Any]:
    """Re-hash every stored file; report the ones that are missing or no longer match their checksum."""
    with ws.read() as con:
        found = rows(con.execute("SELECT id, title, file_sha256, file_name, retired_at FROM evidence_items "
                                 "WHERE file_sha256 IS NOT NULL ORDER BY id"))
    expected: dict[str, list[dict[str, Any]]] = {}
    for r in found:
        expected.setdefault(r["file_sha256"], []).append(
            {"id": r["id"], "title": r["title"], "file_name": r["file_name"], "retired": r["retired_at"] is not None})
    report = files.verify_store(ws.files_dir, expected)
    report["items_with_files"] = len(found)
    return report


# -- coverage ------------------------------------------------------------------------------------

def _status(current: int, stale: int) -> str:
    return COVERED if current else (STALE_ONLY if stale else GAP)


def cell_text(current: int, stale: int) -> str:
    """How a matrix cell reads: "3 current, 1 stale", "No evidence"."""
    if not current and not stale:
        return "No evidence"
    parts = [f"{current} current"] + ([f"{stale} stale"] if stale else [])
    return ", ".join(parts)


def coverage(ws: Workspace, today: dt.date) -> dict[str, Any]:
    """The quality statements × evidence categories matrix for ``today``.

    Each cell counts the items (not retired) in that category supporting that statement, split into
    current and stale; an item supporting three statements counts in three cells. A cell is a *gap* with
    no items, *stale only* when every item is past its review-by date, and *covered* otherwise.
    """
    fw = load_framework()
    items = list_items(ws, today=today)
    cats = categories(fw)
    counts = {(s, c["slug"]): [0, 0] for s in fw.slugs for c in cats}
    for item in items:
        for s in item["statements"]:
            if (s, item["category"]) in counts:
                counts[(s, item["category"])][1 if item["stale"] else 0] += 1

    def cell(slug: str, cat: str) -> dict[str, Any]:
        cur, old = counts[(slug, cat)]
        status = _status(cur, old)
        return {"category": cat, "current": cur, "stale": old, "status": status,
                "status_text": STATUS_TEXT[status], "text": cell_text(cur, old)}

    themes, gaps, statuses = [], [], []
    cat_titles = {c["slug"]: c["title"] for c in cats}
    for theme in fw.themes:
        statement_rows = []
        for s in (q for q in fw.statements if q.theme == theme.slug):
            cells = [cell(s.slug, c["slug"]) for c in cats]
            supporting = [i for i in items if s.slug in i["statements"]]
            row = {"slug": s.slug, "number": s.number, "title": s.title, "cells": cells,
                   "current": sum(1 for i in supporting if not i["stale"]),
                   "stale": sum(1 for i in supporting if i["stale"]),
                   "categories_covered": sum(1 for c in cells if c["status"] == COVERED)}
            row["status"] = _status(row["current"], row["stale"])
            statement_rows.append(row)
            for c in cells:
                statuses.append(c["status"])
                if c["status"] != COVERED:
                    gaps.append({"statement": s.slug, "statement_number": s.number, "statement_title": s.title,
                                 "theme": theme.slug, "category": c["category"],
                                 "category_title": cat_titles[c["category"]], "status": c["status"],
                                 "status_text": c["status_text"], "stale": c["stale"]})
        themes.append({"slug": theme.slug, "title": theme.title, "short_title": theme.short_title,
                       "statements": statement_rows})
    stale_items = [{"id": i["id"], "title": i["title"], "owner": i["owner"], "category": i["category"],
                    "category_title": i["category_title"], "statements": i["statements"],
                    "review_by": i["review_by"], "days_past_review": i["days_past_review"]}
                   for i in sorted(items, key=lambda i: (i["review_by"] or "", i["id"])) if i["stale"]]
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    due_soon = [{"id": i["id"], "title": i["title"], "owner": i["owner"], "review_by": i["review_by"]}
                for i in sorted(items, key=lambda i: (i["review_by"] or "", i["id"]))
                if not i["stale"] and i["review_by"] and dt.date.fromisoformat(i["review_by"]) <= soon]
    totals = {
        "items": len(items),
        "current_items": sum(1 for i in items if not i["stale"]),
        "stale_items": len(stale_items),
        "no_review_date": sum(1 for i in items if not i["review_by"]),
        "cells": len(statuses),
        "covered": statuses.count(COVERED),
        "stale_only": statuses.count(STALE_ONLY),
        "gaps": statuses.count(GAP),
        "by_category": {c["slug"]: {
            "title": c["title"],
            "current": sum(1 for i in items if i["category"] == c["slug"] and not i["stale"]),
            "stale": sum(1 for i in items if i["category"] == c["slug"] and i["stale"])} for c in cats},
    }
    return {"today": today.isoformat(), "framework_version": fw.version, "categories": cats, "themes": themes,
            "totals": totals, "gaps": [g for g in gaps if g["status"] == GAP],
            "stale_only": [g for g in gaps if g["status"] == STALE_ONLY], "stale_items": stale_items,
            "due_soon": due_soon, "due_soon_days": DUE_SOON_DAYS}


# -- demo ----------------------------------------------------------------------------------------

INTRANET = "https://intranet.example.gov.uk/adult-social-care/cqc-evidence"

# (title, category, statements, source type, owner, evidence date, review by, summary)
_DEMO: tuple[tuple[str, str, tuple[str, ...], str, str, str, str | None, str], ...] = (
    ("Adult Social Care Survey 2023-24: local results", "peoples-experience",
     ("assessing-needs", "care-provision-integration-continuity", "safeguarding",
      "equity-in-experience-and-outcomes"), "survey", "Performance and Insight Manager", "2024-06-28", "2025-06-30",
     "The council's results from the national survey of people receiving long-term support, with comparison to "
     "the region and England and a breakdown by age group and primary support reason."),
    ("Trigger-point experience survey: quarter 3 2024-25 summary", "peoples-experience",
     ("assessing-needs", "supporting-healthier-lives", "care-provision-integration-continuity",
      "safe-pathways-systems-transitions"), "survey", "Voice of the Customer Manager", "2025-01-31", "2025-04-30",
     "Themes from the local survey sent after assessment, review and the end of reablement, as reported monthly "
     "to the Internal Assurance and Governance Group."),
    ("Survey of Adult Carers in England 2023-24: local results", "peoples-experience",
     ("assessing-needs", "supporting-healthier-lives", "partnerships-and-communities"), "survey",
     "Performance and Insight Manager", "2024-03-31", "2025-03-01",
     "Carers' experience of support and of being consulted about the person they care for. Replaced nationally "
     "every two years; the 2025-26 survey will supersede it."),
    ("Complaints, comments and compliments report: quarter 3 2024-25", "peoples-experience",
     ("assessing-needs", "care-provision-integration-continuity", "governance-management-sustainability",
      "learning-improvement-innovation"), "feedback", "Voice of the Customer Manager", "2025-01-20", "2025-04-20",
     "Quarterly themes from complaints and compliments, what changed as a result, and Ombudsman decisions."),
    ("Lived experience stories from the co-production network", "peoples-experience",
     ("partnerships-and-communities", "equity-in-experience-and-outcomes", "learning-improvement-innovation"),
     "feedback", "Co-production Lead", "2024-10-15", "2025-10-15",
     "Accounts, given with consent, of drawing on care and support, gathered by the co-production network, "
     "including people from under-heard communities."),
    ("Making Safeguarding Personal: feedback from people after an enquiry", "peoples-experience",
     ("safeguarding",), "feedback", "Head of Safeguarding", "2024-12-31", "2025-06-30",
     "Whether people were asked what outcomes they wanted and whether they felt those outcomes were achieved."),
    ("Principal Social Worker case audit: strengths-based recording", "processes",
     ("assessing-needs", "learning-improvement-innovation"), "case-audit", "Principal Social Worker",
     "2024-09-30", "2025-03-31",
     "Audit of Care Act assessments and support plans against the practice standards, with learning fed back "
     "through supervision and practice forums."),
    ("Safeguarding dip audit: people's views sought at the start of enquiries", "processes",
     ("safeguarding",), "case-audit", "Principal Social Worker", "2024-11-15", "2025-05-15",
     "Monthly dip audits checking that people's wishes, or their consent to a referral, are recorded at the "
     "beginning of a safeguarding episode."),
    ("Waiting list screening audit and revised screening guidance", "processes",
     ("assessing-needs", "safe-pathways-systems-transitions"), "case-audit", "Principal Social Worker",
     "2024-02-29", "2024-08-31",
     "Audit of risk management and contact with people waiting for assessment, and the guidance that followed."),
    ("Care Act assessment and support planning practice standards", "processes", ("assessing-needs",), "policy",
     "Principal Social Worker", "2024-04-15", "2025-01-15",
     "What good assessment, eligibility decisions and support planning look like, refreshed after the peer review."),
    ("Multi-agency safeguarding adults policy and procedures", "processes",
     ("safeguarding", "safe-pathways-systems-transitions"), "policy", "Head of Safeguarding", "2023-11-01",
     "2024-11-01", "The Safeguarding Adults Board's procedures for concerns, section 42 enquiries and "
     "escalation, as adopted by the council."),
    ("Charging and financial assessment policy", "processes",
     ("assessing-needs", "equity-in-experience-and-outcomes"), "policy", "Head of Financial Assessments",
     "2024-04-01", "2026-03-31", "How contributions are worked out, disability-related expenditure and appeals."),
    ("Including Everyone framework and equality action plan", "processes",
     ("equity-in-experience-and-outcomes", "governance-management-sustainability"), "policy",
     "Equality and Inclusion Lead", "2024-05-01", "2025-05-01",
     "The council's equality, diversity and inclusion framework and the adult social care actions in it."),
    ("Equality data pack: who draws on care and support", "processes", ("equity-in-experience-and-outcomes",),
     "data", "Performance and Insight Manager", "2024-12-20", "2025-06-30",
     "Referrals, assessments, services and outcomes by protected characteristic, compared with the population."),
    ("Adult social care performance data pack: quarter 3 2024-25", "processes",
     ("assessing-needs", "safe-pathways-systems-transitions", "safeguarding", "governance-management-sustainability"),
     "data", "Performance and Insight Manager", "2025-01-31", "2025-04-30",
     "Waiting times, reviews, safeguarding timeliness and DoLS, with trends and the exceptions discussed at the "
     "Performance, Practice and Pounds meeting. Figures are those in the weekly pack."),
    ("ASCOF and Short and Long Term return 2023-24", "processes",
     ("supporting-healthier-lives", "care-provision-integration-continuity", "governance-management-sustainability"),
     "data", "Performance and Insight Manager", "2024-07-31", "2025-07-31",
     "The statutory return and the Adult Social Care Outcomes Framework measures derived from it."),
    ("Market sustainability plan and cost of care exercise", "processes",
     ("care-provision-integration-continuity", "governance-management-sustainability"), "policy",
     "Head of Commissioning", "2023-06-30", "2024-06-30",
     "The council's assessment of the care market's sustainability and how fee rates were set."),
    ("Prevention and wellbeing strategy (consultation draft)", "processes",
     ("supporting-healthier-lives", "partnerships-and-communities"), "policy", "Head of Commissioning",
     "2024-11-30", "2025-11-30",
     "Draft all-age strategy for promoting independence and preventing, reducing and delaying need."),
    ("Preparing for adulthood transitions protocol", "processes", ("safe-pathways-systems-transitions",), "policy",
     "Head of Service, Learning Disabilities", "2024-07-01", "2025-07-01",
     "How children's and adults' services plan moves into adult social care from age 14."),
    ("Continuous improvement plan after the peer review: progress report", "processes",
     ("learning-improvement-innovation", "governance-management-sustainability"), "peer-review",
     "Head of Quality and Improvement", "2025-02-28", "2025-05-31",
     "Progress on each area for development the LGA peer review identified, as reported to scrutiny."),
    ("LGA adult social care peer review: feedback letter (5 to 7 March 2024)", "feedback-from-partners",
     ("assessing-needs", "partnerships-and-communities", "safeguarding", "governance-management-sustainability",
      "learning-improvement-innovation"), "peer-review", "Director of Adult Social Care", "2024-03-07",
     "2025-03-07",
     "The peer team's strengths and areas for development after reviewing the self-assessment and meeting "
     "people with lived experience, staff, partners and leaders."),
    ("LGA peer review: staff and team manager focus groups", "feedback-from-staff-and-leaders",
     ("assessing-needs", "learning-improvement-innovation", "governance-management-sustainability"), "peer-review",
     "Director of Adult Social Care", "2024-03-07", "2025-03-07",
     "What frontline staff and managers told the peer team about practice, workload, supervision and leadership."),
    ("Safeguarding Adults Board annual report 2023-24", "feedback-from-partners",
     ("safeguarding", "partnerships-and-communities"), "feedback", "Safeguarding Adults Board Business Manager",
     "2024-10-31", "2025-10-31",
     "The board's account of partners' safeguarding work, safeguarding adults reviews and learning."),
    ("Healthwatch report: experiences of discharge to assess", "feedback-from-partners",
     ("safe-pathways-systems-transitions", "care-provision-integration-continuity"), "feedback",
     "Head of Hospital Discharge", "2024-10-01", "2025-10-01",
     "People's and professionals' experience of leaving hospital through the discharge to assess pathways."),
    ("Provider engagement feedback and market position statement", "feedback-from-partners",
     ("care-provision-integration-continuity", "partnerships-and-communities"), "feedback",
     "Head of Commissioning", "2024-09-15", "2025-03-15",
     "What care providers said through the engagement hub and provider forums, and the council's response."),
    ("Integrated care board: joint commissioning and hospital flow feedback", "feedback-from-partners",
     ("safe-pathways-systems-transitions", "governance-management-sustainability",
      "learning-improvement-innovation"), "feedback", "Deputy Director of Adult Social Care", "2024-12-05",
     "2025-06-05", "Partners' view of joint working on discharge, the pooled budget and shared governance."),
    ("Community of practice members' survey", "feedback-from-partners",
     ("partnerships-and-communities",), "survey", "Community Connections Manager",
     "2024-08-31", "2025-08-31",
     "Voluntary and community sector members on whether the forums improve knowledge of local support."),
    ("Adult social care staff survey 2024", "feedback-from-staff-and-leaders",
     ("governance-management-sustainability", "learning-improvement-innovation"), "survey",
     "Workforce Development Lead", "2024-06-30", "2025-06-30",
     "Staff views on wellbeing, workload, supervision and leadership, and the actions agreed in response."),
    ("Employer Standards Health Check 2024", "feedback-from-staff-and-leaders",
     ("governance-management-sustainability", "learning-improvement-innovation", "assessing-needs"), "survey",
     "Principal Occupational Therapist", "2024-05-31", "2025-05-31",
     "Social workers', occupational therapists' and other staff's experience against the employer standards."),
    ("Team manager listening events: themes and actions", "feedback-from-staff-and-leaders",
     ("safeguarding", "safe-pathways-systems-transitions", "care-provision-integration-continuity"), "feedback",
     "Deputy Director of Adult Social Care", "2024-12-10", "2025-06-10",
     "Themes raised by team managers about risk on the waiting list, transitions and safeguarding, with owners."),
    ("Reablement staff workshop: preventing, reducing and delaying need", "feedback-from-staff-and-leaders",
     ("supporting-healthier-lives", "partnerships-and-communities"), "feedback", "Reablement Service Manager",
     "2024-09-20", "2025-09-20",
     "What reablement workers and occupational therapists said about prevention offers, community links and "
     "equipment, and the changes agreed."),
    ("Leaders' reflections for the CQC self-assessment", "feedback-from-staff-and-leaders",
     ("equity-in-experience-and-outcomes", "governance-management-sustainability"), "feedback",
     "Director of Adult Social Care", "2025-02-14", "2025-08-14",
     "Notes from sessions with the director, lead member and heads of service on strengths, risks and priorities."),
)


def seed_demo(ws: Workspace, store_dir: Path, today: dt.date) -> None:
    """A realistic evidence library for a council preparing for CQC, as link items to its intranet.

    Some items are past their review-by date on ``today`` (2025-03-31 in the demo) and two cells are
    left empty on purpose (Supporting healthier lives and Equity in experience, each without feedback
    from partners) so the coverage page has something to show. Does nothing if the library has items.
    """
    with ws.read() as con:
        if con.execute("SELECT COUNT(*) FROM evidence_items").fetchone()[0]:
            return
    actor = "demo"
    ids: dict[str, int] = {}
    for n, (title, category, statements, source, owner, when, review, summary) in enumerate(_DEMO, 1):
        ids[title] = add_item(
            ws, actor=actor, title=title, category=category, statements=list(statements), source_type=source,
            owner=owner, evidence_date=dt.date.fromisoformat(when),
            review_by=dt.date.fromisoformat(review) if review else None, summary=summary,
            link=f"{INTRANET}/{n:03d}")
    # The practice standards were reviewed in January and given three more months (shows in the history).
    update_item(ws, ids["Care Act assessment and support planning practice standards"], actor=actor,
                review_by=dt.date(2025, 4, 15))
    old = add_item(ws, actor=actor, title="Multi-agency safeguarding adults procedures (2021 edition)",
                   category="processes", statements=["safeguarding"], source_type="policy",
                   owner="Head of Safeguarding", evidence_date=dt.date(2021, 6, 1), review_by=dt.date(2023, 6, 1),
                   summary="The earlier edition of the procedures.", link=f"{INTRANET}/archive/safeguarding-2021")
    retire_item(ws, old, actor=actor, reason="Superseded by the 2023 edition of the procedures")

"""The self-assessment: per CQC theme the council's template, versioned, with a review workflow.

The layout follows the council's own self-assessment (seeds/003): for each of CQC's four themes "Our
ambition", "Our strengths", "Areas for improvement and development" and "Key statistics" in three
columns (Activity, Working well, Priority area), then narrative sub-sections; plus an overview for the
whole document. Key statistics are links to registry measures, resolved when shown
(``asc_assure.assurance.key_statistics``), so the document never carries a typed-in number that goes
stale.

Workflow, per section (a theme or the overview):

* every save adds a numbered version (who, when, note) — nothing is edited in place, so any version
  can be viewed, compared with another or exported again;
* draft -> in review (submit) -> approved, or returned with a comment (back to the author);
* editing a section that is in review or approved starts a new draft from it; a version that was in
  review when it was edited is marked "withdrawn" so nobody approves text that is no longer current;
* four eyes: whoever submitted a version cannot approve it.

Who may edit or approve is the web app's business (permissions); this module records who did.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from asc_assure.assurance import key_statistics as ks
from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError, rows, utc_now
from asc_assure.domain.cqc import load_framework

OVERVIEW = "overview"
ENTITY = "self_assessment"
DRAFT, IN_REVIEW, APPROVED, RETURNED, WITHDRAWN = "draft", "in_review", "approved", "returned", "withdrawn"
STATUS_TEXT = {DRAFT: "Draft", IN_REVIEW: "In review", APPROVED: "Approved", RETURNED: "Returned for changes",
               WITHDRAWN: "Withdrawn (edited while in review)"}
THEME_FIELDS = ("ambition", "strengths", "areas_for_improvement", "key_statistics", "narrative")
FIELD_TITLES = {"ambition": "Our ambition", "strengths": "Our strengths",
                "areas_for_improvement": "Areas for improvement and development",
                "key_statistics": "Key statistics", "narrative": "Narrative", "text": "Overview"}
MAX_TEXT = 20_000
MAX_ITEMS = 40


# -- sections -------------------------------------------------------------------------------------
def sections() -> list[dict[str, str]]:
    """The overview, then CQC's four themes in framework order."""
    fw = load_framework()
    return ([{"slug": OVERVIEW, "title": "Overview", "short_title": "Overview"}]
            + [{"slug": t.slug, "title": t.title, "short_title": t.short_title} for t in fw.themes])


def section_title(section: str) -> str:
    return next(s["title"] for s in sections() if s["slug"] == check_section(section))


def check_section(section: str) -> str:
    slugs = [s["slug"] for s in sections()]
    if section not in slugs:
        raise WorkspaceError(f"unknown self-assessment section {section!r}; known: {', '.join(slugs)}")
    return section


# -- content ---------------------------------------------------------------------------------------
def _text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise WorkspaceError(f"{name} must be text, not {type(value).__name__}")
    text = value.replace("\r\n", "\n").strip()
    if len(text) > MAX_TEXT:
        raise WorkspaceError(f"{name} is {len(text):,} characters long; the limit is {MAX_TEXT:,}")
    return text


def lines_to_items(value: Any, name: str) -> list[str]:
    """A list, or text with one item per line (leading '-', '*' or '•' bullets are dropped)."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list):
        raise WorkspaceError(f"{name} must be a list or one item per line")
    items = []
    for raw in value:
        if not isinstance(raw, str):
            raise WorkspaceError(f"each item of {name} must be text, not {raw!r}")
        item = " ".join(raw.strip().lstrip("-*•").split())
        if item:
            items.append(_text(item, name))
    if len(items) > MAX_ITEMS:
        raise WorkspaceError(f"{name} has {len(items)} items; keep it to {MAX_ITEMS} or fewer")
    return items


def _narrative(value: Any) -> list[dict[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise WorkspaceError("narrative must be a list of sections, each with a heading and text")
    out = []
    for n, sec in enumerate(value, 1):
        if not isinstance(sec, Mapping):
            raise WorkspaceError(f"narrative section {n} must have a heading and text")
        heading = " ".join(str(sec.get("heading") or "").split())
        text = _text(sec.get("text"), f"narrative section {n} text")
        if not heading:
            raise WorkspaceError(f"narrative section {n} has no heading")
        if not text:
            raise WorkspaceError(f"narrative section {heading!r} has no text")
        out.append({"heading": heading, "text": text})
    if len({s["heading"].lower() for s in out}) != len(out):
        raise WorkspaceError("two narrative sections have the same heading")
    return out


def check_content(section: str, content: Mapping[str, Any] | None, known: Mapping[str, Any] | None = None
                  ) -> dict[str, Any]:
    """Normalised content for a section; unknown fields and unknown measure ids are refused."""
    check_section(section)
    content = dict(content or {})
    if section == OVERVIEW:
        extra = set(content) - {"text"}
        if extra:
            raise WorkspaceError(f"the overview has only a 'text' field, not {', '.join(sorted(extra))}")
        return {"text": _text(content.get("text"), "overview text")}
    if "areas" in content and "areas_for_improvement" not in content:
        content["areas_for_improvement"] = content.pop("areas")
    extra = set(content) - set(THEME_FIELDS)
    if extra:
        raise WorkspaceError(f"unknown field(s) {', '.join(sorted(extra))}; a theme has {', '.join(THEME_FIELDS)}")
    return {
        "ambition": _text(content.get("ambition"), "ambition"),
        "strengths": lines_to_items(content.get("strengths"), "strengths"),
        "areas_for_improvement": lines_to_items(content.get("areas_for_improvement"), "areas for improvement"),
        "key_statistics": ks.check_items(content.get("key_statistics"), known),
        "narrative": _narrative(content.get("narrative")),
    }


def empty_content(section: str) -> dict[str, Any]:
    return {"text": ""} if section == OVERVIEW else {
        "ambition": "", "strengths": [], "areas_for_improvement": [], "key_statistics": [], "narrative": []}


# -- reading ---------------------------------------------------------------------------------------
def _version(row: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out["content"] = json.loads(out["content"])
    out["status_text"] = STATUS_TEXT[out["status"]]
    out["approved"] = out["status"] == APPROVED
    return out


def latest(ws: Workspace, section: str) -> dict[str, Any] | None:
    """The newest version of a section (the one being worked on), or None if it was never saved."""
    check_section(section)
    with ws.read() as con:
        found = rows(con.execute("SELECT * FROM sa_versions WHERE section = ? ORDER BY version DESC LIMIT 1",
                                 (section,)))
    return _version(found[0]) if found else None


def latest_approved(ws: Workspace, section: str) -> dict[str, Any] | None:
    check_section(section)
    with ws.read() as con:
        found = rows(con.execute("SELECT * FROM sa_versions WHERE section = ? AND status = ? "
                                 "ORDER BY version DESC LIMIT 1", (section, APPROVED)))
    return _version(found[0]) if found else None


def get_version(ws: Workspace, section: str, version: int) -> dict[str, Any]:
    check_section(section)
    with ws.read() as con:
        found = rows(con.execute("SELECT * FROM sa_versions WHERE section = ? AND version = ?",
                                 (section, int(version))))
    if not found:
        raise NotFound(f"{section_title(section)} has no version {version}")
    return _version(found[0])


def history(ws: Workspace, section: str) -> list[dict[str, Any]]:
    """Every version of a section, newest first."""
    check_section(section)
    with ws.read() as con:
        return [_version(r) for r in rows(con.execute(
            "SELECT * FROM sa_versions WHERE section = ? ORDER BY version DESC", (section,)))]


def status_summary(ws: Workspace) -> list[dict[str, Any]]:
    """One line per section: current version and status, and the newest approved version."""
    out = []
    for sec in sections():
        cur, appr = latest(ws, sec["slug"]), latest_approved(ws, sec["slug"])
        out.append({**sec, "version": cur["version"] if cur else None,
                    "status": cur["status"] if cur else None,
                    "status_text": cur["status_text"] if cur else "Not started",
                    "updated_at": cur["created_at"] if cur else None,
                    "updated_by": cur["created_by"] if cur else None,
                    "approved_version": appr["version"] if appr else None})
    return out


# -- writing ---------------------------------------------------------------------------------------
def _latest_in(con: Any, section: str) -> dict[str, Any] | None:
    found = rows(con.execute("SELECT * FROM sa_versions WHERE section = ? ORDER BY version DESC LIMIT 1",
                             (section,)))
    return _version(found[0]) if found else None


def save(ws: Workspace, section: str, content: Mapping[str, Any], actor: str, note: str = "",
         expected_version: int | None = None, known: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Save a new draft version. ``expected_version`` (the version the editor started from) stops one
    person silently overwriting another's save made in the meantime."""
    checked = check_content(section, content, known)
    note = " ".join((note or "").split())
    with ws.transaction() as con:
        cur = _latest_in(con, section)
        current_no = cur["version"] if cur else 0
        if expected_version is not None and int(expected_version) != current_no:
            raise WorkspaceError(f"{section_title(section)} was changed by {cur['created_by'] if cur else 'someone'} "
                                 f"(now version {current_no}) after you started editing version "
                                 f"{expected_version}; reload it and make your changes again")
        if cur is not None and cur["content"] == checked:
            raise WorkspaceError(f"nothing has changed since version {current_no}; there is nothing to save")
        if cur is not None and cur["status"] == IN_REVIEW:
            con.execute("UPDATE sa_versions SET status = ? WHERE id = ?", (WITHDRAWN, cur["id"]))
            Workspace.log(con, actor, ENTITY, section, "withdrawn", version=current_no,
                          reason="edited while in review")
        con.execute(
            "INSERT INTO sa_versions (section, version, status, content, note, based_on, created_at, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (section, current_no + 1, DRAFT, json.dumps(checked, ensure_ascii=False, sort_keys=True), note,
             current_no or None, utc_now(), actor))
        Workspace.log(con, actor, ENTITY, section, "save", version=current_no + 1, based_on=current_no or None,
                      note=note)
    return get_version(ws, section, current_no + 1)


def _require_latest(con: Any, section: str, allowed: set[str], doing: str) -> dict[str, Any]:
    cur = _latest_in(con, section)
    if cur is None:
        raise WorkspaceError(f"{section_title(section)} has not been written yet, so it cannot be {doing}")
    if cur["status"] not in allowed:
        raise WorkspaceError(f"{section_title(section)} version {cur['version']} is {cur['status_text'].lower()}, "
                             f"so it cannot be {doing}")
    return cur


def submit(ws: Workspace, section: str, actor: str, note: str = "") -> dict[str, Any]:
    """Send the newest draft (or returned version) for review."""
    check_section(section)
    with ws.transaction() as con:
        cur = _require_latest(con, section, {DRAFT, RETURNED}, "submitted for review")
        con.execute("UPDATE sa_versions SET status = ?, submitted_at = ?, submitted_by = ?, decided_at = NULL, "
                    "decided_by = NULL, decision_comment = NULL WHERE id = ?", (IN_REVIEW, utc_now(), actor, cur["id"]))
        Workspace.log(con, actor, ENTITY, section, "submit", version=cur["version"], note=" ".join(note.split()))
    return get_version(ws, section, cur["version"])


def approve(ws: Workspace, section: str, actor: str, comment: str = "") -> dict[str, Any]:
    """Approve the version in review. The person who submitted it cannot (four eyes)."""
    check_section(section)
    with ws.transaction() as con:
        cur = _require_latest(con, section, {IN_REVIEW}, "approved")
        if cur["submitted_by"] == actor:
            raise WorkspaceError(f"{actor} submitted version {cur['version']} of {section_title(section)} for "
                                 f"review, so someone else must approve it")
        con.execute("UPDATE sa_versions SET status = ?, decided_at = ?, decided_by = ?, decision_comment = ? "
                    "WHERE id = ?", (APPROVED, utc_now(), actor, " ".join(comment.split()) or None, cur["id"]))
        Workspace.log(con, actor, ENTITY, section, "approve", version=cur["version"], comment=comment)
    return get_version(ws, section, cur["version"])


def return_for_changes(ws: Workspace, section: str, actor: str, comment: str) -> dict[str, Any]:
    """Send the version in review back to its author, saying what needs to change."""
    check_section(section)
    comment = " ".join((comment or "").split())
    if not comment:
        raise WorkspaceError("say what needs to change: a comment is required to return a version")
    with ws.transaction() as con:
        cur = _require_latest(con, section, {IN_REVIEW}, "returned")
        con.execute("UPDATE sa_versions SET status = ?, decided_at = ?, decided_by = ?, decision_comment = ? "
                    "WHERE id = ?", (RETURNED, utc_now(), actor, comment, cur["id"]))
        Workspace.log(con, actor, ENTITY, section, "return", version=cur["version"], comment=comment)
    return get_version(ws, section, cur["version"])


# -- comparing -------------------------------------------------------------------------------------
def _list_changes(field: str, old: list[str], new: list[str]) -> list[dict[str, Any]]:
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op in {"delete", "replace"}:
            out += [{"field": field, "kind": "removed", "old": item, "new": None} for item in old[i1:i2]]
        if op in {"insert", "replace"}:
            out += [{"field": field, "kind": "added", "old": None, "new": item} for item in new[j1:j2]]
    return out


def _stat_text(item: Mapping[str, Any]) -> str:
    label = f" labelled {item['label']!r}" if item.get("label") else ""
    return f"{item['measure_id']} under {item['group']}{label}"


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What changed between two contents of the same section, field by field, in words."""
    changes: list[dict[str, Any]] = []
    for field in ("text", "ambition"):
        if (old.get(field) or "") != (new.get(field) or "") and (field in old or field in new):
            changes.append({"field": FIELD_TITLES[field], "kind": "changed", "old": old.get(field) or "",
                            "new": new.get(field) or ""})
    for field in ("strengths", "areas_for_improvement"):
        changes += _list_changes(FIELD_TITLES[field], list(old.get(field) or []), list(new.get(field) or []))
    stats_old = {(s["measure_id"], s["group"]): s for s in old.get("key_statistics") or []}
    stats_new = {(s["measure_id"], s["group"]): s for s in new.get("key_statistics") or []}
    for key, item in stats_old.items():
        if key not in stats_new:
            changes.append({"field": FIELD_TITLES["key_statistics"], "kind": "removed", "old": _stat_text(item),
                            "new": None})
        elif item.get("label") != stats_new[key].get("label"):
            changes.append({"field": FIELD_TITLES["key_statistics"], "kind": "changed", "old": _stat_text(item),
                            "new": _stat_text(stats_new[key])})
    changes += [{"field": FIELD_TITLES["key_statistics"], "kind": "added", "old": None, "new": _stat_text(item)}
                for key, item in stats_new.items() if key not in stats_old]
    nar_old = {s["heading"]: s["text"] for s in old.get("narrative") or []}
    nar_new = {s["heading"]: s["text"] for s in new.get("narrative") or []}
    for heading, text in nar_old.items():
        if heading not in nar_new:
            changes.append({"field": f"Narrative: {heading}", "kind": "removed", "old": text, "new": None})
        elif nar_new[heading] != text:
            changes.append({"field": f"Narrative: {heading}", "kind": "changed", "old": text, "new": nar_new[heading]})
    changes += [{"field": f"Narrative: {h}", "kind": "added", "old": None, "new": t}
                for h, t in nar_new.items() if h not in nar_old]
    return changes


def diff(ws: Workspace, section: str, from_version: int, to_version: int) -> dict[str, Any]:
    """The readable difference between two versions of a section."""
    a, b = get_version(ws, section, from_version), get_version(ws, section, to_version)
    return {"section": section, "title": section_title(section), "from": a, "to": b,
            "changes": compare(a["content"], b["content"])}


def diff_lines(changes: list[Mapping[str, Any]]) -> list[str]:
    """Changes as plain lines: '+' added, '-' removed, '~' changed (old then new)."""
    lines = []
    for c in changes:
        if c["kind"] == "added":
            lines.append(f"+ {c['field']}: {c['new']}")
        elif c["kind"] == "removed":
            lines.append(f"- {c['field']}: {c['old']}")
        else:
            lines.append(f"~ {c['field']}:")
            lines.append(f"    was: {c['old']}")
            lines.append(f"    now: {c['new']}")
    return lines or ["No differences."]


# -- text, YAML import and export -----------------------------------------------------------------
def content_lines(section: str, content: Mapping[str, Any]) -> list[str]:
    """A section's content as plain text lines (key statistics as links; see key_statistics.resolve)."""
    if section == OVERVIEW:
        return [content.get("text") or "(no overview yet)"]
    lines = [FIELD_TITLES["ambition"], f"  {content.get('ambition') or '(none yet)'}"]
    for field in ("strengths", "areas_for_improvement"):
        lines.append(FIELD_TITLES[field])
        lines += [f"  - {i}" for i in content.get(field) or []] or ["  (none yet)"]
    lines.append(FIELD_TITLES["key_statistics"])
    lines += [f"  [{s['group']}] {s.get('label') or s['measure_id']} -> measure {s['measure_id']}"
              for s in content.get("key_statistics") or []] or ["  (none yet)"]
    for sec in content.get("narrative") or []:
        lines += [sec["heading"], f"  {sec['text']}"]
    return lines


def export_yaml(ws: Workspace) -> str:
    """The newest version of every section as one YAML document (the shape ``import_yaml`` reads)."""
    doc: dict[str, Any] = {"overview": (latest(ws, OVERVIEW) or {"content": {"text": ""}})["content"]["text"],
                           "themes": {}}
    for sec in sections()[1:]:
        cur = latest(ws, sec["slug"])
        doc["themes"][sec["slug"]] = cur["content"] if cur else empty_content(sec["slug"])
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)


def import_yaml(ws: Workspace, text: str, actor: str, note: str = "",
                known: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Save each section in a YAML document as a new version; sections with no change are left alone.

    Everything is checked before anything is saved, so a bad measure id in one theme saves nothing.
    """
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise WorkspaceError(f"the file is not valid YAML: {exc}") from None
    if not isinstance(doc, Mapping) or not ({"overview", "themes"} & set(doc)):
        raise WorkspaceError("the file must have 'overview' text and/or 'themes' (theme slug: content)")
    extra = set(doc) - {"overview", "themes"}
    if extra:
        raise WorkspaceError(f"unknown top-level field(s) {', '.join(sorted(extra))}; expected overview, themes")
    themes = doc.get("themes") or {}
    if not isinstance(themes, Mapping):
        raise WorkspaceError("'themes' must map each theme slug to its content")
    known = ks.registry() if known is None else known
    wanted: list[tuple[str, dict[str, Any]]] = []
    if "overview" in doc:
        wanted.append((OVERVIEW, check_content(OVERVIEW, {"text": doc.get("overview") or ""}, known)))
    for slug, content in themes.items():
        if slug == OVERVIEW:
            raise WorkspaceError("put the overview at the top level, not under themes")
        check_section(str(slug))
        wanted.append((str(slug), check_content(str(slug), content, known)))
    results = []
    for slug, content in wanted:
        cur = latest(ws, slug)
        unchanged = cur["content"] == content if cur else content == empty_content(slug)
        if unchanged:  # an empty section that was never written stays unwritten
            results.append({"section": slug, "version": cur["version"] if cur else None, "saved": False})
            continue
        saved = save(ws, slug, content, actor, note or "imported from YAML", known=known)
        results.append({"section": slug, "version": saved["version"], "saved": True})
    return results


# -- demo ------------------------------------------------------------------------------------------
DEMO_ANALYST, DEMO_LEAD = "performance-analyst", "assurance-lead"

DEMO_OVERVIEW = (
    "Our vision is that adults in the county live well and independently in their own communities, "
    "with care and support that is timely, personal and safe when they need it.\n\n"
    "This self-assessment sets out, for each of CQC's four themes, what we are aiming for, where we are "
    "strong, where we need to improve and the figures that show it. The key statistics are drawn from our "
    "own case management data each time the document is produced, so they are always the latest we hold."
)

DEMO_THEMES: dict[str, dict[str, Any]] = {
    "working-with-people": {
        "ambition": "People get the right help at the first contact, and anyone who needs a Care Act "
                    "assessment has one promptly, focused on what matters to them.",
        "strengths": ["A strengths-based front door that resolves many enquiries with advice and prevention",
                      "Reviews of long-term support are tracked weekly by every team",
                      "Clear prioritisation of the assessment waiting list"],
        "areas_for_improvement": ["Reduce the number of people waiting for an assessment, and how long they wait",
                                  "Make carers' assessments as timely as assessments for the people they support",
                                  "Record people's own outcomes more consistently in assessments"],
        "key_statistics": [
            {"measure_id": "assessment.referrals_received", "group": "Activity"},
            {"measure_id": "assessment.completed", "group": "Activity"},
            {"measure_id": "reviews.reviewed_in_12_months_pct", "group": "Working well"},
            {"measure_id": "waiting_list.pct_prioritised", "group": "Working well"},
            {"measure_id": "waiting_list.count", "group": "Priority area"},
            {"measure_id": "waiting_list.longest_wait_days", "group": "Priority area"},
        ],
        "narrative": [{"heading": "Timeliness of assessment",
                       "text": "Team managers review their waiting lists every week against the Meaningful "
                               "Measures. People waiting are contacted while they wait and their priority is "
                               "checked, so that anyone whose needs change is seen sooner."}],
    },
    "providing-support": {
        "ambition": "A sustainable local market offers people real choice of good quality care close to home.",
        "strengths": ["Home care is usually sourced quickly once a package is agreed",
                      "Joint commissioning with health partners for reablement and intermediate care"],
        "areas_for_improvement": ["Sourcing care home places for people with complex needs",
                                  "Recruitment and retention in the care workforce"],
        "key_statistics": [
            {"measure_id": "brokerage.median_days_to_source", "group": "Activity"},
            {"measure_id": "brokerage.home_care_within_48h_pct", "group": "Working well"},
            {"measure_id": "brokerage.care_home_within_5d_pct", "group": "Priority area"},
            {"measure_id": "workforce.vacancy_rate_pct", "group": "Priority area",
             "label": "Vacancy rate in our own social care teams"},
        ],
        "narrative": [],
    },
    "ensuring-safety": {
        "ambition": "People are safe from abuse and neglect, and safeguarding is personal to them.",
        "strengths": ["Safeguarding concerns are triaged quickly",
                      "People are asked what outcomes they want from a safeguarding enquiry"],
        "areas_for_improvement": ["Reduce the Deprivation of Liberty Safeguards backlog",
                                  "Close long-running safeguarding enquiries sooner"],
        "key_statistics": [
            {"measure_id": "safeguarding.concerns_received", "group": "Activity"},
            {"measure_id": "dols.received", "group": "Activity"},
            {"measure_id": "safeguarding.triage_within_2wd_pct", "group": "Working well"},
            {"measure_id": "safeguarding.msp_asked_pct", "group": "Working well"},
            {"measure_id": "dols.open", "group": "Priority area"},
            {"measure_id": "safeguarding.open_over_12_weeks", "group": "Priority area"},
        ],
        "narrative": [{"heading": "Deprivation of Liberty Safeguards",
                       "text": "Applications are screened on arrival with a priority tool so that the people "
                               "at greatest risk are assessed first while the backlog is reduced."}],
    },
    "leadership": {
        "ambition": "Leaders know how well services are working from timely data and from people's feedback, "
                    "and act on it.",
        "strengths": ["Weekly performance meetings use the same measures at every level"],
        "areas_for_improvement": ["Make co-production part of every service change",
                                  "Reduce reliance on agency staff"],
        "key_statistics": [
            {"measure_id": "workforce.turnover_pct", "group": "Working well"},
            {"measure_id": "workforce.agency_pct", "group": "Priority area"},
        ],
        "narrative": [],
    },
}

# The council's own view of each quality statement (its rationale, not CQC's words).
DEMO_SELF_SCORES: dict[str, tuple[int, str]] = {
    "assessing-needs": (2, "Waiting times for assessment have fallen but are still too long for some people."),
    "supporting-healthier-lives": (3, "Prevention and reablement are well established with partners."),
    "equity-in-experience-and-outcomes": (2, "We know too little about the experience of some communities."),
    "care-provision-integration-continuity": (3, "Home care is sourced quickly; care home placements are harder."),
    "partnerships-and-communities": (3, "Strong joint working with health and the voluntary sector."),
    "safe-pathways-systems-transitions": (3, "Transitions to adult services are planned early."),
    "safeguarding": (3, "Concerns are triaged promptly; the DoLS backlog remains a risk."),
    "governance-management-sustainability": (3, "Performance is overseen weekly with clear accountability."),
    "learning-improvement-innovation": (3, "Learning from reviews and feedback changes practice."),
}

# Oxfordshire County Council's quality statement scores as CQC published them (report of 5 September
# 2025; notes/cqc-assessment-digest.md §1). The report gives no assessment date, only the publication date.
OXFORDSHIRE_CQC_SCORES = {
    "assessing-needs": 2, "supporting-healthier-lives": 2, "equity-in-experience-and-outcomes": 2,
    "care-provision-integration-continuity": 2, "partnerships-and-communities": 3,
    "safe-pathways-systems-transitions": 3, "safeguarding": 3, "governance-management-sustainability": 3,
    "learning-improvement-innovation": 3,
}
OXFORDSHIRE_REPORT_DATE = dt.date(2025, 9, 5)


def seed_demo(ws: Workspace, store_dir: Path, today: dt.date) -> None:
    """Fill the demo: four themes and the overview at different workflow states, self-assessed scores,
    and Oxfordshire's published CQC scores. Idempotent: does nothing if a self-assessment exists."""
    from asc_assure.assurance import scores

    if any(latest(ws, s["slug"]) for s in sections()):
        return
    known = ks.registry()
    a, lead = DEMO_ANALYST, DEMO_LEAD
    save(ws, OVERVIEW, {"text": DEMO_OVERVIEW}, a, "first draft", known=known)
    submit(ws, OVERVIEW, a)
    approve(ws, OVERVIEW, lead, "Agreed at the assurance board")
    # Working with people: approved, then a newer draft in progress.
    wwp = DEMO_THEMES["working-with-people"]
    first = {**wwp, "narrative": [], "areas_for_improvement": wwp["areas_for_improvement"][:2]}
    save(ws, "working-with-people", first, a, "first draft", known=known)
    submit(ws, "working-with-people", a)
    approve(ws, "working-with-people", lead)
    save(ws, "working-with-people", wwp, a, "added recording of outcomes and the timeliness section", known=known)
    # Providing support: in review.
    save(ws, "providing-support", DEMO_THEMES["providing-support"], a, "first draft", known=known)
    submit(ws, "providing-support", a, "ready for the assurance lead")
    # Ensuring safety: returned with a comment.
    save(ws, "ensuring-safety", DEMO_THEMES["ensuring-safety"], a, "first draft", known=known)
    submit(ws, "ensuring-safety", a)
    return_for_changes(ws, "ensuring-safety", lead, "Please add what we are doing about enquiries open over "
                       "12 weeks, and link the Making Safeguarding Personal outcomes measure.")
    # Leadership: a first draft only.
    save(ws, "leadership", DEMO_THEMES["leadership"], lead, "first draft", known=known)
    for slug, (score, rationale) in DEMO_SELF_SCORES.items():
        scores.set_self_score(ws, slug, score, rationale, a, today)
    scores.record_actual(ws, OXFORDSHIRE_CQC_SCORES, OXFORDSHIRE_REPORT_DATE, lead,
                         report_date=OXFORDSHIRE_REPORT_DATE, published_rating="Good")

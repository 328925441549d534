"""The workforce summary: staffing, vacancies, turnover, agency use, sickness and caseloads by team and role.

Every figure comes from the registry's workforce measures (``definitions/70_workforce.yaml``) run by the
measures engine, so the workforce page, the CLI, the weekly pack and the monthly report show the same
numbers as the measure pages. This module only arranges them (a table by team, a table by role, the
caseload of each team and role against its role's ceiling, trends over the month ends) and applies the
one rule the registry cannot hold: the caseload ceiling of each role, from YAML settings
(``workforce_settings.yaml``, local defaults a council overrides per store). See docs/workforce.md.
"""

from __future__ import annotations

import datetime as dt
from copy import deepcopy
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from asc_assure.assurance.workspace import WORKSPACE_DIR, Workspace, WorkspaceError
from asc_assure.reports import formatting as fmt

SETTINGS_FILE = "workforce_settings.yaml"
#: Joins team and role in the caseload measure's ``team_role`` breakdown (the same text as its SQL).
TEAM_ROLE_SEPARATOR = " – "
#: Month ends shown in the trends: this month and the twelve before it.
TREND_POINTS = 13

VACANCY, TURNOVER, AGENCY, AGENCY_SHARE = ("workforce.vacancy_rate_pct", "workforce.turnover_pct",
                                           "workforce.agency_pct", "workforce.agency_share_pct")
HEADCOUNT, FTE, VACANT_FTE = "workforce.headcount", "workforce.fte_in_post", "workforce.vacancies_fte"
SICKNESS, CASELOAD = "workforce.sickness_days_per_fte", "workforce.caseload_per_fte"

#: Table columns (measure id, short heading), in the order the tables show them.
COLUMNS: tuple[tuple[str, str], ...] = (
    (HEADCOUNT, "Headcount"), (FTE, "FTE in post"), (VACANT_FTE, "Vacant FTE"), (VACANCY, "Vacancy rate"),
    (TURNOVER, "Turnover (12 months)"), (AGENCY, "Agency, of establishment"),
    (AGENCY_SHARE, "Agency, of FTE in post"), (SICKNESS, "Sickness days per FTE"), (CASELOAD, "Cases per FTE"),
)
MEASURE_IDS = tuple(mid for mid, _ in COLUMNS)
#: The narrower set of columns the pack and the monthly report print (A4 width).
REPORT_COLUMNS = (HEADCOUNT, FTE, VACANCY, TURNOVER, AGENCY, SICKNESS, CASELOAD)
#: Measures charted over time (the counts are in the tables).
TREND_IDS = (VACANCY, TURNOVER, AGENCY, SICKNESS, CASELOAD)

# Caseload statuses: (words shown, RAG colour for the tag). Words always go with the colour.
OVER, NEAR, WITHIN, NO_CEILING, NO_STAFF, SUPPRESSED = "over", "near", "within", "no_ceiling", "no_staff", "suppressed"
STATUS: dict[str, tuple[str, str | None]] = {
    OVER: ("Over ceiling", "red"), NO_STAFF: ("Cases held but no FTE in post", "red"),
    NEAR: ("Near ceiling", "amber"), WITHIN: ("Within ceiling", "green"),
    NO_CEILING: ("No ceiling set", None), SUPPRESSED: (fmt.SUPPRESSED, None),
}
FLAGGED = (OVER, NO_STAFF)
_ORDER = (OVER, NO_STAFF, NEAR, WITHIN, NO_CEILING, SUPPRESSED)


class WorkforceError(WorkspaceError):
    """Bad workforce settings, or no workforce data for the date asked."""


# -- settings -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    """Caseload ceilings by role (keys in lower case) and the share of a ceiling counted as "near" it."""

    ceilings: dict[str, tuple[str, float]]
    near_share: float

    def ceiling_for(self, role: str) -> float | None:
        found = self.ceilings.get(role.strip().lower())
        return None if found is None else found[1]

    def describe(self) -> dict[str, Any]:
        return {"ceilings": {name: value for name, value in self.ceilings.values()},
                "near_ceiling_pct": round(100 * self.near_share, 1)}


def settings_path(store_dir: Path | str) -> Path:
    """Where a council keeps its own settings for a store: ``<store>/workspace/workforce_settings.yaml``."""
    return Path(store_dir) / WORKSPACE_DIR / SETTINGS_FILE


def _number(value: Any, where: str, low: float, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= low or (high and value > high):
        bound = f"more than {low:g}" + (f" and at most {high:g}" if high else "")
        raise WorkforceError(f"workforce setting {where} must be a number {bound}, not {value!r}")
    return float(value)


def parse_settings(raw: Any, origin: str = "workforce settings") -> Settings:
    """Check a settings mapping (defaults already merged in) and turn it into :class:`Settings`."""
    caseload = raw.get("caseload") if isinstance(raw, dict) else None
    if not isinstance(caseload, dict) or not isinstance(caseload.get("ceilings") or {}, dict):
        raise WorkforceError(f"{origin}: expected 'caseload:' with 'ceilings:' (role: cases per FTE)")
    ceilings: dict[str, tuple[str, float]] = {}
    for role, value in (caseload.get("ceilings") or {}).items():
        name = str(role).strip()
        if not name:
            raise WorkforceError(f"{origin}: a caseload ceiling has no role name")
        if value is None:  # a council may remove a shipped ceiling by setting it blank
            ceilings.pop(name.lower(), None)
            continue
        ceilings[name.lower()] = (name, _number(value, f"caseload.ceilings.{name}", 0))
    near = _number(caseload.get("near_ceiling_pct", 90), "caseload.near_ceiling_pct", 0, 100)
    return Settings(ceilings=ceilings, near_share=near / 100.0)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = deepcopy(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def load_settings(store_dir: Path | str | None = None) -> Settings:
    """The shipped local defaults, with the store's own settings file (if any) laid over them key by key."""
    raw = yaml.safe_load((resources.files(__package__) / SETTINGS_FILE).read_text(encoding="utf-8"))
    origin = f"shipped {SETTINGS_FILE}"
    if store_dir is not None:
        path = settings_path(store_dir)
        if path.is_file():
            try:
                over = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                raise WorkforceError(f"{path}: is not valid YAML ({exc.__class__.__name__})") from None
            if not isinstance(over, dict):
                raise WorkforceError(f"{path}: must contain 'caseload:' settings")
            raw, origin = _merge(raw, over), str(path)
    return parse_settings(raw, origin)


# -- caseload against the ceiling -----------------------------------------------------------------------------
def caseload_status(caseload: Any, open_cases: Any, ceiling: float | None, near_share: float) -> str:
    """Where a caseload stands against its role's ceiling.

    ``caseload`` is the engine's figure (rounded to one decimal place, as shown), so a caseload shown as
    25.0 against a ceiling of 25 is within it: only a figure above the ceiling is flagged. Cases held where
    no FTE is in post are flagged too (there is no one to hold them).
    """
    if caseload == fmt.SUPPRESSED or open_cases == fmt.SUPPRESSED:
        return SUPPRESSED
    if caseload is None:
        return NO_STAFF if fmt.is_number(open_cases) and open_cases > 0 else NO_CEILING
    if ceiling is None:
        return NO_CEILING
    if caseload > ceiling:
        return OVER
    if caseload >= near_share * ceiling:
        return NEAR
    return WITHIN


def _status(status: str) -> dict[str, Any]:
    text, rag = STATUS[status]
    return {"status": status, "status_text": text, "status_rag": rag, "flagged": status in FLAGGED}


# -- arranging the engine's results -----------------------------------------------------------------------------
def _rated(m: dict[str, Any]) -> bool:
    """Whether a measure is rated: it has a direction and a target (monitoring-only measures are not)."""
    return m["polarity"] != "neutral" and m.get("target") is not None


def _cell(value: Any, unit: str, rag: str | None, rated: bool) -> dict[str, Any]:
    """One figure with its rating in words ("No rating" only where a rating was expected)."""
    text = fmt.format_value(value, unit)
    return {"value": value, "text": text if text is not None else "No data",
            "rag": rag, "rag_text": fmt.rag_label(rag) if rag or rated else None}


def _rows(by_id: dict[str, dict[str, Any]], dim: str) -> dict[str, dict[str, dict[str, Any]]]:
    """key -> measure id -> cell, for one breakdown, across the workforce measures."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for mid in MEASURE_IDS:
        m = by_id.get(mid)
        if m is None:
            continue
        for b in (m.get("breakdowns") or {}).get(dim) or []:
            out.setdefault(str(b["key"]), {})[mid] = _cell(b.get("value"), m["unit"], b.get("rag"), _rated(m))
    return out


def _caseload_rows(m: dict[str, Any] | None, settings: Settings) -> list[dict[str, Any]]:
    """One row per case-holding team and role: open cases, FTE, cases per FTE, ceiling and status."""
    rows = []
    for b in ((m or {}).get("breakdowns") or {}).get("team_role") or []:
        if b.get("numerator") in (None, 0):
            continue  # holds no open cases: not a case-holding team and role
        team, _, role = str(b["key"]).rpartition(TEAM_ROLE_SEPARATOR)
        ceiling = settings.ceiling_for(role)
        status = caseload_status(b.get("value"), b.get("numerator"), ceiling, settings.near_share)
        rows.append({"team": team, "role": role, "open_cases": b.get("numerator"), "fte": b.get("denominator"),
                     "open_cases_text": fmt.format_count(b.get("numerator")),
                     "fte_text": fmt.format_value(b.get("denominator"), "rate") or "0.0",
                     "caseload": b.get("value"), "caseload_text": fmt.format_value(b.get("value"), "rate") or "None",
                     "ceiling": ceiling, "ceiling_text": "No ceiling" if ceiling is None else f"{ceiling:g}",
                     **_status(status)})
    return rows


def _headline(m: dict[str, Any]) -> dict[str, Any]:
    unit = m["unit"]
    return {"id": m["id"], "title": m["title"], "unit": unit, "definition": m["definition"],
            "value": m.get("value"), "value_text": fmt.format_value(m.get("value"), unit),
            "reason": m.get("reason") or "No data", "numerator": m.get("numerator"),
            "denominator": m.get("denominator"), "target": m.get("target"),
            "target_text": fmt.format_value(m.get("target"), unit) or "No target",
            "rag": m.get("rag"), "rag_text": fmt.rag_label(m.get("rag")) if m.get("rag") or _rated(m) else None,
            "previous_text": fmt.format_value(m.get("previous"), unit) or "Not available",
            "change_text": fmt.change_text(m.get("change_pct"), m.get("direction"), "previous month"),
            "last_year_text": fmt.format_value(m.get("last_year"), unit) or "Not available"}


def _ceiling_sentence(over: list[str], settings: Settings) -> str:
    ceilings = ", ".join(f"{name} {value:g}" for name, value in settings.ceilings.values()) or "none set"
    lead = (f"{len(over)} team{'s' if len(over) != 1 else ''} over a caseload ceiling: {', '.join(over)}."
            if over else "No team is over a caseload ceiling.")
    return f"{lead} Ceilings in open cases per FTE: {ceilings} (local settings)."


def summarise(results: list[dict[str, Any]], settings: Settings) -> dict[str, Any] | None:
    """The workforce tables from the measures engine's results; None if they hold no workforce measure.

    Works on any run's results (the weekly pack's, a month end's, a public run's with suppressed
    figures), because it reads only what the engine returned.
    """
    by_id = {m["id"]: m for m in results if m.get("id") in MEASURE_IDS}
    if not by_id:
        return None
    columns = [{"id": mid, "label": label, "title": by_id[mid]["title"], "unit": by_id[mid]["unit"],
                "rated": _rated(by_id[mid])} for mid, label in COLUMNS if mid in by_id]
    caseload = _caseload_rows(by_id.get(CASELOAD), settings)
    by_team: dict[str, list[dict[str, Any]]] = {}
    for row in caseload:
        by_team.setdefault(row["team"], []).append(row)
    teams = []
    for team, cells in sorted(_rows(by_id, "team").items()):
        held = by_team.get(team, [])
        worst = min((r["status"] for r in held), key=_ORDER.index, default=NO_CEILING)
        teams.append({"team": team, "cells": cells, "roles_over": [r["role"] for r in held if r["flagged"]],
                      **_status(worst)})
    roles = []
    role_caseload = {str(b["key"]): b for b in ((by_id.get(CASELOAD) or {}).get("breakdowns") or {}).get("role") or []}
    for role, cells in sorted(_rows(by_id, "role").items()):
        b = role_caseload.get(role) or {}
        ceiling = settings.ceiling_for(role)
        holds = b.get("numerator") not in (None, 0)
        status = caseload_status(b.get("value"), b.get("numerator"), ceiling, settings.near_share) if holds \
            else NO_CEILING
        roles.append({"role": role, "cells": cells, "case_holding": holds, "ceiling": ceiling,
                      "ceiling_text": "No ceiling" if ceiling is None else f"{ceiling:g}", **_status(status)})
    flagged = [r for r in caseload if r["flagged"]]
    over = sorted({r["team"] for r in flagged})
    any_m = next(iter(by_id.values()))
    return {
        "as_of": any_m.get("as_of"), "data_as_of": any_m.get("data_as_of"),
        "headline": [_headline(by_id[mid]) for mid in MEASURE_IDS if mid in by_id],
        "columns": columns, "report_columns": [c for c in columns if c["id"] in REPORT_COLUMNS],
        "teams": teams, "roles": roles,
        "caseload": sorted(caseload, key=lambda r: (_ORDER.index(r["status"]), r["team"], r["role"])),
        "caseload_flagged": flagged,
        "teams_over_ceiling": over,
        "ceiling_sentence": _ceiling_sentence(over, settings),
        "roles_near_ceiling": [r for r in caseload if r["status"] == NEAR],
        "settings": settings.describe(),
        "suppressed": any(m.get("suppressed") for m in by_id.values()),
    }


# -- from the store ------------------------------------------------------------------------------------------------
def default_as_of(store_dir: Path | str) -> dt.date:
    """The date of the newest workforce extract loaded: what the workforce page shows by default."""
    from asc_assure.data.store import Store, StoreError

    try:
        loads = Store(store_dir).loads_for("workforce")
    except (StoreError, OSError):
        loads = []
    if not loads:
        raise WorkforceError("no workforce extract has been loaded into this store")
    return max(dt.date.fromisoformat(m["as_of"]) for m in loads)


def snapshot_dates(store_dir: Path | str, as_of: dt.date) -> list[dt.date]:
    """The snapshot dates in the workforce extract in force on ``as_of``, up to that date, oldest first."""
    from asc_assure.data.store import Store, StoreError

    try:
        con = Store(store_dir).connect(as_of, first_if_later=True, only=("workforce",))
    except StoreError as exc:
        raise WorkforceError(str(exc)) from None
    try:
        rows = con.execute("SELECT DISTINCT snapshot_date FROM workforce WHERE snapshot_date <= ? "
                           "ORDER BY snapshot_date", [as_of]).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def build_summary(store_dir: Path | str, as_of: dt.date | None = None, settings: Settings | None = None,
                  trend_points: int = TREND_POINTS) -> dict[str, Any]:
    """Everything the workforce page, the CLI and the reports show for ``as_of`` (default: latest extract).

    Measured at month ends, because workforce snapshots are monthly: each month end reads the latest
    snapshot on or before it, so the trend follows the snapshots.
    """
    from asc_assure.measures.engine import run_measures

    as_of = as_of or default_as_of(store_dir)
    settings = settings or load_settings(store_dir)
    snaps = snapshot_dates(store_dir, as_of)
    if not snaps:
        raise WorkforceError(f"no workforce snapshot is dated on or before {fmt.format_date(as_of.isoformat())}")
    results = run_measures(store_dir, as_of, "month", ids=list(MEASURE_IDS), trend_points=trend_points)
    summary = summarise(results, settings)
    assert summary is not None  # the workforce measures are shipped in the registry
    by_id = {m["id"]: m for m in results}
    summary.update({
        "as_of": as_of.isoformat(), "as_of_text": fmt.format_date(as_of.isoformat()),
        "snapshot_date": snaps[-1].isoformat(), "snapshot_text": fmt.format_date(snaps[-1].isoformat()),
        "trends": [{"id": mid, "title": by_id[mid]["title"], "unit": by_id[mid]["unit"],
                    "trend": by_id[mid]["trend"]} for mid in TREND_IDS if mid in by_id],
    })
    return summary


def report_section(store_dir: Path | str, as_of: dt.date) -> dict[str, Any]:
    """The monthly report's workforce section: the summary, or why there is none (never an exception)."""
    try:
        return {"available": True, "note": None, **build_summary(store_dir, as_of, trend_points=1)}
    except WorkspaceError as exc:
        return {"available": False, "note": str(exc)}


def pack_section(data: dict[str, Any]) -> dict[str, Any] | None:
    """The weekly pack's workforce section from the pack's own measure results (shipped ceilings)."""
    return summarise(list(data.get("measures") or []), load_settings())


# -- demo ----------------------------------------------------------------------------------------------------------
DEMO_SETTINGS = """\
# Wyvernshire's own caseload ceilings (demo). Social workers and OTs keep the shipped local defaults;
# the council adds ceilings for the other case-holding roles agreed with its principal social worker.
caseload:
  ceilings:
    Social care practitioner: 25
    Review officer: 40
    Best interests assessor: 20
    Safeguarding practitioner: 20
"""


def seed_demo(ws: Workspace, store_dir: Path, today: dt.date) -> None:
    """Give the demo council its own caseload ceilings file (kept if one is already there), logged."""
    path = ws.root / SETTINGS_FILE
    if path.exists():
        return
    path.write_text(DEMO_SETTINGS, encoding="utf-8")
    settings = load_settings(store_dir)
    with ws.transaction() as con:
        Workspace.log(con, "demo", "workforce_settings", SETTINGS_FILE, "create", today=today.isoformat(),
                      **settings.describe())

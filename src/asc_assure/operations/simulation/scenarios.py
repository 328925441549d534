"""Scenarios: what to change from the calibrated baseline, written as a small YAML file.

    name: Extra capacity for the winter
    description: Agency social workers for eight weeks from December.
    target: 400                       # optional; else the waiting-list target from the store
    demand:
      growth_pct: 5                   # arrivals this % above the calibrated forecast...
      from: 2025-06-01                # ...from this date (default: the start)
      annual_trend_pct: 0             # optional: replace the calibrated trend (0 switches it off)
    staff:                            # FTE changes, each relative to the calibrated FTE
      - from: 2025-05-01
        change_pct: 10                # or change_fte: 3.5 (needs FTE from the workforce extract)
    prioritisation:
      rule: head_start                # strict_priority, head_start or oldest_first
      head_start_days: {high: 365, medium: 21, low: 0}
    backlog_push:                     # extra capacity for a few weeks (one, or a list)
      from: 2025-12-01
      weeks: 8
      extra_per_week: 40              # assessments a week, or extra_pct: 25

Every mistake is reported with the setting's path and the value given, e.g. ``staff[1].change_pct must
be a number (not 'ten')``, so a council user can correct the file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from asc_assure.assurance.workspace import WorkspaceError

RULES = {
    "strict_priority": "High, then medium, then low; within a priority, longest wait first",
    "head_start": "Longest wait first, with a head start in days for higher priorities (first in, first out "
                  "within each priority)",
    "oldest_first": "Longest wait first, whatever the priority",
}
DEFAULT_HEAD_START = {"high": 365, "medium": 21, "low": 0}
TOP_KEYS = ("name", "description", "target", "demand", "staff", "prioritisation", "backlog_push")


class ScenarioError(WorkspaceError):
    """A scenario setting is missing, unknown or out of range; the message names it and the value."""


@dataclass(frozen=True)
class StaffChange:
    start: dt.date | None
    change_pct: float = 0.0
    change_fte: float = 0.0


@dataclass(frozen=True)
class Push:
    start: dt.date | None
    weeks: int
    extra_per_week: float = 0.0
    extra_pct: float = 0.0


@dataclass(frozen=True)
class Scenario:
    name: str = "Baseline"
    description: str = ""
    target: float | None = None
    demand_growth_pct: float = 0.0
    demand_from: dt.date | None = None
    annual_trend_pct: float | None = None
    staff: tuple[StaffChange, ...] = ()
    rule: str = "head_start"
    head_start_days: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_HEAD_START))
    pushes: tuple[Push, ...] = ()

    def describe(self) -> dict[str, Any]:
        """A JSON-able account of the scenario as it will be run."""
        def day(d: dt.date | None) -> str | None:
            return d.isoformat() if d else None
        return {
            "name": self.name, "description": self.description, "target": self.target,
            "demand": {"growth_pct": self.demand_growth_pct, "from": day(self.demand_from),
                       "annual_trend_pct": self.annual_trend_pct},
            "staff": [{"from": day(s.start), "change_pct": s.change_pct, "change_fte": s.change_fte}
                      for s in self.staff],
            "prioritisation": {"rule": self.rule, "rule_text": RULES[self.rule],
                               "head_start_days": dict(self.head_start_days)},
            "backlog_push": [{"from": day(p.start), "weeks": p.weeks, "extra_per_week": p.extra_per_week,
                              "extra_pct": p.extra_pct} for p in self.pushes],
        }


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _number(value: Any, where: str, lo: float | None = None, hi: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{where} must be a number (not {_shown(value)})")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        bounds = f"between {lo:g} and {hi:g}" if lo is not None and hi is not None else (
            f"at least {lo:g}" if lo is not None else f"at most {hi:g}")
        raise ScenarioError(f"{where} must be {bounds} (not {value:g})")
    return float(value)


def _date(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    raise ScenarioError(f"{where} must be a date such as 2025-06-01 or 01/06/2025 (not {_shown(value)})")


def _mapping(value: Any, where: str, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioError(f"{where} must be a set of settings ({', '.join(keys)}), not {_shown(value)}")
    unknown = [str(k) for k in value if k not in keys]
    if unknown:
        raise ScenarioError(f"{where} has an unknown setting {unknown[0]!r} (known: {', '.join(keys)})")
    return value


def _list_of(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _staff(value: Any) -> tuple[StaffChange, ...]:
    out = []
    for i, item in enumerate(_list_of(value, "staff")):
        where = f"staff[{i}]"
        m = _mapping(item, where, ("from", "change_pct", "change_fte"))
        if ("change_pct" in m) == ("change_fte" in m):
            raise ScenarioError(f"{where} needs exactly one of change_pct or change_fte")
        out.append(StaffChange(start=_date(m.get("from"), f"{where}.from"),
                               change_pct=_number(m.get("change_pct", 0), f"{where}.change_pct", -100, 500),
                               change_fte=_number(m.get("change_fte", 0), f"{where}.change_fte", -10_000, 10_000)))
    return tuple(out)


def _pushes(value: Any) -> tuple[Push, ...]:
    out = []
    for i, item in enumerate(_list_of(value, "backlog_push")):
        where = f"backlog_push[{i}]"
        m = _mapping(item, where, ("from", "weeks", "extra_per_week", "extra_pct"))
        if "weeks" not in m:
            raise ScenarioError(f"{where}.weeks is missing: say for how many weeks the extra capacity runs")
        weeks = _number(m["weeks"], f"{where}.weeks", 1, 104)
        if weeks != int(weeks):
            raise ScenarioError(f"{where}.weeks must be a whole number of weeks (not {weeks:g})")
        if ("extra_per_week" in m) == ("extra_pct" in m):
            raise ScenarioError(f"{where} needs exactly one of extra_per_week or extra_pct")
        out.append(Push(start=_date(m.get("from"), f"{where}.from"), weeks=int(weeks),
                        extra_per_week=_number(m.get("extra_per_week", 0), f"{where}.extra_per_week", 0, 100_000),
                        extra_pct=_number(m.get("extra_pct", 0), f"{where}.extra_pct", 0, 500)))
    return tuple(out)


def parse_scenario(data: Any) -> Scenario:
    """Check a scenario (already read from YAML) and return it; raise ScenarioError naming the problem."""
    if data is None:
        data = {}
    m = _mapping(data, "The scenario", TOP_KEYS)
    name = m.get("name", "Scenario")
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(f"name must be some text (not {_shown(name)})")
    description = m.get("description") or ""
    if not isinstance(description, str):
        raise ScenarioError(f"description must be some text (not {_shown(description)})")
    target = m.get("target")
    if target is not None:
        target = _number(target, "target", 0)
    demand = _mapping(m.get("demand") or {}, "demand", ("growth_pct", "from", "annual_trend_pct"))
    trend = demand.get("annual_trend_pct")
    prio = _mapping(m.get("prioritisation") or {}, "prioritisation", ("rule", "head_start_days"))
    rule = prio.get("rule", "head_start")
    if rule not in RULES:
        raise ScenarioError(f"prioritisation.rule must be one of {', '.join(RULES)} (not {_shown(rule)})")
    heads = dict(DEFAULT_HEAD_START)
    given = _mapping(prio.get("head_start_days") or {}, "prioritisation.head_start_days", tuple(DEFAULT_HEAD_START))
    for k, v in given.items():
        heads[k] = _number(v, f"prioritisation.head_start_days.{k}", 0, 10_000)
    return Scenario(
        name=name.strip(), description=description.strip(), target=target,
        demand_growth_pct=_number(demand.get("growth_pct", 0), "demand.growth_pct", -90, 500),
        demand_from=_date(demand.get("from"), "demand.from"),
        annual_trend_pct=None if trend is None else _number(trend, "demand.annual_trend_pct", -50, 100),
        staff=_staff(m.get("staff")), rule=rule, head_start_days=heads, pushes=_pushes(m.get("backlog_push")))


def parse_yaml(text: str) -> Scenario:
    """Read a scenario from YAML text (as pasted into the web page or read from a file)."""
    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ScenarioError(f"The scenario is not valid YAML{where}: {getattr(exc, 'problem', exc)}") from exc
    return parse_scenario(data)


def load_scenario(path: Path | str) -> Scenario:
    """Read a scenario file; a missing or unreadable file is a ScenarioError naming it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"Cannot read the scenario file {path}: {exc.strerror or exc}") from exc
    return parse_yaml(text)


def examples() -> dict[str, str]:
    """The example scenarios shipped with ASC Assure: file stem -> YAML text, in name order."""
    folder = resources.files("asc_assure.operations.simulation") / "scenarios"
    return {p.name.removesuffix(".yaml"): p.read_text(encoding="utf-8")
            for p in sorted(folder.iterdir(), key=lambda p: p.name) if p.name.endswith(".yaml")}

"""The measure registry: every measure is data — a YAML entry with its SQL — not a Python function.

The package ships its definitions in ``measures/definitions/*.yaml``. A council adds or changes
measures by putting YAML files of the same shape in a folder of its own (``--definitions DIR`` or
``ASC_ASSURE_MEASURES_DIR``): an entry with an existing id replaces the shipped one. Targets are
normally set through the ``targets`` extract; a definition's ``target`` is only the default.

Each measure's SQL runs in DuckDB over the store's views and a ``periods`` table (``as_of``,
``period_start``; one row per date being measured). It returns one row per record in the measure's
population per ``as_of``, with the breakdown columns and whatever its ``aggregate`` needs.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

UNITS = {"count", "days", "percent", "rate"}
POLARITIES = {"higher", "lower", "neutral"}
KINDS = {"snapshot", "flow"}
FREQUENCIES = {"week", "month", "quarter", "year"}
AGGREGATES = {"count", "count_if", "sum", "mean", "median", "max", "min", "pct", "ratio"}
MEASURES_DIR_ENV = "ASC_ASSURE_MEASURES_DIR"
IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


class RegistryError(ValueError):
    """A measure definition is malformed; the message names the file and the measure."""


@dataclass(frozen=True)
class Aggregate:
    """How a measure's rows become one figure (and its numerator and denominator)."""

    kind: str
    column: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0

    def columns(self) -> list[str]:
        return [c for c in (self.column, self.numerator, self.denominator) if c]


@dataclass(frozen=True)
class Measure:
    id: str
    title: str
    group: str
    definition: str
    unit: str
    polarity: str
    frequency: str
    kind: str
    source: str
    aggregate: Aggregate
    sql: str
    breakdowns: tuple[str, ...] = ()
    target: float | None = None
    amber_tolerance: float | None = None
    headline: bool = False
    origin: str = ""

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "group": self.group, "definition": self.definition,
            "unit": self.unit, "polarity": self.polarity, "frequency": self.frequency, "kind": self.kind,
            "source": self.source, "breakdowns": list(self.breakdowns), "target": self.target,
            "amber_tolerance": self.amber_tolerance, "aggregate": self.aggregate.kind, "headline": self.headline,
            "origin": self.origin,
        }


def _aggregate(spec: Any, where: str) -> Aggregate:
    if spec == "count":
        return Aggregate("count")
    if not isinstance(spec, dict) or len(spec) != 1:
        raise RegistryError(f"{where}: aggregate must be 'count' or a one-key mapping such as {{pct: on_time}}")
    (kind, arg), = spec.items()
    if kind not in AGGREGATES:
        raise RegistryError(f"{where}: unknown aggregate {kind!r} (known: {', '.join(sorted(AGGREGATES))})")
    if kind == "ratio":
        if not isinstance(arg, dict) or not {"numerator", "denominator"} <= set(arg):
            raise RegistryError(f"{where}: ratio needs numerator and denominator columns")
        agg = Aggregate("ratio", numerator=arg["numerator"], denominator=arg["denominator"],
                        scale=float(arg.get("scale", 1.0)))
    else:
        agg = Aggregate(kind, column=str(arg))
    for col in agg.columns():
        if not IDENT.match(col):
            raise RegistryError(f"{where}: aggregate column {col!r} is not a plain column name")
    return agg


def _measure(spec: dict[str, Any], group: str, source: str | None, origin: str) -> Measure:
    mid = spec.get("id", "?")
    where = f"{origin}: measure {mid}"
    for key in ("id", "title", "definition", "unit", "polarity", "sql", "aggregate"):
        if key not in spec:
            raise RegistryError(f"{where}: missing {key!r}")
    checks = [("unit", UNITS), ("polarity", POLARITIES), ("kind", KINDS), ("frequency", FREQUENCIES)]
    for key, allowed in checks:
        value = spec.get(key, {"kind": "flow", "frequency": "week"}.get(key))
        if value not in allowed:
            raise RegistryError(f"{where}: {key} must be one of {', '.join(sorted(allowed))}, not {value!r}")
    breakdowns = tuple(spec.get("breakdowns") or ())
    for b in breakdowns:
        if not IDENT.match(b) or b in {"as_of", "period_start"}:
            raise RegistryError(f"{where}: breakdown {b!r} is not a usable column name")
    src = spec.get("source", source)
    if not src:
        raise RegistryError(f"{where}: no source extract named")
    return Measure(
        id=str(mid), title=spec["title"], group=spec.get("group", group),
        definition=" ".join(str(spec["definition"]).split()), unit=spec["unit"], polarity=spec["polarity"],
        frequency=spec.get("frequency", "week"), kind=spec.get("kind", "flow"), source=src,
        aggregate=_aggregate(spec["aggregate"], where), sql=str(spec["sql"]).strip().rstrip(";"),
        breakdowns=breakdowns,
        target=None if spec.get("target") is None else float(spec["target"]),
        amber_tolerance=None if spec.get("amber_tolerance") is None else float(spec["amber_tolerance"]),
        headline=bool(spec.get("headline", False)), origin=origin,
    )


def parse_file(text: str, origin: str) -> list[Measure]:
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise RegistryError(f"{origin}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("measures"), list):
        raise RegistryError(f"{origin}: expected a mapping with a 'measures' list")
    group = raw.get("group", "Other")
    return [_measure(m, group, raw.get("source"), origin) for m in raw["measures"]]


@cache
def shipped() -> tuple[Measure, ...]:
    folder = resources.files(__package__).joinpath("definitions")
    out: list[Measure] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            out.extend(parse_file(entry.read_text(encoding="utf-8"), f"definitions/{entry.name}"))
    return tuple(out)


def load_registry(extra: Path | str | None = None) -> dict[str, Measure]:
    """Shipped measures, then the council's own folder (same id replaces), in definition order."""
    measures: dict[str, Measure] = {}
    for m in shipped():
        if m.id in measures:
            raise RegistryError(f"{m.origin}: measure id {m.id} is defined twice")
        measures[m.id] = m
    folder = extra or os.environ.get(MEASURES_DIR_ENV)
    if folder:
        folder = Path(folder)
        if not folder.is_dir():
            raise RegistryError(f"measure definitions folder {folder} does not exist")
        seen: set[str] = set()
        for path in sorted(folder.glob("*.yaml")):
            for m in parse_file(path.read_text(encoding="utf-8"), str(path)):
                if m.id in seen:
                    raise RegistryError(f"{path}: measure id {m.id} is defined twice in {folder}")
                seen.add(m.id)
                measures[m.id] = m
    return measures

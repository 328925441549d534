"""Equity breakdowns: any registry measure, by ethnicity, age, sex, support reason or area.

Breakdowns are data, not code. ``equity_dimensions.yaml`` defines each dimension as a SQL
expression over the person's record in the ``people`` extract (``pe``) and the ``areas`` lookup of
their home LSOA (``ar``). A measure can be broken down when its SQL returns a ``person_id`` column
(the pseudonymised person reference every operational extract carries): the measure's rows for the
date are joined to ``people`` on it, grouped by every dimension asked for in one query (``GROUPING
SETS``), and the statistics come from :mod:`asc_assure.domain.equity_stats`.

What each measure's figure becomes, by aggregate:

* ``pct`` - a proportion per group, Wilson interval; ratio to the council proportion.
* ``count`` / ``count_if`` - a rate per 1,000 population, exact Poisson interval; ratio to the council
  rate. The population is the adults living in the group's areas (``areas.population_18_plus``) for
  area dimensions, and the people known to adult social care (the ``people`` extract, alive on the
  date) for personal characteristics, as the contract holds no census population by ethnicity.
* ``mean`` - a mean per group, t interval; ratio to the council mean.

Medians, maxima and ratios of sums have no interval here and are refused with a message saying so.
A group is flagged only when its ratio's 95% interval excludes 1, and only with enough events to
test (see ``equity_stats``). Public outputs apply the council's one suppression rule.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import yaml

from asc_assure.assurance.workspace import WorkspaceError
from asc_assure.data.contracts import get_contract
from asc_assure.data.store import Store, StoreError
from asc_assure.domain import equity_stats as st
from asc_assure.domain.suppression import SUPPRESSED, is_small, public_count
from asc_assure.measures.engine import install_calendar, kinds_read, open_db
from asc_assure.measures.periods import PERIODS, window
from asc_assure.measures.registry import Measure, load_registry

PERSON_KEY = "person_id"
NO_RECORD = "No demographic record"
ROLLING = "12m"
EQUITY_PERIODS = (ROLLING, *PERIODS)
PERIOD_WORDS = {ROLLING: "12 months", "week": "week", "month": "month to date", "quarter": "quarter to date",
                "year": "financial year to date"}
SUPPORTED = {"count": "rate", "count_if": "rate", "pct": "proportion", "mean": "mean"}
#: Measures the weekly pack and monthly report break down by every dimension.
SUMMARY_MEASURES = ("waiting_list.count", "waiting_list.mean_wait_days",
                    "safeguarding.concerns_received", "safeguarding.triage_within_2wd_pct",
                    "dols.standard_within_21d_pct", "reviews.reviewed_in_12_months_pct")


class EquityError(WorkspaceError):
    """An equity breakdown cannot be made as asked; the message says why in the council's words."""


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    description: str
    population: str  # "areas" or "people"
    sql: str
    order: tuple[str, ...]

    def sort_key(self, key: str) -> tuple[int, str]:
        if key == NO_RECORD:
            return (len(self.order) + 2, key)
        return (self.order.index(key), key) if key in self.order else (len(self.order) + 1, key)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@cache
def _config() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("equity_dimensions.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def ethnicity_mapping() -> dict[str, str]:
    """CLD ethnicity label -> ONS 2021 high-level group (the data in ``equity_dimensions.yaml``)."""
    groups = _config()["ethnicity_groups"]["groups"]
    return {label: group for group, labels in groups.items() for label in labels}


def ethnicity_source() -> str:
    return " ".join(str(_config()["ethnicity_groups"]["source"]).split())


def _ethnicity_case() -> str:
    not_known = _config()["ethnicity_groups"]["not_known"]
    whens = " ".join(f"WHEN {_quote(label)} THEN {_quote(group)}" for label, group in ethnicity_mapping().items())
    return f"CASE pe.ethnicity {whens} ELSE {_quote(not_known)} END"


@cache
def dimensions() -> dict[str, Dimension]:
    """The equity dimensions, in the order they are offered."""
    out = {}
    for did, spec in _config()["dimensions"].items():
        sql = str(spec["sql"]).strip().replace("{ethnicity_case}", _ethnicity_case())
        out[did] = Dimension(did, spec["label"], " ".join(str(spec["description"]).split()), spec["population"],
                             sql, tuple(spec.get("order") or ()))
    return out


def dimension(did: str) -> Dimension:
    found = dimensions().get(did)
    if found is None:
        raise EquityError(f"--by {did!r} is not an equity dimension: choose one of {', '.join(dimensions())}")
    return found


def _period_start(as_of: dt.date, period: str) -> dt.date:
    if period == ROLLING:
        try:
            return as_of.replace(year=as_of.year - 1) + dt.timedelta(days=1)
        except ValueError:  # 29 February
            return dt.date(as_of.year - 1, 3, 1)
    if period not in PERIODS:
        raise EquityError(f"period {period!r} is not known: choose one of {', '.join(EQUITY_PERIODS)}")
    return window(as_of, period).start


def _columns(con: duckdb.DuckDBPyConnection, sql: str) -> set[str]:
    return {d[0] for d in con.execute(f"SELECT * FROM ({sql}) LIMIT 0").description}


def breakable(measure: Measure, columns: set[str]) -> str | None:
    """Why a measure cannot be broken down (None when it can)."""
    if measure.aggregate.kind not in SUPPORTED:
        return (f"measure {measure.id} is a {measure.aggregate.kind}, which has no confidence interval here; "
                "equity breakdowns cover counts, percentages and means")
    if PERSON_KEY not in columns:
        return (f"measure {measure.id} does not return a {PERSON_KEY} column, so its rows cannot be linked to "
                "people's characteristics (add the extract's person_id to its SQL; see docs/equity.md)")
    return None


def equity_measures(store_dir: Path | str, definitions: Path | None = None) -> list[Measure]:
    """The registry measures that can be broken down for equity (checked against the store's views)."""
    registry = load_registry(definitions)
    store = Store(store_dir)
    con = store.connect(only=kinds_read(list(registry.values())))
    try:
        _install_periods(con, dt.date(2000, 1, 3), dt.date(2000, 1, 3), calendar=True)
        out = []
        for m in registry.values():
            try:
                cols = _columns(con, m.sql)
            except duckdb.Error:
                continue
            if breakable(m, cols) is None:
                out.append(m)
        return out
    finally:
        con.close()


def _install_periods(con: duckdb.DuckDBPyConnection, as_of: dt.date, start: dt.date, calendar: bool = False
                     ) -> None:
    """The one-row ``periods`` table the measure SQL joins (and the working-day calendar if asked)."""
    if calendar:
        install_calendar(con)
    con.register("_eq_periods", pa.Table.from_pydict({"as_of": [as_of], "period_start": [start]}))
    con.execute("CREATE OR REPLACE TABLE periods AS SELECT * FROM _eq_periods")
    con.unregister("_eq_periods")


def _stat_sql(measure: Measure) -> str:
    agg = measure.aggregate
    if agg.kind == "count":
        return "count(*)::DOUBLE AS a, NULL::DOUBLE AS n, NULL::DOUBLE AS s2"
    if agg.kind == "count_if":
        return f"count_if({agg.column})::DOUBLE AS a, NULL::DOUBLE AS n, NULL::DOUBLE AS s2"
    if agg.kind == "pct":
        return f"count_if({agg.column})::DOUBLE AS a, count(*)::DOUBLE AS n, NULL::DOUBLE AS s2"
    c = agg.column
    return f"sum({c})::DOUBLE AS a, count({c})::DOUBLE AS n, sum({c}::DOUBLE * {c}::DOUBLE) AS s2"


@dataclass
class _Cell:
    a: float  # events, successes, or sum of values
    n: float | None  # cases or values (None for counts)
    s2: float | None  # sum of squares (means)


def _grouped(con: duckdb.DuckDBPyConnection, measure: Measure, dims: list[Dimension], as_of: dt.date
             ) -> tuple[_Cell, dict[str, dict[str, _Cell]]]:
    cols = ", ".join(f"CASE WHEN pe.person_id IS NULL THEN {_quote(NO_RECORD)} ELSE ({d.sql}) END AS _d_{d.id}"
                     for d in dims)
    sets = ", ".join(f"(_d_{d.id})" for d in dims)
    grouping = ", ".join(f"GROUPING(_d_{d.id})" for d in dims)
    sql = (f"WITH base AS (\n{measure.sql}\n), _eq_rows AS (SELECT b.*, {cols} FROM base b "
           f"LEFT JOIN people pe ON pe.person_id = b.{PERSON_KEY} LEFT JOIN areas ar ON ar.lsoa_code = pe.lsoa_code "
           f"WHERE b.as_of = ?) "
           f"SELECT {', '.join(f'_d_{d.id}' for d in dims)}, [{grouping}] AS _g, {_stat_sql(measure)} "
           f"FROM _eq_rows GROUP BY GROUPING SETS ({sets}, ())")
    try:
        rows = con.execute(sql, [as_of]).fetchall()
    except duckdb.Error as exc:
        raise EquityError(f"measure {measure.id} ({measure.origin}) could not be broken down: {exc}") from None
    total = _Cell(0.0, 0.0, 0.0)
    groups: dict[str, dict[str, _Cell]] = {d.id: {} for d in dims}
    for row in rows:
        keys, flags, (a, n, s2) = row[:len(dims)], row[len(dims)], row[len(dims) + 1:]
        cell = _Cell(a or 0.0, n, s2)
        open_ = [i for i, g in enumerate(flags) if g == 0]
        if not open_:
            total = cell
        else:
            groups[dims[open_[0]].id][str(keys[open_[0]])] = cell
    return total, groups


def _populations(con: duckdb.DuckDBPyConnection, dims: list[Dimension], as_of: dt.date
                 ) -> dict[str, tuple[float, dict[str, float]]]:
    """Per dimension: (total population, population by group) for rates per 1,000."""
    out: dict[str, tuple[float, dict[str, float]]] = {}
    for basis in ("people", "areas"):
        chosen = [d for d in dims if d.population == basis]
        if not chosen:
            continue
        cols = ", ".join(f"({d.sql}) AS _d_{d.id}" for d in chosen)
        if basis == "people":
            src = ("FROM people pe LEFT JOIN areas ar ON ar.lsoa_code = pe.lsoa_code, (SELECT ?::DATE AS as_of) _t "
                   "WHERE pe.date_of_death IS NULL OR pe.date_of_death > _t.as_of")
            weight = "1"
        else:
            src = ("FROM areas ar LEFT JOIN (SELECT * FROM people LIMIT 0) pe ON false, "
                   "(SELECT ?::DATE AS as_of) _t")
            weight = "coalesce(population_18_plus, 0)"
        sets = ", ".join(f"(_d_{d.id})" for d in chosen)
        grouping = ", ".join(f"GROUPING(_d_{d.id})" for d in chosen)
        sql = (f"WITH _eq_rows AS (SELECT {cols}, {weight} AS _w {src}) "
               f"SELECT {', '.join(f'_d_{d.id}' for d in chosen)}, [{grouping}], sum(_w)::DOUBLE "
               f"FROM _eq_rows GROUP BY GROUPING SETS ({sets}, ())")
        totals: dict[str, dict[str, float]] = {d.id: {} for d in chosen}
        grand = 0.0
        for row in con.execute(sql, [as_of]).fetchall():
            keys, flags, pop = row[:len(chosen)], row[len(chosen)], row[len(chosen) + 1] or 0.0
            open_ = [i for i, g in enumerate(flags) if g == 0]
            if not open_:
                grand = pop
            else:
                totals[chosen[open_[0]].id][str(keys[open_[0]])] = pop
        for d in chosen:
            out[d.id] = (grand, totals[d.id])
    return out


def _mean_parts(c: _Cell) -> tuple[float, float | None, float]:
    """(mean, sd, n) from a sum, sum of squares and count."""
    n = c.n or 0.0
    if n <= 0:
        return math.nan, None, 0.0
    m = c.a / n
    sd = math.sqrt(max(0.0, (c.s2 - n * m * m) / (n - 1))) if n > 1 and c.s2 is not None else None
    return m, sd, n


def _estimate(kind: str, c: _Cell, population: float | None) -> tuple[st.Estimate | None, float]:
    """The group's estimate (in display units) and its weight denominator."""
    if kind == "proportion":
        e = st.proportion(c.a, c.n or 0.0)
        return (None if e is None else st.Estimate(100 * e.value, 100 * e.se, e.ci.scaled(100))), c.n or 0.0
    if kind == "rate":
        return (None if not population else st.rate(c.a, population)), population or 0.0
    m, sd, n = _mean_parts(c)
    return st.mean(m, sd, n), n


def _rest(kind: str, total: _Cell, c: _Cell, total_pop: float, pop: float | None) -> st.Estimate | None:
    if kind == "rate":
        rest_pop = total_pop - (pop or 0.0)
        return st.rate(max(0.0, total.a - c.a), rest_pop) if rest_pop > 0 else None
    rest = _Cell(total.a - c.a, (total.n or 0.0) - (c.n or 0.0),
                 None if total.s2 is None or c.s2 is None else total.s2 - c.s2)
    if (rest.n or 0.0) <= 0:
        return None
    return _estimate(kind, rest, None)[0]


def _testable(kind: str, c: _Cell) -> bool:
    if kind == "proportion":
        return st.testable(c.a, c.n)
    if kind == "rate":
        return st.testable(c.a)
    return st.testable_mean(c.n or 0.0)


def _group_row(kind: str, key: str, c: _Cell, total: _Cell, whole_weight: float, total_pop: float,
               pop: float | None) -> dict[str, Any]:
    est, weight = _estimate(kind, c, pop)
    ratio = None
    if est is not None and _testable(kind, c) and whole_weight > 0 and weight > 0:
        rest = _rest(kind, total, c, total_pop, pop)
        share = min(1.0, weight / whole_weight)
        ratio = st.ratio_to_whole(est.value, est.se, share, None if rest is None else rest.value,
                                  None if rest is None else rest.se)
    sig = st.NOT_TESTED if ratio is None else ratio.significance
    events = c.a if kind != "mean" else c.n
    return {
        "key": key, "events": events, "denominator": c.n if kind != "rate" else pop,
        "value": None if est is None else est.value,
        "ci_low": None if est is None else est.ci.low, "ci_high": None if est is None else est.ci.high,
        "ratio": None if ratio is None else ratio.ratio,
        "ratio_low": None if ratio is None or ratio.ci is None else ratio.ci.low,
        "ratio_high": None if ratio is None or ratio.ci is None else ratio.ci.high,
        "significance": sig, "significance_text": st.SIGNIFICANCE_WORDS[sig], "suppressed": False,
        "note": None if est is not None else ("No population for this group, so no rate" if kind == "rate"
                                              else "Nothing to measure in this group"),
    }


def _round(x: Any, places: int) -> Any:
    return round(x, places) if isinstance(x, float) and math.isfinite(x) else x


def _publish(row: dict[str, Any], kind: str) -> dict[str, Any]:
    """The one suppression rule: groups built on 1 to 4 people show no figures, counts go to 5s."""
    small = is_small(row["events"]) or (kind != "rate" and is_small(row["denominator"]))
    out = {**row, "events": public_count(row["events"]),
           "denominator": public_count(row["denominator"]) if kind != "rate" else row["denominator"]}
    if small:
        out.update({k: SUPPRESSED for k in ("value", "ci_low", "ci_high", "ratio", "ratio_low", "ratio_high")})
        out.update({"significance": st.NOT_TESTED, "significance_text": st.SIGNIFICANCE_WORDS[st.NOT_TESTED],
                    "suppressed": True})
    return out


def _tidy(row: dict[str, Any], non_negative: bool = False) -> dict[str, Any]:
    """Rounded for output; a t interval reaching below 0 for days (which cannot be negative) starts at 0."""
    out = dict(row)
    if non_negative and isinstance(out["ci_low"], float) and out["ci_low"] < 0:
        out["ci_low"] = 0.0
    for k in ("value", "ci_low", "ci_high"):
        out[k] = _round(out[k], 2)
    for k in ("ratio", "ratio_low", "ratio_high"):
        out[k] = _round(out[k], 3)
    for k in ("events", "denominator"):
        if isinstance(out[k], float) and out[k].is_integer():
            out[k] = int(out[k])
    return out


def _value_words(kind: str, measure: Measure, basis: str) -> dict[str, str]:
    if kind == "proportion":
        return {"value": "Per cent", "events": "Number", "denominator": "Out of", "unit": "percent"}
    if kind == "mean":
        return {"value": f"Mean ({measure.unit})", "events": "Number", "denominator": "Number",
                "unit": measure.unit}
    per = "adults (18+) living in the area" if basis == "areas" else "people known to adult social care"
    return {"value": f"Rate per 1,000 {per}", "events": "Number", "denominator": "Population", "unit": "rate"}


def breakdown(store_dir: Path | str, measure_id: str, by: str | list[str], as_of: dt.date,
              period: str = ROLLING, public: bool = False, definitions: Path | None = None
              ) -> dict[str, Any] | list[dict[str, Any]]:
    """One measure broken down by one dimension (a dict) or several (a list, computed in one query)."""
    several = isinstance(by, list)
    dims = [dimension(b) for b in (by if several else [by])]
    results = breakdowns(store_dir, measure_id, dims, as_of, period, public, definitions)
    return results if several else results[0]


def breakdowns(store_dir: Path | str, measure_id: str, dims: list[Dimension], as_of: dt.date,
               period: str = ROLLING, public: bool = False, definitions: Path | None = None) -> list[dict[str, Any]]:
    registry = load_registry(definitions)
    measure = registry.get(measure_id)
    if measure is None:
        raise EquityError(f"there is no measure {measure_id!r}: run `asc-assure measures list` for the ids")
    if measure.aggregate.kind not in SUPPORTED:
        raise EquityError(breakable(measure, {PERSON_KEY}) or "")
    start = _period_start(as_of, period)
    try:
        store = Store(store_dir)
    except StoreError as exc:
        raise EquityError(str(exc)) from None
    loaded = {m["kind"] for m in store.manifests()}
    for kind in (measure.source, "people", *(["areas"] if any(d.population == "areas" for d in dims) else [])):
        if kind not in loaded:
            raise EquityError(f"no {get_contract(kind).title.lower()} extract has been loaded, so {measure.id} "
                              f"cannot be broken down (see docs/equity.md)")
    kinds = tuple(dict.fromkeys((*kinds_read([measure]), "people", "areas")))
    con, versions = open_db(store, as_of, kinds)
    try:
        _install_periods(con, as_of, start)
        why = breakable(measure, _columns(con, measure.sql))
        if why:
            raise EquityError(why)
        kind = SUPPORTED[measure.aggregate.kind]
        total, groups = _grouped(con, measure, dims, as_of)
        pops = _populations(con, dims, as_of) if kind == "rate" else {}
    finally:
        con.close()
    return [_result(measure, d, kind, total, groups[d.id], pops.get(d.id), as_of, start, period, public, versions)
            for d in dims]


def _result(measure: Measure, d: Dimension, kind: str, total: _Cell, cells: dict[str, _Cell],
            pop: tuple[float, dict[str, float]] | None, as_of: dt.date, start: dt.date, period: str, public: bool,
            versions: dict[str, str]) -> dict[str, Any]:
    total_pop, by_group = pop or (0.0, {})
    keys = sorted(set(cells) | {k for k, v in by_group.items() if v > 0}, key=d.sort_key)
    whole_weight = total_pop if kind == "rate" else (total.n or 0.0)
    rows = []
    for key in keys:
        cell = cells.get(key, _Cell(0.0, 0.0 if kind != "rate" else None, 0.0))
        row = _group_row(kind, key, cell, total, whole_weight, total_pop, by_group.get(key))
        rows.append(_tidy(_publish(row, kind) if public else row, measure.unit == "days"))
    council_est, _ = _estimate(kind, total, total_pop)
    council = {"events": total.a if kind != "mean" else total.n,
               "denominator": total_pop if kind == "rate" else total.n,
               "value": None if council_est is None else council_est.value,
               "ci_low": None if council_est is None else council_est.ci.low,
               "ci_high": None if council_est is None else council_est.ci.high,
               "ratio": None, "ratio_low": None, "ratio_high": None, "key": "Council", "suppressed": False,
               "significance": None, "significance_text": "", "note": None}
    if public:
        council = _publish(council, kind)
    flagged = [r for r in rows if r["significance"] in (st.HIGHER, st.LOWER)]
    snapshot = measure.kind == "snapshot"
    return {
        "measure": measure.describe(), "dimension": {"id": d.id, "label": d.label, "description": d.description,
                                                      "population": d.population},
        "as_of": as_of.isoformat(), "period": period, "period_start": start.isoformat(),
        "period_text": (f"on {as_of.isoformat()}" if snapshot else
                        f"{PERIOD_WORDS[period]} from {start.isoformat()} to {as_of.isoformat()}"),
        "kind": kind, "columns": _value_words(kind, measure, d.population), "public": public,
        "council": _tidy(council, measure.unit == "days"), "groups": rows, "flagged": [r["key"] for r in flagged],
        "data_as_of": {k: versions.get(k) for k in (measure.source, "people", "areas")},
        "method": METHOD_TEXT[kind],
    }


METHOD_TEXT = {
    "proportion": "Percentages with Wilson score 95% confidence intervals; ratio to the council percentage "
                  "with a log-method 95% interval.",
    "rate": "Rates per 1,000 with exact (Garwood) Poisson 95% confidence intervals; ratio to the council rate "
            "with a log-method 95% interval.",
    "mean": "Means with Student's t 95% confidence intervals; ratio to the council mean with a log-method "
            "95% interval.",
}


def summary(store_dir: Path | str, as_of: dt.date, public: bool = False, measures: tuple[str, ...] = SUMMARY_MEASURES,
            period: str = ROLLING, definitions: Path | None = None) -> dict[str, Any]:
    """Every dimension for the pack's equity measures: the groups significantly different from the
    council average, and which measures could not be broken down (and why)."""
    dims = list(dimensions().values())
    items, skipped = [], []
    registry = load_registry(definitions)
    out = {"as_of": as_of.isoformat(), "period": period, "public": public, "flags": items, "skipped": skipped,
           "measures": [m for m in measures if m in registry], "dimensions": [d.label for d in dims], "note": None}
    loaded = {m["kind"] for m in Store(store_dir).manifests()}
    missing = [k for k in ("people", "areas") if k not in loaded]
    if missing:
        out["note"] = (f"No {' or '.join(get_contract(k).title.lower() for k in missing)} extract has been loaded, "
                       "so no measure could be broken down for equity (see docs/equity.md).")
        return out
    for mid in measures:
        if mid not in registry:
            continue
        try:
            results = breakdowns(store_dir, mid, dims, as_of, period, public, definitions)
        except EquityError as exc:
            skipped.append({"id": mid, "title": registry[mid].title, "reason": str(exc)})
            continue
        for r in results:
            for g in r["groups"]:
                if g["significance"] in (st.HIGHER, st.LOWER):
                    items.append({"measure_id": mid, "measure": registry[mid].title, "kind": r["kind"],
                                  "unit": r["columns"]["unit"], "value_label": r["columns"]["value"],
                                  "dimension": r["dimension"]["label"],
                                  "dimension_id": r["dimension"]["id"], "period_text": r["period_text"],
                                  "council_value": r["council"]["value"], **g})
    return out

"""Run registry measures over the store with DuckDB, for one as-of date and its trend.

Every measure is computed for all the dates it needs (the as-of date, the trend points, the same
period last year) in one query: the dates go in a ``periods`` table that the measure's SQL joins, and
the engine groups the rows by date and by each breakdown with ``GROUPING SETS``. Targets come from the
``targets`` extract (falling back to the definition's default); RAG, exceptions, direction of travel
and suppression come from ``asc_assure.domain``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from asc_assure.data.contracts import all_contracts, get_contract
from asc_assure.data.store import Store
from asc_assure.domain import rag as ragrules
from asc_assure.domain.suppression import public_figures
from asc_assure.domain.working_days import all_bank_holidays as working_day_holidays
from asc_assure.domain.working_days import calendar_rows
from asc_assure.measures.periods import DEFAULT_TREND_POINTS, same_period_last_year, series, step_back, window
from asc_assure.measures.registry import Aggregate, Measure, load_registry

NOT_RECORDED = "(not recorded)"


class MeasureError(RuntimeError):
    """A measure's SQL failed; the message names the measure and its definition file."""


def _aggregate_sql(agg: Aggregate) -> tuple[str, str, str]:
    """(value, numerator, denominator) SQL expressions for an aggregate."""
    c = agg.column
    if agg.kind == "count":
        return "count(*)::DOUBLE", "count(*)", "NULL::BIGINT"
    if agg.kind == "count_if":
        return f"count_if({c})::DOUBLE", f"count_if({c})", "count(*)"
    if agg.kind == "pct":
        return f"100.0 * count_if({c}) / nullif(count(*), 0)", f"count_if({c})", "count(*)"
    if agg.kind == "ratio":
        return (f"{agg.scale!r} * sum({agg.numerator}) / nullif(sum({agg.denominator}), 0)",
                f"sum({agg.numerator})::DOUBLE", f"sum({agg.denominator})::DOUBLE")
    func = {"sum": "sum", "mean": "avg", "median": "median", "max": "max", "min": "min"}[agg.kind]
    return f"{func}({c})::DOUBLE", "NULL::BIGINT", f"count({c})"


def _dims(measures: list[Measure]) -> list[str]:
    """The breakdowns of a group of measures, in first-seen order."""
    return list(dict.fromkeys(d for m in measures for d in m.breakdowns))


def measure_sql(measures: Measure | list[Measure]) -> str:
    """One query for measures sharing the same SQL: grouped by date and by each breakdown, with a
    (value, numerator, denominator) triple per measure."""
    group = [measures] if isinstance(measures, Measure) else measures
    dims = _dims(group)
    sets = ["(as_of)"] + [f"(as_of, {d})" for d in dims]
    dim_cols = "".join(f", CAST({d} AS VARCHAR) AS {d}, GROUPING({d}) AS _g_{d}" for d in dims)
    aggs = ", ".join(f"{v} AS value_{i}, {n} AS numerator_{i}, {d} AS denominator_{i}"
                     for i, (v, n, d) in enumerate(_aggregate_sql(m.aggregate) for m in group))
    return (f"WITH base AS (\n{group[0].sql}\n)\n"
            f"SELECT as_of{dim_cols}, {aggs}\n"
            f"FROM base GROUP BY GROUPING SETS ({', '.join(sets)})")


@cache
def _calendar_table() -> pa.Table:
    return pa.Table.from_pydict(calendar_rows())


def install_calendar(con: duckdb.DuckDBPyConnection) -> None:
    """The England working-day rule as SQL: ``working_days(a, b)`` and the ``calendar`` table.

    ``wd_index(d)`` counts working days from a Monday origin up to and including ``d``: weekdays by
    arithmetic, less the weekday bank holidays on or before ``d`` (a short literal list). The macro is
    pure arithmetic, so it runs fast over millions of rows; a test checks it against the Python rule.
    """
    hols = [d for d in working_day_holidays() if d.weekday() < 5]
    hol_list = "[" + ", ".join(f"DATE '{d.isoformat()}'" for d in hols) + "]"
    origin = "DATE '2000-01-03'"
    con.execute(
        f"CREATE MACRO wd_index(d) AS ((datediff('day', {origin}, d) // 7) * 5 "
        f"+ least(datediff('day', {origin}, d) % 7 + 1, 5) - len(list_filter({hol_list}, lambda x: x <= d)))"
    )
    con.execute(f"CREATE MACRO is_working_day(d) AS (isodow(d) <= 5 AND NOT list_contains({hol_list}, d))")
    con.execute("CREATE MACRO next_wd_index(d) AS (wd_index(d) + CASE WHEN is_working_day(d) THEN 0 ELSE 1 END)")
    # NULL in, NULL out (greatest() would otherwise turn a missing date into 0 working days).
    con.execute("CREATE MACRO working_days(a, b) AS (CASE WHEN a IS NULL OR b IS NULL THEN NULL "
                "ELSE greatest(0, wd_index(b) - next_wd_index(a)) END)")
    # Was the deadline n working days after `start` on a day from `first` to `last`?
    con.execute("CREATE MACRO due_between(start, n, first, last) AS (working_days(start, last) >= n "
                "AND working_days(start, CAST(first - INTERVAL 1 DAY AS DATE)) < n)")
    con.register("_calendar_arrow", _calendar_table())
    con.execute("CREATE TABLE calendar AS SELECT * FROM _calendar_arrow")
    con.unregister("_calendar_arrow")


@dataclass
class Point:
    value: float | None
    numerator: float | None
    denominator: float | None


@dataclass
class Series:
    """A measure's figures by date, overall and per breakdown key."""

    overall: dict[dt.date, Point]
    breakdowns: dict[str, dict[dt.date, dict[str, Point]]]


def compute_group(con: duckdb.DuckDBPyConnection, measures: list[Measure]) -> dict[str, Series]:
    """Series for measures that share the same SQL, from one scan of their rows."""
    try:
        rows = con.execute(measure_sql(measures)).fetchall()
    except duckdb.Error as exc:
        m = measures[0]
        raise MeasureError(f"measure {m.id} ({m.origin}) failed: {exc}") from None
    dims = _dims(measures)
    out = {m.id: Series({}, {d: {} for d in m.breakdowns}) for m in measures}
    width = 1 + 2 * len(dims)
    for row in rows:
        as_of = row[0]
        open_dims = [d for i, d in enumerate(dims) if row[2 + 2 * i] == 0]
        for j, m in enumerate(measures):
            values = row[width + 3 * j: width + 3 * j + 3]
            point = Point(*[None if v is None else float(v) for v in values])
            if not open_dims:
                out[m.id].overall[as_of] = point
            elif open_dims[0] in m.breakdowns:
                d = open_dims[0]
                key = row[1 + 2 * dims.index(d)]
                out[m.id].breakdowns[d].setdefault(as_of, {})[NOT_RECORDED if key is None else key] = point
    return out


def compute_series(con: duckdb.DuckDBPyConnection, measure: Measure) -> Series:
    return compute_group(con, [measure])[measure.id]


@dataclass(frozen=True)
class Target:
    target: float | None
    tolerance: float | None


class Targets:
    """Targets from the ``targets`` extract (by measure, team and effective date), else the default."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.rows: dict[tuple[str, str | None], list[tuple[dt.date, float, float | None]]] = {}
        for mid, team, start, target, tol in con.execute(
                "SELECT measure_id, team, effective_from, target, amber_tolerance FROM targets "
                "ORDER BY effective_from").fetchall():
            self.rows.setdefault((mid, team), []).append((start, target, tol))

    def for_(self, measure: Measure, as_of: dt.date, team: str | None = None) -> Target:
        for key in ([(measure.id, team)] if team else []) + [(measure.id, None)]:
            current = [r for r in self.rows.get(key, []) if r[0] <= as_of]
            if current:
                _, target, tol = current[-1]
                return Target(target, tol if tol is not None else measure.amber_tolerance)
        return Target(measure.target, measure.amber_tolerance)


def _rag(measure: Measure, value: float | None, t: Target) -> str | None:
    if measure.polarity == "neutral":
        return None
    return ragrules.rag(value, t.target, measure.polarity, t.tolerance)


def _round(value: float | None, unit: str) -> float | None:
    if value is None:
        return None
    return round(value) if unit == "count" else round(value, 1)


def _empty_point(measure: Measure) -> Point:
    """What a date with no rows means: zero for counts, no figure for everything else."""
    if measure.aggregate.kind in {"count", "count_if"}:
        return Point(0.0, 0.0, 0.0 if measure.aggregate.kind == "count_if" else None)
    return Point(None, None, 0.0)


def _reason(measure: Measure, point: Point, loaded: bool) -> str | None:
    if point.value is not None:
        return None
    if not loaded:
        return f"No {get_contract(measure.source).title.lower()} extract has been loaded"
    if measure.kind == "snapshot":
        return "Nothing to measure on this date (the population is empty)"
    return "Nothing to measure in this period (the denominator is zero)"


def _point_dict(measure: Measure, p: Point, rag: str | None, public: bool) -> dict[str, Any]:
    value, num, den = _round(p.value, measure.unit), p.numerator, p.denominator
    suppressed = False
    if public:
        value, num, den, suppressed = public_figures(value, num, den, measure.unit == "count")
    return {"value": value, "numerator": _as_int(num), "denominator": _as_int(den), "rag": rag,
            "suppressed": suppressed}


def _as_int(x: Any) -> Any:
    return int(x) if isinstance(x, float) and x.is_integer() else x


@dataclass
class RunContext:
    as_of: dt.date
    period: str
    trend: list[dt.date]  # oldest first, ending with as_of
    dates: list[dt.date]  # every date computed: the trend, the previous period, last year
    previous: dt.date
    last_year: dt.date
    data_as_of: dict[str, str] | None
    public: bool


def _result(measure: Measure, s: Series | None, targets: Targets, ctx: RunContext) -> dict[str, Any]:
    loaded = s is not None
    points = {d: (s.overall.get(d) if s else None) or _empty_point(measure) for d in ctx.dates}
    if not loaded:
        points = {d: Point(None, None, None) for d in ctx.dates}
    history = []
    trend = []
    for d in ctx.trend:
        t = targets.for_(measure, d)
        r = _rag(measure, _round(points[d].value, measure.unit), t)
        history.append(r)
        item = _point_dict(measure, points[d], r, ctx.public)
        trend.append({"as_of": d.isoformat(), "value": item["value"], "target": t.target, "rag": r})
    now = points[ctx.as_of]
    t = targets.for_(measure, ctx.as_of)
    value = _round(now.value, measure.unit)
    current = _point_dict(measure, now, _rag(measure, value, t), ctx.public)
    prev = _round(points[ctx.previous].value, measure.unit)
    last = _round(points[ctx.last_year].value, measure.unit)
    exc = ragrules.exception(history)
    polarity = measure.polarity
    breakdowns: dict[str, list[dict[str, Any]]] = {}
    for dim in measure.breakdowns:
        items = []
        for key, p in sorted(((s.breakdowns[dim].get(ctx.as_of) or {}) if s else {}).items()):
            bt = targets.for_(measure, ctx.as_of, team=key if dim == "team" else None)
            item = _point_dict(measure, p, _rag(measure, _round(p.value, measure.unit), bt), ctx.public)
            items.append({"key": key, **item})
        breakdowns[dim] = items
    out = {
        **measure.describe(),
        "as_of": ctx.as_of.isoformat(),
        "period": ctx.period,
        "period_start": window(ctx.as_of, ctx.period).start.isoformat(),
        "period_end": ctx.as_of.isoformat(),
        "data_as_of": (ctx.data_as_of or {}).get(measure.source),
        "value": current["value"],
        "numerator": current["numerator"],
        "denominator": current["denominator"],
        "reason": _reason(measure, now, loaded),
        "target": t.target,
        "amber_tolerance": t.tolerance,
        "rag": current["rag"],
        "previous": None if ctx.public and current["suppressed"] else prev,
        "change_pct": _round(ragrules.change_pct(value, prev), "percent"),
        "direction": ragrules.direction(value, prev, polarity),
        "last_year": None if ctx.public and current["suppressed"] else last,
        "change_vs_last_year_pct": _round(ragrules.change_pct(value, last), "percent"),
        "exception": exc.is_exception,
        "exception_reason": exc.reason,
        "suppressed": current["suppressed"],
        "breakdowns": breakdowns,
        "trend": trend,
    }
    if ctx.public and current["suppressed"]:
        out["change_pct"] = out["change_vs_last_year_pct"] = None
    return out


def kinds_read(measures: list[Measure]) -> tuple[str, ...]:
    """The extracts the measures' SQL names (plus targets), so only those are opened."""
    sql = "\n".join(m.sql for m in measures)
    return tuple(k for k in all_contracts() if k == "targets" or re.search(rf"\b{k}\b", sql))


def open_db(store: Store, as_of: dt.date, kinds: tuple[str, ...] | None = None
            ) -> tuple[duckdb.DuckDBPyConnection, dict[str, str]]:
    """Views of each extract as it stood on ``as_of`` (or its first version, if it started later),
    the working-day calendar, and which extract versions were used. The extracts the measures read
    are materialised once when several loads are in force, so supersession is resolved once."""
    kinds = kinds or tuple(all_contracts())
    con = store.connect(as_of, first_if_later=True, materialise=kinds, only=kinds)
    con.execute("SET enable_progress_bar = false")  # a progress bar on stderr is noise in reports
    install_calendar(con)
    return con, store.versions(as_of, first_if_later=True)


def run_many(
    store_dir: Path | str,
    as_ofs: list[dt.date],
    period: str = "week",
    ids: list[str] | None = None,
    definitions: Path | None = None,
    trend_points: int | None = None,
    public: bool = False,
) -> dict[dt.date, list[dict[str, Any]]]:
    """Results for several as-of dates, each measure computed in one query over all the dates needed.

    The extracts used are those in force on the latest of the dates (see ``data_version``).
    """
    store = Store(store_dir)
    registry = load_registry(definitions)
    unknown = [i for i in ids or [] if i not in registry]
    if unknown:
        raise MeasureError(f"unknown measure id(s): {', '.join(unknown)}")
    chosen = [registry[i] for i in ids] if ids else list(registry.values())
    points = trend_points or DEFAULT_TREND_POINTS[period]
    contexts = []
    for as_of in sorted(set(as_ofs)):
        trend = series(as_of, period, points)
        previous, last_year = step_back(as_of, period), same_period_last_year(as_of, period)
        contexts.append(RunContext(as_of=as_of, period=period, trend=trend,
                                   dates=sorted({*trend, previous, last_year}), previous=previous,
                                   last_year=last_year, data_as_of=None, public=public))
    all_dates = sorted({d for c in contexts for d in c.dates})
    con, data_as_of = open_db(store, max(as_ofs), kinds_read(chosen))
    con.register("_periods_arrow", pa.Table.from_pydict({
        "as_of": all_dates, "period_start": [window(d, period).start for d in all_dates]}))
    con.execute("CREATE TABLE periods AS SELECT * FROM _periods_arrow")
    loaded = {m["kind"] for m in store.manifests()}
    targets = Targets(con)
    out: dict[dt.date, list[dict[str, Any]]] = {c.as_of: [] for c in contexts}
    groups: dict[str, list[Measure]] = {}
    for measure in chosen:
        if measure.source in loaded:
            groups.setdefault(measure.sql, []).append(measure)
    try:
        computed: dict[str, Series] = {}
        for group in groups.values():
            computed.update(compute_group(con, group))
        for measure in chosen:
            for ctx in contexts:
                ctx.data_as_of = data_as_of
                out[ctx.as_of].append(_result(measure, computed.get(measure.id), targets, ctx))
    finally:
        con.close()
    return out


def run_measures(store_dir: Path | str, as_of: dt.date, period: str = "week", ids: list[str] | None = None,
                 definitions: Path | None = None, trend_points: int | None = None,
                 public: bool = False) -> list[dict[str, Any]]:
    """Every (or the named) measure for ``as_of``, with targets, RAG, change, breakdowns and trend."""
    return run_many(store_dir, [as_of], period, ids, definitions, trend_points, public)[as_of]


def rebuild_snapshots(store_dir: Path | str, first: dt.date, last: dt.date, period: str = "week",
                      definitions: Path | None = None) -> list[Path]:
    """Recompute and keep the results for every period end from ``first`` to ``last``."""
    dates = [d for d in series(last, period, 10_000) if d >= first] if first <= last else []
    results = run_many(store_dir, dates, period, definitions=definitions)
    return [save_snapshot(store_dir, results[d], period, d) for d in dates]


def save_snapshot(store_dir: Path | str, results: list[dict[str, Any]], period: str, as_of: dt.date) -> Path:
    """Keep a run's (internal, unsuppressed) results: ``store/results/<period>/<as_of>.json``."""
    folder = Path(store_dir) / "results" / period
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{as_of.isoformat()}.json"
    tmp = path.with_suffix(".json.tmp")
    payload = {"as_of": as_of.isoformat(), "period": period,
               "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
               "measures": [{k: v for k, v in r.items() if k != "trend"} for r in results]}
    tmp.write_text(json.dumps(payload, indent=1, default=str))
    os.replace(tmp, path)
    return path

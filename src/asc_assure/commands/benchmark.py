"""``asc-assure benchmark``: one council's measure against its peers, its region and England."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from asc_assure.commands.common import JsonOpt, emit, fail, parse_date


def register(app: typer.Typer, cqc_app: typer.Typer) -> None:
    """Attach the top-level ``asc-assure benchmark`` command."""
    app.command("benchmark")(benchmark_command)


def _f(value: Any, unit: str = "", signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+,.1f}{unit}" if signed else f"{value:,.1f}{unit}"


def _count(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _text(bm: Any, chart: Path | None) -> str:
    from asc_assure.measures.benchmark_chart import summary, table_rows

    u = bm.unit
    short = "%" if bm.kind == "proportion" else "per 100,000"
    diff = "percentage points" if bm.kind == "proportion" else "per 100,000"
    me = bm.council
    polarity = {"higher": "higher is better", "lower": "lower is better",
                "neutral": "no better direction: rank 1 = highest"}[bm.polarity]
    lines = [f"{bm.measure}{f' ({bm.group})' if bm.group else ''}: {me.name} ({me.la_code})"
             f"{f', {me.region}' if me.region else ''}",
             f"value {_f(bm.value, u)} ({_count(bm.numerator)} / {_count(bm.denominator)})",
             f"rank {bm.rank if bm.rank is not None else '-'} of {bm.ranked} ({polarity}), "
             f"quartile {bm.quartile if bm.quartile is not None else '-'} (1 = best quarter)",
             f"England value {_f(bm.england_value, u)} (all councils' numerators over denominators), "
             f"median {_f(bm.england_median, u)}", ""]
    lines.append(f"{'comparator':40}{'councils':>9}  {'mean (' + short + ')':>20}  difference ({diff})")
    for c in bm.comparisons:
        lines.append(f"{c.label:40}{c.councils:>9}  {_f(c.mean):>20}  {_f(c.difference, signed=True)}")
    lines += ["", summary(bm), "",
              f"{'LA':5}{'council':40}{'value (' + short + ')':>20}{'denominator':>13}"
              f"{'95% limits':>22}{'99.8% limits':>22}  band"]
    for r in table_rows(bm):
        if r["band"] == "within 95% limits" and r["la_code"] != me.la_code and not r["peer"]:
            continue
        mark = "*" if r["la_code"] == me.la_code else ("p" if r["peer"] else " ")
        lines.append(f"{r['la_code']:4}{mark}{r['name'][:39]:40}{_f(r['outcome']):>20}{r['denominator']:>13,.0f}"
                     f"{_f(r['lower_95']) + '-' + _f(r['upper_95']):>22}"
                     f"{_f(r['lower_998']) + '-' + _f(r['upper_998']):>22}  {r['band']}")
    lines.append("(* this council, p peer; councils within the 95% limits are listed only in --json "
                 "and the chart's CSV)")
    lines += [f"note: {n}" for n in bm.notes]
    if chart is not None:
        lines.append(f"wrote {chart} and {chart.with_suffix('.csv')}")
    return "\n".join(lines)


def _results_from_store(store: Path, year: str | None, period_end: str | None) -> list[dict[str, Any]]:
    """Every council's ASCOF figures, computed from the store with the DuckDB engine."""
    from asc_assure.measures.ascof.periods import resolve
    from asc_assure.measures.ascof.spark import national_results_duckdb

    period = resolve(year, parse_date(period_end, "--period-end"))
    return national_results_duckdb(store, period)


def benchmark_command(
    council: Annotated[str, typer.Option("--council", help="Three-digit LA code of the council to benchmark.")],
    measure: Annotated[str, typer.Option("--measure", help="Measure id as in the results (e.g. 2A, 2C, 3D1a).")],
    results: Annotated[Path | None, typer.Option(
        "--results", help="Every council's results (Parquet or CSV with la_code, measure, grp, numerator, "
                          "denominator, outcome), e.g. a national ASCOF run.")] = None,
    store: Annotated[Path | None, typer.Option(
        "--store", help="Compute the results from this store (all councils in it) instead of --results.")] = None,
    year: Annotated[str | None, typer.Option("--year", help="With --store: financial year, e.g. 2024-25.")] = None,
    period_end: Annotated[str | None, typer.Option(
        "--period-end", help="With --store: end of a rolling 12 months (a quarter end) instead of --year.")] = None,
    group: Annotated[str, typer.Option("--group", help="Breakdown group to compare (e.g. Total, 65 and above).")
                     ] = "Total",
    peers: Annotated[Path | None, typer.Option(
        "--peers", help="File of peer LA codes (one per line, or CSV with an la_code column), e.g. nearest "
                        "statistical neighbours.")] = None,
    peer: Annotated[list[str] | None, typer.Option("--peer", help="A peer LA code (repeat for several).")] = None,
    councils: Annotated[Path | None, typer.Option(
        "--councils", help="CSV of la_code, name, region. Default: the synthetic councils of --seed.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Synthetic data seed whose council names and regions to use "
                                                     "when --councils is not given.")] = 1,
    polarity: Annotated[str | None, typer.Option(
        "--polarity", help="higher, lower or neutral (default: the ASCOF measure's own polarity).")] = None,
    kind: Annotated[str | None, typer.Option(
        "--kind", help="proportion or rate (per 100,000); default: worked out from the figures.")] = None,
    chart: Annotated[Path | None, typer.Option(
        "--chart", help="Write the funnel plot here as SVG, and its figures beside it as CSV.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Compare a council's measure with its peer group, its region and England.

    Prints the council's value, rank (1 = best given the measure's polarity; ties share a rank) and
    quartile, the England value, mean and median, the region and peer-group means and the difference
    from each, and the funnel-plot limits (95% and 99.8% around the England value: binomial for
    percentages, Poisson for rates per 100,000) with the councils outside them.
    """
    from asc_assure.assurance.workspace import WorkspaceError
    from asc_assure.measures import benchmark as bmk

    if (results is None) == (store is None):
        fail("give either --results FILE or --store DIR")
    try:
        if results is not None:
            rows = bmk.read_results(results)
        else:
            if not Path(store).is_dir():
                fail(f"store folder {store} does not exist")
            rows = _results_from_store(Path(store), year, period_end)
        rows = bmk.select_measure(rows, measure, group)
        table = bmk.read_councils(councils) if councils else bmk.synthetic_councils(seed)
        peer_codes = (bmk.read_peers(peers) if peers else []) + list(peer or [])
        result = bmk.benchmark(rows, council, measure=measure, group=group, polarity=polarity or
                               bmk.measure_polarity(measure), kind=kind, councils=table, peers=peer_codes)
    except WorkspaceError as exc:  # BenchmarkError, or the ASCOF period's own error
        fail(str(exc))
    if chart is not None:
        from asc_assure.measures.benchmark_chart import funnel_svg, table_csv

        chart.write_text(funnel_svg(result, standalone=True), encoding="utf-8")
        chart.with_suffix(".csv").write_text(table_csv(result), encoding="utf-8")
    data = result.to_dict()
    if chart is not None:
        data["chart"] = str(chart)
    emit(data, as_json, _text(result, chart))

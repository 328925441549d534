"""``asc-assure equity``: a measure broken down by ethnicity, age, sex, support reason or area, with 95%
confidence intervals, ratios to the council average and significance flags. A thin wrapper over
``asc_assure.measures.equity``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from asc_assure.commands.common import JsonOpt, StoreOpt, emit, fail, parse_date, require_store


def _num(value: Any, places: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    return f"{value:,.{places}f}"


def _count(value: Any) -> str:
    if value is None:
        return "–"
    return value if isinstance(value, str) else f"{value:,.0f}"


def text_table(result: dict[str, Any]) -> str:
    """The breakdown as a plain-text table (what the CLI prints without --json)."""
    m, d, cols = result["measure"], result["dimension"], result["columns"]
    lines = [f"{m['title']} by {d['label'].lower()}, {result['period_text']}"
             + (" (public: small numbers suppressed)" if result["public"] else ""),
             f"{cols['value']}; 95% confidence interval; ratio to the council average.", ""]
    header = f"{d['label']:<44} {cols['events']:>9} {cols['denominator']:>10} {'Value':>9} {'95% CI':>19} " \
             f"{'Ratio (95% CI)':>22}  Compared with the council"
    lines.append(header)
    rows = [result["council"] | {"key": "Council average", "significance_text": ""}, *result["groups"]]
    for g in rows:
        ci = f"{_num(g['ci_low'])} to {_num(g['ci_high'])}" if g["ci_low"] is not None else "–"
        ratio = (f"{_num(g['ratio'], 2)} ({_num(g['ratio_low'], 2)} to {_num(g['ratio_high'], 2)})"
                 if g["ratio"] is not None else "–")
        lines.append(f"{g['key'][:44]:<44} {_count(g['events']):>9} {_count(g['denominator']):>10} "
                     f"{_num(g['value']):>9} {ci:>19} {ratio:>22}  {g['significance_text'] or g.get('note') or ''}")
    lines += ["", result["method"],
              "A group is flagged only when the 95% interval of its ratio excludes 1; with many groups some flags "
              "are expected by chance."]
    return "\n".join(lines)


def equity(
    store: StoreOpt,
    measure: Annotated[str, typer.Option("--measure", help="Measure id from the registry, e.g. waiting_list.count.")],
    by: Annotated[str, typer.Option(
        "--by", help="ethnicity, age, sex, psr (primary support reason), district, rurality or deprivation.")],
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Date to measure (YYYY-MM-DD; default: the newest extract's date).")] = None,
    period: Annotated[str, typer.Option(
        "--period", help="For flow measures: 12m (the 12 months to the date, default), week, month, quarter or "
                         "year (financial year to date). Snapshots are taken on the date.")] = "12m",
    public: Annotated[bool, typer.Option(
        "--public", help="As published: counts rounded to 5, groups of 1 to 4 people suppressed "
                         "(shown as \\[c]).")] = False,
    definitions: Annotated[Path | None, typer.Option(
        "--definitions", help="Folder of the council's own measure definitions (YAML).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """A measure broken down for equity: rates or percentages with 95% confidence intervals, the ratio to
    the council average, and a flag only where the difference is statistically significant."""
    from asc_assure.measures import equity as core
    from asc_assure.reports.monthly import latest_data_date

    require_store(store)
    date = parse_date(as_of, "--as-of") or latest_data_date(store)
    if date is None:
        fail(f"no extracts have been loaded into {store}, so there is nothing to break down")
    if period not in core.EQUITY_PERIODS:
        fail(f"--period {period!r} must be one of {', '.join(core.EQUITY_PERIODS)}")
    try:
        result = core.breakdown(store, measure, by, date, period=period, public=public, definitions=definitions)
    except core.EquityError as exc:
        fail(str(exc))
    emit(result, as_json, text_table(result))


def register(app: typer.Typer, cqc_app: typer.Typer) -> None:
    """Attach ``equity`` to the main command."""
    app.command("equity")(equity)

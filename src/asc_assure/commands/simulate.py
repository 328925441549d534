"""``asc-assure simulate``: project the assessment waiting list under a scenario, and back-test the model.

Thin wrappers over ``asc_assure.operations.simulation``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from asc_assure.commands.common import JsonOpt, emit, fail, parse_date, run

simulate_app = typer.Typer(help="Demand and capacity: simulate the assessment waiting list for a scenario "
                                "(staff FTE, demand growth, prioritisation rule, backlog push), or back-test "
                                "the model on the council's own history.")

StoreDirOpt = Annotated[Path | None, typer.Option("--store", help="Store folder.")]
WeeksOpt = Annotated[int, typer.Option("--weeks", min=1, max=156, help="Weeks to project (default 52).")]
RepsOpt = Annotated[int, typer.Option("--replications", min=1, max=500,
                                      help="Replications (more give steadier bands but take longer).")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same result.")]


def _scenario(value: str | None) -> Any:
    from asc_assure.operations.simulation import ScenarioError, examples, load_scenario, parse_yaml

    try:
        if value is None:
            return parse_yaml(examples()["baseline"])
        if not Path(value).exists() and value in examples():
            return parse_yaml(examples()[value])
        return load_scenario(value)
    except ScenarioError as exc:
        fail(str(exc))


def _num(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}"


def _text(r: dict[str, Any]) -> str:
    cal, t = r["calibration"], r["target"]
    lines = [f"Scenario: {r['scenario']['name']} — {r['replications']} replication(s), seed {r['seed']}, "
             f"from {r['as_of']} for {r['weeks_projected']} weeks"
             + (" (stopped early: time limit)" if r["cut_short"] else ""),
             f"Calibrated: {cal['weekly_arrivals']:,.1f} referrals a week (trend {cal['annual_trend_pct']:+.1f}% a "
             f"year), capacity {cal['weekly_capacity']:,.1f} assessment starts a week"
             + (f" from {cal['fte']:,.1f} assessing FTE" if cal["fte"] is not None else ""),
             f"  {'Week':>4}  {'Ending':<10}  {'Median':>7}  {'5th':>7}  {'95th':>7}"]
    for w in r["weeks"]:
        if w["week"] % 4 == 0 or w["week"] == r["weeks_projected"]:
            lines.append(f"  {w['week']:>4}  {w['week_ending']:<10}  {_num(w['median']):>7}  {_num(w['p5']):>7}  "
                         f"{_num(w['p95']):>7}")
    wt = r["waits"]
    lines.append(f"Waits of people assessed: median {_num(wt['median_days'])} days, 90th percentile "
                 f"{_num(wt['p90_days'])}, longest {_num(wt['max_days'])}")
    if t["value"] is not None:
        week = t["median_week"]
        when = ("below it at the start" if week == 0 else "median stays above it" if week is None
                else f"median first below it in week {week} ({t['median_week_ending']})")
        lines.append(f"Target {t['value']:,.0f} ({t['source']}): {when}")
    lines.append("People conserved every week: " + ("yes" if r["conservation"]["holds"] else "NO"))
    return "\n".join(lines)


@simulate_app.callback(invoke_without_command=True)
def simulate(
    ctx: typer.Context,
    store: StoreDirOpt = None,
    scenario: Annotated[str | None, typer.Option(
        "--scenario", help="Scenario YAML file, or the name of an example (baseline, more_staff, demand_up, "
                           "backlog_push). Default: baseline.")] = None,
    weeks: WeeksOpt = 52,
    replications: RepsOpt = 20,
    seed: SeedOpt = 1,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Calibrate on the data as known on this date (default: the newest referrals extract).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the chart to this SVG file.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Project the waiting list week by week (median and 5th-95th percentile band) for a scenario."""
    if ctx.invoked_subcommand is not None:
        return
    if store is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    from asc_assure.operations.simulation import run_simulation

    chosen = _scenario(scenario)
    result = run(run_simulation, store, chosen, weeks=weeks, replications=replications, seed=seed,
                 as_of=parse_date(as_of, "--as-of"))
    if out is not None:
        from asc_assure.operations.simulation.chart import standalone_svg

        out.write_text(standalone_svg(result), encoding="utf-8")
    emit(result, as_json, _text(result) + (f"\nwrote chart to {out}" if out else ""))


@simulate_app.command("backtest")
def backtest(
    store: Annotated[Path, typer.Option("--store", help="Store folder.")],
    split: Annotated[str | None, typer.Option(
        "--split", help="Calibrate on data up to this date (default: 52 weeks before the newest extract).")] = None,
    weeks: WeeksOpt = 52,
    replications: RepsOpt = 20,
    seed: SeedOpt = 1,
    as_json: JsonOpt = False,
) -> None:
    """Calibrate on year one, forecast year two and report the error against the actual weekly list."""
    from asc_assure.operations.simulation.backtest import backtest as run_backtest

    r = run(run_backtest, store, parse_date(split, "--split"), weeks, replications, seed)
    w, a = r["waiting_list"], r["arrivals"]
    text = "\n".join([
        f"Back-test: calibrated on data to {r['split']}, forecast {r['weeks']} weeks to {r['data_to']} "
        f"({r['replications']} replications, seed {r['seed']})",
        f"Waiting list: MAE {w['mae']:,.1f}, MAPE {w['mape_pct']}%, bias {w['bias']:+,.1f}, "
        f"{w['inside_band_pct']}% of weeks inside the 5th-95th percentile band",
        f"  start {w['start']:,}, actual at the end {w['actual_end']:,}, projected {w['projected_end']:,.0f}",
        f"Weekly referrals: MAE {a['mae']:,.1f}, MAPE {a['mape_pct']}%, bias {a['bias']:+,.1f}",
    ])
    emit(r, as_json, text)


def register(app: typer.Typer, cqc_app: typer.Typer) -> None:
    """Attach ``simulate`` (and ``simulate backtest``) to the top-level command."""
    app.add_typer(simulate_app, name="simulate")




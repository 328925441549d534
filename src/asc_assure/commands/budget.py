"""``asc-assure budget ...``: load a month's finance export, see the month's RAG, the trend and savings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from asc_assure.commands.common import ActorOpt, JsonOpt, StoreOpt, actor_or_default, emit, fail, open_workspace, run

budget_app = typer.Typer(help="Budget monitoring: import a month's lines, the month's variance RAG, trend, savings.",
                         no_args_is_help=True)
savings_app = typer.Typer(help="Savings schemes: list them, add one, record delivery for a month.",
                          no_args_is_help=True)
budget_app.add_typer(savings_app, name="savings")

MonthOpt = Annotated[str, typer.Option("--month", help="Reporting month, YYYY-MM (e.g. 2024-09).")]
RAG_TEXT = {"green": "Green", "amber": "Amber", "red": "Red", None: "Not rated"}


def _money(value: float | None) -> str:
    if value is None:
        return "-"
    return f"-£{-value:,.0f}" if value < 0 else f"£{value:,.0f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}%"


@budget_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="The finance export (CSV or .xlsx) with service area, budget and "
                                              "forecast outturn columns.")],
    store: StoreOpt,
    month: MonthOpt,
    units: Annotated[str | None, typer.Option(
        "--units", help="pounds, thousands (£000) or millions (£m); default: from the headings, else pounds.")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Excel sheet to read.")] = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Load a month's budget lines; loading the same month again replaces its lines (and says so).

    Rows with problems are listed (file, row, column, reason) and the other rows load. Exits 2 when
    nothing could be loaded.
    """
    from asc_assure.assurance import budget

    ws = open_workspace(store)
    result = run(budget.import_file, ws, file, month, actor=actor_or_default(actor), units=units, sheet=sheet)
    lines = [result.message]
    for e in result.errors[:budget.MAX_ERRORS_SHOWN]:
        where = f", column {e['column']}" if e["column"] else ""
        lines.append(f"  {e['file']} row {e['row']}{where}: {e['reason']}")
    emit(result.to_dict(), as_json, "\n".join(lines))
    if not result.rows_loaded:
        raise typer.Exit(2)


@budget_app.command("status")
def status(
    store: StoreOpt,
    month: Annotated[str | None, typer.Option("--month", help="YYYY-MM (default: the latest month loaded).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The month's lines, totals and variance RAG, savings and the year's trend."""
    from asc_assure.assurance import budget

    ws = open_workspace(store)
    month = month or budget.latest_month(ws)
    if month is None:
        fail("no budget lines have been loaded yet (use `asc-assure budget import`)")
    s = run(budget.month_summary, ws, month)
    if s["totals"] is None:
        fail(f"no budget lines for {s['month']} (months loaded: {', '.join(budget.months(ws)) or 'none'})")
    rows = [f"Budget monitoring {s['month']}", f"{'Service area':<45} {'Budget':>14} {'Forecast':>14} "
            f"{'Variance':>12} {'Var %':>7}  RAG"]
    for ln in [*s["lines"], {"service_area": "Total", **s["totals"]}]:
        rows.append(f"{ln['service_area'][:45]:<45} {_money(ln['budget']):>14} {_money(ln['forecast']):>14} "
                    f"{_money(ln['variance']):>12} {_pct(ln['variance_pct']):>7}  {RAG_TEXT[ln['rag']]}")
    if s["savings"]:
        rows.append("Savings: " + "; ".join(f"{sv['name']} {_money(sv['forecast'])} of {_money(sv['target'])} "
                                            f"({RAG_TEXT[sv['rag']]})" for sv in s["savings"]))
    emit(s, as_json, "\n".join(rows))


@budget_app.command("trend")
def trend(
    store: StoreOpt,
    year: Annotated[str | None, typer.Option("--year", help="Financial year, e.g. 2024/25 (default: all).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Total budget, forecast outturn and variance for each month loaded."""
    from asc_assure.assurance import budget

    ws = open_workspace(store)
    found = run(budget.trend, ws, year)
    text = "\n".join(f"{t['month']}  budget {_money(t['budget']):>14}  forecast {_money(t['forecast']):>14}  "
                     f"variance {_money(t['variance']):>12} ({_pct(t['variance_pct'])}, {RAG_TEXT[t['rag']]})"
                     for t in found)
    emit(found, as_json, text or "no budget lines loaded")


@savings_app.command("list")
def savings_list(
    store: StoreOpt,
    month: Annotated[str | None, typer.Option("--month", help="Position at the end of this month (YYYY-MM).")] = None,
    year: Annotated[str | None, typer.Option("--year", help="Only schemes of this financial year.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Savings schemes with target, delivered to date, forecast delivery and RAG."""
    from asc_assure.assurance import budget

    ws = open_workspace(store)
    found = run(budget.savings, ws, month, year)
    text = "\n".join(f"{s['id']:>3} {s['financial_year']} {s['name']}: target {_money(s['target'])}, delivered "
                     f"{_money(s['delivered'])}, forecast {_money(s['forecast'])} ({RAG_TEXT[s['rag']]})"
                     for s in found)
    emit(found, as_json, text or "no savings schemes")


@savings_app.command("add")
def savings_add(
    store: StoreOpt,
    name: Annotated[str, typer.Option("--name", help="Name of the savings scheme.")],
    year: Annotated[str, typer.Option("--year", help="Financial year, e.g. 2024/25.")],
    target: Annotated[str, typer.Option("--target", help="Savings target in pounds, e.g. 250000.")],
    area: Annotated[str, typer.Option("--area", help="Service area.")] = "",
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a savings scheme and its target for the year."""
    from asc_assure.assurance import budget

    ws = open_workspace(store)
    s = run(budget.add_scheme, ws, actor=actor_or_default(actor), name=name, financial_year=year, target=target,
            service_area=area)
    emit(s, as_json, f"added savings scheme {s['id']}: {s['name']} ({s['financial_year']}, target "
                     f"{_money(s['target'])})")


@savings_app.command("update")
def savings_update(
    scheme_id: Annotated[int, typer.Argument(help="Scheme number (see `budget savings list`).")],
    store: StoreOpt,
    month: MonthOpt,
    delivered: Annotated[str, typer.Option("--delivered", help="Delivered to date, in pounds.")],
    forecast: Annotated[str, typer.Option("--forecast", help="Forecast delivery by the year end, in pounds.")],
    note: Annotated[str, typer.Option("--note", help="Commentary.")] = "",
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a scheme's delivery position at the end of a month (again for the same month replaces it)."""
    from asc_assure.assurance import budget

    ws = open_workspace(store)
    s = run(budget.record_progress, ws, scheme_id, actor=actor_or_default(actor), month=month,
            delivered=delivered, forecast=forecast, note=note)
    emit(s, as_json, f"{s['name']}: delivered {_money(s['delivered'])}, forecast {_money(s['forecast'])} of "
                     f"{_money(s['target'])} ({RAG_TEXT[s['rag']]})")


def register(app: typer.Typer, cqc_app: typer.Typer) -> None:
    """Attach ``asc-assure budget``."""
    app.add_typer(budget_app, name="budget")

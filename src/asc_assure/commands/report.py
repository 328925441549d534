"""``asc-assure report``: the monthly Business Management and Monitoring Report and its KPI commentary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from asc_assure.commands.common import (
    ActorOpt,
    JsonOpt,
    StoreOpt,
    TodayOpt,
    actor_or_default,
    emit,
    fail,
    open_workspace,
    run,
    text_or_file,
    today_or_now,
)

MonthOpt = Annotated[str, typer.Option("--month", help="Reporting month as YYYY-MM, e.g. 2025-03.")]
report_app = typer.Typer(help="Council reports: the monthly Business Management and Monitoring Report.",
                         no_args_is_help=True)
commentary_app = typer.Typer(help="KPI commentary for the monthly report: write it, list it, see its versions.",
                             no_args_is_help=True)
report_app.add_typer(commentary_app, name="commentary")


def register(app: typer.Typer, cqc_app: typer.Typer) -> None:
    """Attach ``report monthly`` and ``report commentary ...`` to the main command."""
    app.add_typer(report_app, name="report")


@report_app.command("monthly")
def monthly(
    store: StoreOpt,
    month: MonthOpt,
    out: Annotated[Path, typer.Option("--out", help="FILE.pdf, FILE.docx or FILE.html: the suffix picks the format.")],
    today: TodayOpt = None,
    council: Annotated[str | None, typer.Option("--council", help="Council name for the cover.")] = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Fail (exit 2, no file written) if any exception has no commentary.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Write the monthly report: KPIs with commentary, exceptions, plan, risks and budget.

    An exception (Red, or Amber for two months or more) without commentary is shown as
    "Commentary required" and warned about here; --strict refuses to write the report instead.
    """
    from asc_assure.reports.monthly import FORMATS, build_report, write_report

    if out.suffix.lower() not in FORMATS:
        fail(f"--out must end in .pdf, .docx or .html, not {out.name!r}")
    open_workspace(store)
    data = run(build_report, store, month, today_or_now(today), council=council)
    titles = {k["id"]: k["title"] for k in data["kpis"]}
    missing = [titles[i] for i in data["missing_commentary"]]
    if missing:
        message = (f"{len(missing)} exception(s) for {data['month_label']} have no commentary: "
                   + "; ".join(missing))
        if strict:
            fail(message + " (write it with `asc-assure report commentary write` or in the web app)")
        typer.echo(f"warning: {message}", err=True)
    write_report(data, out)
    s = data["summary"]
    result = {"out": str(out), "month": data["month"], "as_of": data["as_of"], "kpis": s["total"],
              "green": s["green"], "amber": s["amber"], "red": s["red"], "exceptions": s["exceptions"],
              "missing_commentary": data["missing_commentary"],
              "sections_not_available": [name for name in ("plan", "risks", "budget") if not data[name]["available"]]}
    emit(result, as_json, f"wrote {out}")


@commentary_app.command("write")
def commentary_write(
    store: StoreOpt,
    month: MonthOpt,
    measure: Annotated[str, typer.Option("--measure", help="Measure id from the registry, e.g. reviews.overdue_pct.")],
    text: Annotated[str | None, typer.Option("--text", help="The commentary (or use --file).")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Read the commentary from this text file.")] = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Save commentary for a measure in a month (a new version; earlier wording is kept)."""
    from asc_assure.assurance.commentary import write_commentary

    body = text_or_file(text, file, "give the commentary with exactly one of --text or --file")
    ws = open_workspace(store)
    row = run(write_commentary, ws, actor_or_default(actor), measure, month, body)
    emit(row, as_json, f"saved commentary for {row['measure_id']} in {row['month']} (version {row['version']})")


@commentary_app.command("list")
def commentary_list(store: StoreOpt, month: MonthOpt, as_json: JsonOpt = False) -> None:
    """The current commentary of each measure for a month."""
    from asc_assure.assurance.commentary import latest_commentary

    ws = open_workspace(store)
    notes = run(latest_commentary, ws, month)
    items = sorted(notes.values(), key=lambda r: r["measure_id"])
    text = "\n\n".join(f"{r['measure_id']} (version {r['version']}, {r['author']}, {r['written_at']}):\n  {r['text']}"
                       for r in items) or f"no commentary for {month}"
    emit(items, as_json, text)


@commentary_app.command("history")
def commentary_history_cmd(
    store: StoreOpt,
    month: MonthOpt,
    measure: Annotated[str, typer.Option("--measure", help="Measure id from the registry.")],
    as_json: JsonOpt = False,
) -> None:
    """Every version of one measure's commentary for a month, newest first."""
    from asc_assure.assurance.commentary import commentary_history

    ws = open_workspace(store)
    versions = run(commentary_history, ws, measure, month)
    text = "\n\n".join(f"version {r['version']} by {r['author']} at {r['written_at']}:\n  {r['text']}"
                       for r in versions) or f"no commentary for {measure} in {month}"
    emit(versions, as_json, text)

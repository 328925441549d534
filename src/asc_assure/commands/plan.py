"""``asc-assure plan``: the improvement plan from the command line (import, export, status, update)."""

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
    today_or_now,
)

plan_app = typer.Typer(help="The improvement plan: import or export the Excel workbook, see its status, update "
                            "an action.", no_args_is_help=True)


def register(app: typer.Typer, cqc_app: typer.Typer) -> None:
    """Attach ``asc-assure plan ...`` to the main command."""
    app.add_typer(plan_app, name="plan")


@plan_app.command("import")
def plan_import(
    file: Annotated[Path, typer.Argument(help="The plan workbook (.xlsx) with sheets Workstreams, Findings, "
                                              "Actions, Success measures, Action log.")],
    store: StoreOpt,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Load the plan from Excel: new refs are added, known refs updated, bad rows reported and left out.

    Importing the same file again changes nothing. Exit code 2 if any row was refused.
    """
    from asc_assure.assurance.plan_excel import import_plan

    if not file.is_file():
        fail(f"file {file} does not exist")
    ws = open_workspace(store)
    report = run(import_plan, ws, file, actor_or_default(actor))
    lines = [f"{file.name}: {report.changed} row(s) added or changed"]
    for sheet, c in report.sheets.items():
        lines.append(f"  {sheet:<17} {c['created']} added, {c['updated']} updated, {c['unchanged']} unchanged")
    for name in report.missing_sheets:
        lines.append(f"  {name:<17} sheet not in the workbook; nothing loaded from it")
    if report.errors:
        lines.append(f"{len(report.errors)} row(s) refused:")
        lines += [f"  {e['sheet']} row {e['row']}, column {e['column']}: {e['reason']}" for e in report.errors]
    emit(report.to_dict(), as_json, "\n".join(lines))
    if report.errors:
        raise typer.Exit(2)


@plan_app.command("export")
def plan_export(
    out: Annotated[Path, typer.Option("--out", help="Workbook to write (.xlsx).")],
    store: StoreOpt,
    today: TodayOpt = None,
) -> None:
    """Write the plan to Excel in the same shape import reads, with the calculated RAG as at --today."""
    from asc_assure.assurance.plan_excel import export_plan

    if out.suffix.lower() != ".xlsx":
        fail(f"--out {out} must be an .xlsx file")
    path = export_plan(open_workspace(store), out, today_or_now(today))
    typer.echo(f"wrote {path}")


VIEW_HELP = ("workstream (default), statement, owner, overdue or due-soon (due in the next 30 days)")


@plan_app.command("status")
def plan_status(
    store: StoreOpt,
    view: Annotated[str, typer.Option("--view", help=f"How to list actions: {VIEW_HELP}.")] = "workstream",
    owner: Annotated[str | None, typer.Option("--owner", help="Only this owner's actions (a user name).")] = None,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Where the plan stands: RAG counts, then actions by workstream, statement or owner, or overdue or due soon.

    With --json, the default view gives the summary the monthly report uses.
    """
    from asc_assure.assurance import plan

    if view not in plan.VIEWS:
        fail(f"--view {view!r} is not one of: {', '.join(plan.VIEWS)}")
    ws = open_workspace(store)
    day = today_or_now(today)
    summary = plan.plan_summary(ws, day)
    t = summary["totals"]
    lines = [f"Improvement plan as at {day:%d/%m/%Y}: {t['actions']} actions - {t['complete']} complete, "
             f"{t['red']} red, {t['amber']} amber, {t['green']} green; {t['overdue']} overdue, "
             f"{t['due_30_days']} due in the next 30 days"]

    def line(a: dict) -> str:
        return (f"  {a['ref']:<7} {a['rag_label']:<9} {a['status']:<11} {a['percent_complete']:>3}%  "
                f"due {a['due_date']}  {a['owner'] or '-':<20} {a['description']}")

    if view in ("workstream", "statement", "owner") and not owner:
        groups = plan.grouped(ws, day, view)
        for g in groups:
            c = g["counts"]
            lines.append(f"{g['title']} ({c['actions']} actions: {c['red']} red, {c['amber']} amber, "
                         f"{c['green']} green, {c['complete']} complete)")
            lines += [line(a) for a in g["actions"]]
        data = summary if view == "workstream" else [
            {"key": g["key"], "title": g["title"], "counts": g["counts"], "actions": [a["ref"] for a in g["actions"]]}
            for g in groups]
    else:
        actions = plan.list_actions(ws, day, owner=owner, view=view if view in ("overdue", "due-soon") else None)
        lines += [line(a) for a in actions] or ["  no actions"]
        data = actions
    emit(data, as_json, "\n".join(lines))


@plan_app.command("update")
def plan_update(
    ref: Annotated[str, typer.Argument(help="The action's ref, e.g. 1.3.")],
    store: StoreOpt,
    status: Annotated[str | None, typer.Option("--status", help="not started, in progress, complete, on hold or "
                                                                "cancelled.")] = None,
    percent: Annotated[str | None, typer.Option("--percent", help="% complete, 0 to 100.")] = None,
    evidence: Annotated[str | None, typer.Option("--evidence", help="Evidence of completion.")] = None,
    note: Annotated[str, typer.Option("--note", help="A note for the action log.")] = "",
    actor: ActorOpt = None,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record progress on an action: status, % complete, evidence and a note, added to its action log."""
    from asc_assure.assurance import plan

    ws = open_workspace(store)
    day = today_or_now(today)
    changed = run(plan.update_progress, ws, actor_or_default(actor), ref, day, status=status,
                  percent_complete=percent, evidence=evidence, note=note)
    action = run(plan.get_action, ws, ref, day)
    emit({"ref": ref, "changed": changed, "status": action["status"],
          "percent_complete": action["percent_complete"], "rag": action["rag"]}, as_json,
         f"action {ref}: {action['status']}, {action['percent_complete']}% complete, RAG {action['rag_label']}")

"""`asc-assure cqc timeline|return|cases`: the assessment timeline, the information-return checklist and
case tracking, from the command line (the web pages call the same core functions)."""

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
    open_workspace,
    parse_date,
    run,
    text_or_file,
    today_or_now,
)

timeline_app = typer.Typer(help="The assessment timeline: milestones and tasks from the notification date.",
                           no_args_is_help=True)
task_app = typer.Typer(help="Add or update timeline tasks.", no_args_is_help=True)
return_app = typer.Typer(help="The information-return checklist: owners, statuses, linked evidence.",
                         no_args_is_help=True)
cases_app = typer.Typer(help="Case tracking: propose 50 people, swap, shortlist 10, consent, pen pictures.",
                        no_args_is_help=True)
timeline_app.add_typer(task_app, name="task")


def register(app: typer.Typer, cqc_app: typer.Typer) -> None:
    """Attach `cqc timeline`, `cqc return` and `cqc cases`."""
    del app
    cqc_app.add_typer(timeline_app, name="timeline")
    cqc_app.add_typer(return_app, name="return")
    cqc_app.add_typer(cases_app, name="cases")


def _flag(t: dict) -> str:
    return "OVERDUE " if t.get("overdue") else "due soon " if t.get("due_soon") else ""


# -- timeline --------------------------------------------------------------------------------------
@timeline_app.command("generate")
def timeline_generate(
    store: StoreOpt,
    notified: Annotated[str, typer.Option("--notified", help="Date CQC notified the assessment.")],
    onsite_notified: Annotated[str | None, typer.Option(
        "--onsite-notified", help="Date CQC gave the on-site dates (default: worked out from the rules).")] = None,
    onsite_start: Annotated[str | None, typer.Option(
        "--onsite-start", help="First day of the on-site week (default: worked out from the rules).")] = None,
    owner: Annotated[str, typer.Option("--owner", help="Owner for new tasks (a user name).")] = "",
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create the timeline, or re-work it after a date changes (open tasks move; done tasks keep their dates)."""
    from asc_assure.assurance import timeline

    ws = open_workspace(store)
    result = run(timeline.generate, ws, actor=actor_or_default(actor), notified=parse_date(notified, "--notified"),
                 onsite_notified=parse_date(onsite_notified, "--onsite-notified"),
                 onsite_start=parse_date(onsite_start, "--onsite-start"), default_owner=owner)
    lines = [f"{m['due_date']}{' to ' + m['end_date'] if m['end_date'] else ''}  {m['title']}  ({m['rule']})"
             for m in result["milestones"]]
    lines.append(f"{result['created']} tasks created, {len(result['moved'])} moved")
    lines += [f"  moved: #{t['id']} {t['title']}: {t['from']} -> {t['to']}" for t in result["moved"]]
    lines += [f"  kept (done): #{t['id']} {t['title']} stays {t['from']}" for t in result["kept"]]
    emit(result, as_json, "\n".join(lines))


@timeline_app.command("show")
def timeline_show(store: StoreOpt, today: TodayOpt = None, as_json: JsonOpt = False) -> None:
    """Milestones and their tasks, with overdue and due-in-7-days flags."""
    from asc_assure.assurance import timeline

    ws = open_workspace(store)
    data = timeline.show(ws, today_or_now(today))
    if not data["milestones"]:
        emit(data, as_json, "No timeline yet: run `asc-assure cqc timeline generate --notified DATE`.")
        return
    lines = [f"Timeline as of {data['today']}: {data['overdue']} overdue, {data['due_soon']} due in the next 7 days,"
             f" {data['done']} done"]
    for m in data["milestones"]:
        lines.append(f"\n{m['due_date']}  {m['title']}{' (done)' if m['done'] else ''}")
        lines += [f"   #{t['id']:<3} {t['due_date']}  [{t['status_text']}] {_flag(t)}{t['title']}"
                  f"{' - ' + t['owner'] if t['owner'] else ''}" for t in m["tasks"]]
    if data["unattached_tasks"]:
        lines.append("\nOther tasks")
        lines += [f"   #{t['id']:<3} {t['due_date']}  [{t['status_text']}] {_flag(t)}{t['title']}"
                  for t in data["unattached_tasks"]]
    emit(data, as_json, "\n".join(lines))


@task_app.command("add")
def task_add(
    store: StoreOpt,
    title: Annotated[str, typer.Argument(help="What needs doing.")],
    due: Annotated[str, typer.Option("--due", help="Due date.")],
    owner: Annotated[str, typer.Option("--owner", help="Owner (a user name).")] = "",
    milestone: Annotated[str | None, typer.Option(
        "--milestone", help="Milestone key to attach it to (it then moves with the milestone).")] = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add your own task to the timeline."""
    from asc_assure.assurance import timeline

    ws = open_workspace(store)
    task_id = run(timeline.add_task, ws, actor=actor_or_default(actor), title=title,
                  due_date=parse_date(due, "--due"), owner=owner, milestone=milestone)
    emit({"id": task_id}, as_json, f"task #{task_id} added")


@task_app.command("update")
def task_update(
    store: StoreOpt,
    task_id: Annotated[int, typer.Argument(help="Task number (see `timeline show`).")],
    status: Annotated[str | None, typer.Option("--status", help="not_started, in_progress or done.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="New owner.")] = None,
    due: Annotated[str | None, typer.Option("--due", help="New due date.")] = None,
    notes: Annotated[str | None, typer.Option("--notes", help="Notes.")] = None,
    actor: ActorOpt = None,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a task's status, owner, due date or notes."""
    from asc_assure.assurance import timeline

    ws = open_workspace(store)
    task = run(timeline.update_task, ws, task_id, actor=actor_or_default(actor), today=today_or_now(today),
               status=status, owner=owner, due_date=parse_date(due, "--due"), notes=notes)
    emit(task, as_json, f"task #{task['id']}: {task['title']} [{task['status']}] due {task['due_date']}")


# -- information return ----------------------------------------------------------------------------
@return_app.command("list")
def return_list(
    store: StoreOpt,
    status: Annotated[str | None, typer.Option("--status", help="Only items with this status.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Only items with this owner.")] = None,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The checklist: each document or data item, owner, status, due date and linked evidence."""
    from asc_assure.assurance import information_return as ir

    ws = open_workspace(store)
    items = run(ir.list_items, ws, today_or_now(today), status=status, owner=owner)
    lines = [f"{i['id']:<26} {i['status_text']:<15} {i['kind_text']:<9} {'OVERDUE ' if i['overdue'] else ''}"
             f"{i['title']}{' - ' + i['owner'] if i['owner'] else ''}"
             f"{' evidence ' + ','.join(map(str, i['evidence'])) if i['evidence'] else ''}" for i in items]
    emit(items, as_json, "\n".join(lines) or "No items match.")


@return_app.command("update")
def return_update(
    store: StoreOpt,
    item: Annotated[str, typer.Argument(help="Item id (see `cqc return list`).")],
    owner: Annotated[str | None, typer.Option("--owner", help="Owner (a user name).")] = None,
    status: Annotated[str | None, typer.Option(
        "--status", help="not_started, in_progress, ready, submitted or not_applicable.")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why the item is not applicable.")] = None,
    notes: Annotated[str | None, typer.Option("--notes", help="Notes.")] = None,
    evidence: Annotated[list[int] | None, typer.Option(
        "--evidence", help="Link an evidence item (repeatable).")] = None,
    unlink: Annotated[list[int] | None, typer.Option("--unlink", help="Unlink an evidence item (repeatable).")] = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change an item's owner, status, notes or linked evidence."""
    from asc_assure.assurance import information_return as ir

    ws = open_workspace(store)
    row = run(ir.update_item, ws, item, actor=actor_or_default(actor), owner=owner, status=status,
              na_reason=reason, notes=notes, add_evidence=evidence or (), remove_evidence=unlink or ())
    emit(row, as_json, f"{row['id']}: {row['status_text']}, owner {row['owner'] or 'none'}, "
                       f"evidence {', '.join(map(str, row['evidence'])) or 'none'}")


# -- cases -----------------------------------------------------------------------------------------
def _case_line(c: dict) -> str:
    return (f"{c['label']}  {c['age_band']:<6} {c['psr_group'][:28]:<28} {c['ethnicity_group'][:24]:<24} "
            f"{c['locality']:<10} {'shortlist ' if c['shortlisted'] else ''}"
            f"{'consent ' + c['consent_text'].lower() if c['consent_status'] != 'not_asked' else ''}")


@cases_app.command("propose")
def cases_propose(
    store: StoreOpt,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the random order (same seed, same list).")],
    as_of: Annotated[str, typer.Option("--as-of", help="Date of the data to choose from.")],
    replace: Annotated[bool, typer.Option("--replace", help="Replace a list that already has work on it.")] = False,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose 50 people from the store with the documented mix (case_mix.yaml)."""
    from asc_assure.assurance import case_tracking as ct

    ws = open_workspace(store)
    result = run(ct.propose, ws, store, actor=actor_or_default(actor), seed=seed,
                 as_of=parse_date(as_of, "--as-of"), replace=replace)
    met = sum(r["met"] for r in result["mix"]["rows"])
    emit(result, as_json, f"{len(result['cases'])} cases proposed from {result['pool_size']} eligible adults; "
                          f"{met} of {len(result['mix']['rows'])} mix targets met (see `cqc cases mix`)")


@cases_app.command("list")
def cases_list(
    store: StoreOpt,
    shortlisted: Annotated[bool, typer.Option("--shortlisted", help="Only the shortlist.")] = False,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The current cases, by label (no person keys)."""
    from asc_assure.assurance import case_tracking as ct

    ws = open_workspace(store)
    cases = ct.list_cases(ws, shortlisted=True if shortlisted else None)
    with ws.transaction() as con:  # a person-level view: recorded like the web's
        ws.log(con, actor_or_default(actor), ct.ENTITY_PROPOSAL, "current", "view_list", cases=len(cases))
    public = [{k: v for k, v in c.items() if k not in {"person_key", "id", "proposal_id"}} for c in cases]
    emit(public, as_json, "\n".join(_case_line(c) for c in cases) or "No cases proposed yet.")


@cases_app.command("mix")
def cases_mix(store: StoreOpt, as_json: JsonOpt = False) -> None:
    """Target against achieved mix of the current list."""
    from asc_assure.assurance import case_tracking as ct

    data = ct.mix_summary(open_workspace(store))
    lines = [f"{r['label'][:60]:<60} min {r['minimum']:>2}{' max ' + str(r['maximum']) if r['maximum'] else ''}"
             f"  got {r['achieved']:>2}  {'met' if r['met'] else 'NOT MET'} {r['note']}" for r in data["rows"]]
    emit(data, as_json, "\n".join(lines) or "No cases proposed yet.")


@cases_app.command("swap")
def cases_swap(
    store: StoreOpt,
    case: Annotated[str, typer.Argument(help="Case to replace, e.g. 'Case 07' or 7.")],
    person: Annotated[str | None, typer.Option(
        "--person", help="Pseudonymised person key of your own choice (default: the suggested replacement).")] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why the case is swapped.")] = "",
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Swap a case for a replacement that keeps the mix (or a person you name)."""
    from asc_assure.assurance import case_tracking as ct

    ws = open_workspace(store)
    result = run(ct.swap_case, ws, store, case, actor=actor_or_default(actor), replacement=person, reason=reason)
    c = result["case"]
    public = {"case": {k: v for k, v in c.items() if k not in {"person_key", "id", "proposal_id"}},
              "warnings": result["warnings"]}
    emit(public, as_json, "swapped: " + _case_line(c) + "".join(f"\nwarning: {w}" for w in result["warnings"]))


@cases_app.command("shortlist")
def cases_shortlist(
    store: StoreOpt,
    cases: Annotated[list[str], typer.Argument(help="The cases CQC selected (up to 10), e.g. 3 7 12.")],
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record the shortlist (replaces any earlier one)."""
    from asc_assure.assurance import case_tracking as ct

    ws = open_workspace(store)
    chosen = run(ct.set_shortlist, ws, cases, actor=actor_or_default(actor))
    emit([c["label"] for c in chosen], as_json, "shortlist: " + ", ".join(c["label"] for c in chosen))


@cases_app.command("consent")
def cases_consent(
    store: StoreOpt,
    case: Annotated[str, typer.Argument(help="Shortlisted case, e.g. 'Case 07'.")],
    status: Annotated[str, typer.Option("--status", help="not_asked, asked, given or declined.")],
    on: Annotated[str | None, typer.Option("--date", help="Date consent was asked, given or declined.")] = None,
    actor: ActorOpt = None,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record consent to speak with CQC."""
    from asc_assure.assurance import case_tracking as ct

    ws = open_workspace(store)
    c = run(ct.record_consent, ws, case, actor=actor_or_default(actor), status=status,
            on=parse_date(on, "--date"), today=today_or_now(today))
    emit({"case": c["label"], "consent": c["consent_status"], "date": c["consent_date"]}, as_json,
         f"{c['label']}: consent {c['consent_text'].lower()} {c['consent_date'] or ''}".strip())


@cases_app.command("pen-picture")
def cases_pen_picture(
    store: StoreOpt,
    case: Annotated[str, typer.Argument(help="Shortlisted case, e.g. 'Case 07'.")],
    text: Annotated[str | None, typer.Option("--text", help="The pen picture.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Read the pen picture from a text file.")] = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Save a pseudonymised pen picture (refused if it holds identifiers)."""
    from asc_assure.assurance import case_tracking as ct

    body = text_or_file(text, file, "give the pen picture with --text or --file (one of them)")
    ws = open_workspace(store)
    c = run(ct.set_pen_picture, ws, case, body, actor=actor_or_default(actor), key=ct.store_key(store))
    emit({"case": c["label"], "characters": len(c["pen_picture"])}, as_json, f"{c['label']}: pen picture saved")


@cases_app.command("export")
def cases_export(
    store: StoreOpt,
    out: Annotated[Path, typer.Option("--out", help="File to write: .docx (Word) or .csv.")],
    shortlisted: Annotated[bool, typer.Option("--shortlisted", help="Only the shortlist.")] = False,
    actor: ActorOpt = None,
) -> None:
    """Export the cases (labels only, never person keys) to Word or CSV."""
    from asc_assure.assurance import case_tracking as ct

    ws = open_workspace(store)
    path = run(ct.export, ws, out, actor=actor_or_default(actor), shortlisted_only=shortlisted)
    typer.echo(f"wrote {path}")

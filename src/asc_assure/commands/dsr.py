"""``asc-assure dsr ...``: the Dynamic Support Register (add, list, show, RAG, review, C(E)TR, actions, close,
counts). Thin wrappers over :mod:`asc_assure.operations.dsr`; every list or entry shown is recorded in the
workspace change log, because the register is person-level health information."""

from __future__ import annotations

from typing import Annotated, Any

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
    parse_date,
    run,
    today_or_now,
)

dsr_app = typer.Typer(help="Dynamic Support Register: people with a learning disability and/or autistic people at "
                           "risk of admission to a mental health hospital (RAG, reviews, C(E)TRs, actions, counts).",
                      no_args_is_help=True)

EntryArg = Annotated[str, typer.Argument(help="Register reference, e.g. DSR-0007 (or 7).")]
OnOpt = Annotated[str | None, typer.Option("--on", help="Date it happened (YYYY-MM-DD; default today).")]


def _on(value: str | None, name: str, today: Any) -> Any:
    return parse_date(value, name) or today


def _line(e: dict[str, Any]) -> str:
    review = f"next review {e['next_review']}" if e["next_review"] else f"closed {e['closed_on']}"
    flag = f" OVERDUE by {e['days_overdue']} days" if e["review_overdue"] else (
        " due soon" if e["review_due_soon"] else "")
    return (f"{e['ref']}  {e['rag_label']:<6} {e['person_key']}  {e['team']:<26} key worker {e['key_worker']:<14} "
            f"{review}{flag}")


def _detail(e: dict[str, Any]) -> str:
    lines = [f"{e['ref']}: {e['person_key']} ({e['needs']}; {e['age_group_label']})",
             f"  Status: {e['status']}" + (f" on {e['closed_on']}: {e['close_reason_label']}"
                                           + (f" ({e['close_note']})" if e["close_note"] else "")
                                           if e["status"] == "closed" else ""),
             f"  Team: {e['team']}; key worker: {e['key_worker']}; added {e['added_on']}",
             f"  RAG: {e['rag_label']} since {e['rag_since']}: {e['rag_reason']}"]
    if e["status"] == "open":
        lines.append(f"  Next review: {e['next_review']} ({e['review_status']})")
    lines.append("  RAG history:")
    lines += [f"    {h['effective_on']}  {h['rag'].capitalize():<6} {h['reason']} ({h['recorded_by']})"
              for h in e["rag_history"]]
    lines.append("  Reviews:" if e["reviews"] else "  Reviews: none")
    lines += [f"    {r['reviewed_on']}  {r['notes']} ({r['recorded_by']})" for r in e["reviews"]]
    lines.append(f"  {e['review_type']}s:" if e["ctrs"] else f"  {e['review_type']}s: none")
    lines += [f"    {c['held_on']}  {c['review_type']} ({c['setting']}): {c['outcome_label']}" for c in e["ctrs"]]
    lines.append("  Actions:" if e["actions"] else "  Actions: none")
    lines += [f"    [{a['id']}] {a['text']} - {a['owner']}, due {a['due_on']}"
              + (f", done {a['done_on']}" if a["done_on"] else " (OVERDUE)" if a["overdue"] else "")
              for a in e["actions"]]
    return "\n".join(lines)


@dsr_app.command("add")
def add(
    store: StoreOpt,
    person: Annotated[str, typer.Option("--person", help="Pseudonymised person key from the store (P-...).")],
    team: Annotated[str, typer.Option("--team", help="Team responsible (as in the teams extract).")],
    key_worker: Annotated[str, typer.Option("--key-worker", help="User name of the key worker.")],
    rag: Annotated[str, typer.Option("--rag", help="red, amber or green.")],
    reason: Annotated[str, typer.Option("--reason", help="Why this rating (at least 10 characters).")],
    age_group: Annotated[str, typer.Option(
        "--age-group", help="transition (child or young person in transition) or adult.")] = "adult",
    learning_disability: Annotated[bool, typer.Option(
        "--learning-disability/--no-learning-disability", help="The person has a learning disability.")] = False,
    autism: Annotated[bool, typer.Option("--autism/--no-autism", help="The person is autistic.")] = False,
    added: Annotated[str | None, typer.Option("--added", help="Date added (YYYY-MM-DD; default today).")] = None,
    actor: ActorOpt = None,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Put a person on the register with their first RAG rating (the person must be in the store)."""
    from asc_assure.operations import dsr

    ws, day = open_workspace(store), today_or_now(today)
    e = run(dsr.add_entry, ws, store, person, learning_disability=learning_disability, autism=autism,
            age_group=age_group, team=team, key_worker=key_worker, rag=rag, reason=reason,
            added_on=_on(added, "--added", day), actor=actor_or_default(actor), today=day)
    emit(e, as_json, f"added {e['ref']}: {e['rag_label']}, next review {e['next_review']}")


@dsr_app.command("list")
def list_entries(
    store: StoreOpt,
    status: Annotated[str, typer.Option("--status", help="open, closed or all.")] = "open",
    team: Annotated[str | None, typer.Option("--team", help="Only this team.")] = None,
    rag: Annotated[str | None, typer.Option("--rag", help="Only this rating: red, amber or green.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only entries whose review is overdue.")] = False,
    actor: ActorOpt = None,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The register: Red first, then by next review date; overdue reviews flagged (the view is logged)."""
    from asc_assure.operations import dsr

    ws, day = open_workspace(store), today_or_now(today)
    found = run(dsr.entries, ws, day, status=status, rag=rag, team=team, overdue_only=overdue)
    dsr.record_view(ws, actor_or_default(actor), "list", status=status, team=team, rag=rag, shown=len(found))
    text = "\n".join(_line(e) for e in found) or "No entries match."
    emit(found, as_json, text + f"\n{len(found)} entr{'y' if len(found) == 1 else 'ies'}; "
                                f"{sum(e['review_overdue'] for e in found)} with an overdue review.")


@dsr_app.command("show")
def show(entry: EntryArg, store: StoreOpt, actor: ActorOpt = None, today: TodayOpt = None,
         as_json: JsonOpt = False) -> None:
    """One entry: RAG and its history, reviews, C(E)TRs and actions (the view is logged)."""
    from asc_assure.operations import dsr

    ws, day = open_workspace(store), today_or_now(today)
    e = run(dsr.entry, ws, entry, day)
    dsr.record_view(ws, actor_or_default(actor), e["ref"])
    emit(e, as_json, _detail(e))


@dsr_app.command("rag")
def rag_change(
    entry: EntryArg,
    store: StoreOpt,
    rag: Annotated[str, typer.Option("--rag", help="The new rating: red, amber or green.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the rating changed (at least 10 characters).")],
    on: OnOpt = None,
    actor: ActorOpt = None,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change an entry's RAG rating, with the reason and the date it applies from."""
    from asc_assure.operations import dsr

    ws, day = open_workspace(store), today_or_now(today)
    e = run(dsr.change_rag, ws, entry, rag, reason, _on(on, "--on", day), actor_or_default(actor), day)
    emit(e, as_json, f"{e['ref']} is now {e['rag_label']}; next review {e['next_review']}")


@dsr_app.command("review")
def review(
    entry: EntryArg,
    store: StoreOpt,
    notes: Annotated[str, typer.Option("--notes", help="What the review found and agreed.")],
    rag: Annotated[str | None, typer.Option("--rag", help="New rating decided at the review, if it changed.")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why the rating changed.")] = None,
    on: OnOpt = None,
    actor: ActorOpt = None,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a review of an entry (restarts the review clock); a new rating may be decided with it."""
    from asc_assure.operations import dsr

    ws, day = open_workspace(store), today_or_now(today)
    e = run(dsr.record_review, ws, entry, _on(on, "--on", day), notes, actor_or_default(actor), day, rag=rag,
            reason=reason)
    emit(e, as_json, f"{e['ref']} reviewed: {e['rag_label']}, next review {e['next_review']}")


@dsr_app.command("ctr")
def ctr(
    entry: EntryArg,
    store: StoreOpt,
    outcome: Annotated[str, typer.Option("--outcome", help="stay_at_home, admission_recommended, discharge_plan, "
                                                           "stay_in_hospital or not_held.")],
    setting: Annotated[str, typer.Option("--setting", help="community or inpatient.")] = "community",
    notes: Annotated[str | None, typer.Option("--notes", help="Anything to note about the review.")] = None,
    on: OnOpt = None,
    actor: ActorOpt = None,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a Care and Treatment Review (adults) or C(E)TR (children and young people) and its outcome."""
    from asc_assure.operations import dsr

    ws, day = open_workspace(store), today_or_now(today)
    e = run(dsr.record_ctr, ws, entry, _on(on, "--on", day), setting, outcome, actor_or_default(actor), day,
            notes=notes)
    c = e["last_ctr"]
    emit(e, as_json, f"{e['ref']}: {c['review_type']} on {c['held_on']} recorded ({c['outcome_label']})")


@dsr_app.command("action")
def action(
    entry: EntryArg,
    store: StoreOpt,
    text: Annotated[str | None, typer.Option("--text", help="The action agreed.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Who will do it.")] = None,
    due: Annotated[str | None, typer.Option("--due", help="Due date (YYYY-MM-DD).")] = None,
    done: Annotated[int | None, typer.Option("--done", help="Mark this action number done instead.")] = None,
    on: OnOpt = None,
    actor: ActorOpt = None,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add an action (--text, --owner, --due) to an entry, or mark one done (--done N)."""
    from asc_assure.operations import dsr

    ws, day = open_workspace(store), today_or_now(today)
    who = actor_or_default(actor)
    if done is not None:
        e = run(dsr.complete_action, ws, entry, done, _on(on, "--on", day), who, day)
        emit(e, as_json, f"{e['ref']}: action {done} done")
        return
    if not text or not owner or not due:
        fail("give --text, --owner and --due to add an action, or --done N to mark action N done")
    e = run(dsr.add_action, ws, entry, text, owner, parse_date(due, "--due"), who, day)
    a = e["actions"][-1]
    emit(e, as_json, f"{e['ref']}: action {a['id']} added for {a['owner']}, due {a['due_on']}")


@dsr_app.command("close")
def close(
    entry: EntryArg,
    store: StoreOpt,
    reason: Annotated[str, typer.Option("--reason", help="admitted, risk_reduced, moved_away, consent_withdrawn, "
                                                         "died or other.")],
    note: Annotated[str | None, typer.Option("--note", help="More about the reason (required for other).")] = None,
    on: OnOpt = None,
    actor: ActorOpt = None,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Take a person off the register, with the reason (an admission to hospital is recorded this way)."""
    from asc_assure.operations import dsr

    ws, day = open_workspace(store), today_or_now(today)
    e = run(dsr.close_entry, ws, entry, reason, _on(on, "--on", day), actor_or_default(actor), day, note=note)
    emit(e, as_json, f"{e['ref']} closed on {e['closed_on']}: {e['close_reason_label']}")


@dsr_app.command("counts")
def counts(
    store: StoreOpt,
    months: Annotated[int, typer.Option("--months", min=1, max=60, help="Month ends to show.")] = 12,
    exact: Annotated[bool, typer.Option(
        "--exact", help="Exact counts for internal use (the view is logged); default: suppressed for publishing.")
    ] = False,
    actor: ActorOpt = None,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """People on the register by RAG at each month end (from the RAG history), suppressed unless --exact."""
    from asc_assure.operations import dsr

    ws, day = open_workspace(store), today_or_now(today)
    if exact:
        series = dsr.monthly_counts(ws, day, months)
        dsr.record_view(ws, actor_or_default(actor), "counts", exact=True, months=months)
        data: dict[str, Any] = {"as_of": day.isoformat(), "months": series, "exact": True}
    else:
        data = {**dsr.published_counts(ws, day, months), "exact": False}
    lines = [f"{'Month end':<16}{'Red':>6}{'Amber':>7}{'Green':>7}{'Total':>7}{'Overdue':>9}"]
    lines += [f"{r['as_of']:<16}{r['red']!s:>6}{r['amber']!s:>7}{r['green']!s:>7}{r['total']!s:>7}"
              f"{r['overdue_reviews']!s:>9}" for r in data["months"]]
    lines.append("Exact counts: for internal use only." if exact else data["rule"])
    emit(data, as_json, "\n".join(lines))


def register(app: typer.Typer, cqc_app: typer.Typer) -> None:
    """Attach ``dsr`` to the main command."""
    app.add_typer(dsr_app, name="dsr")

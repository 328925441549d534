"""``asc-assure dols ...`` and ``asc-assure safeguarding ...``: the DoLS queue, screening and report, and
the safeguarding work queues and extensions. Thin wrappers over ``asc_assure.operations``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from asc_assure.commands.common import (
    ActorOpt,
    JsonOpt,
    StoreOpt,
    actor_or_default,
    emit,
    fail,
    open_workspace,
    parse_date,
    run,
)

AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", help="Date to work out the queue for (YYYY-MM-DD; default today). Items open on that date "
                    "are listed, with what is due or overdue then.")]
TeamOpt = Annotated[str | None, typer.Option("--team", help="Only this team (as named in the extracts).")]

dols_app = typer.Typer(help="DoLS applications: the prioritised queue, screening, and the open-applications "
                            "report.", no_args_is_help=True)
safeguarding_app = typer.Typer(help="Safeguarding work queues per team, and signed-off extensions.",
                               no_args_is_help=True)


def _as_of(value: str | None) -> dt.date:
    return parse_date(value, "--as-of") or dt.date.today()


def _fmt(day: Any) -> str:
    return day.strftime("%d/%m/%Y") if isinstance(day, dt.date) else "—"


@dols_app.command("queue")
def dols_queue(
    store: StoreOpt,
    as_of: AsOfOpt = None,
    team: TeamOpt = None,
    priority: Annotated[str | None, typer.Option(
        "--priority", help="Only this priority: high, medium, low or 'not screened'.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="Show at most this many (0 = all).")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Open DoLS applications by priority, then oldest first, with due dates and breach warnings."""
    from asc_assure.operations.dols import QUEUE_RANK, queue

    ws = open_workspace(store)
    date = _as_of(as_of)
    if priority is not None and priority not in QUEUE_RANK:
        fail(f"--priority {priority!r} must be one of {', '.join(QUEUE_RANK)}")
    items = run(queue, ws, store, date, team=team)
    if priority:
        items = [i for i in items if i["priority"] == priority]
    shown = items[:limit] if limit else items
    lines = [f"DoLS queue on {_fmt(date)}: {len(items)} open application(s)"]
    for i in shown:
        lines.append(f"  {i['position']:>5} {i['application_id']:<20} {i['priority_label']:<52} received "
                     f"{_fmt(i['received_date'])} ({i['age_days']} days) due {_fmt(i['due_date'])}"
                     f"{' URGENT' if i['urgent'] else ''}  {i['warning_text']}")
    if len(shown) < len(items):
        lines.append(f"  ... {len(items) - len(shown)} more (use --limit 0 or --json)")
    emit(shown if limit else items, as_json, "\n".join(lines))


def _parse_answers(pairs: list[str]) -> dict[str, str]:
    answers: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            fail(f"--answer {pair!r} must be QUESTION=ANSWER, e.g. objection=none (see `asc-assure dols tool`)")
        answers[key.strip()] = value.strip()
    return answers


@dols_app.command("tool")
def dols_tool(as_json: JsonOpt = False) -> None:
    """Show the screening tool: each question with its answers and scores, and the priority bands."""
    from asc_assure.operations.dols import load_tool

    tool = load_tool()
    lines = [f"{tool.title}, version {tool.version} (based on {tool.based_on}, {tool.based_on_date}; "
             f"wording: {tool.wording})"]
    for c in tool.criteria:
        lines.append(f"  {c.id}: {c.text}")
        lines += [f"      {a.id:<12} {a.score:>3}  {a.label}" for a in c.answers]
    lines.append("Bands: " + ", ".join(f"{p} from {m}" for p, m in tool.bands))
    emit(tool.to_dict(), as_json, "\n".join(lines))


@dols_app.command("screen")
def dols_screen(
    application_id: Annotated[str, typer.Argument(help="Pseudonymised application reference, as in the queue.")],
    store: StoreOpt,
    answer: Annotated[list[str] | None, typer.Option(
        "--answer", help="QUESTION=ANSWER, one for every question (see `asc-assure dols tool`).")] = None,
    priority: Annotated[str | None, typer.Option(
        "--priority", help="Record this priority instead of the tool's (needs --reason).")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why the priority differs from the tool's.")] = None,
    as_of: AsOfOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a screening of one application: answers, score, priority (and any override with a reason)."""
    from asc_assure.operations.dols import record_screening

    ws = open_workspace(store)
    s = run(record_screening, ws, store, application_id, _parse_answers(answer or []), actor_or_default(actor),
            priority=priority, reason=reason, as_of=_as_of(as_of))
    text = (f"screened {application_id}: score {s['score']}, tool says {s['tool_priority']}, recorded "
            f"{s['priority']}" + (f" (override: {s['override_reason']})" if s["overridden"] else ""))
    emit(s, as_json, text)


@dols_app.command("report")
def dols_report(store: StoreOpt, as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """Open applications by priority and age band (the same count as the measure dols.open)."""
    from asc_assure.operations.dols import report

    ws = open_workspace(store)
    date = _as_of(as_of)
    r = run(report, ws, store, date)
    bands = r["age_bands"]
    lines = [f"Open DoLS applications on {_fmt(date)}: {r['total']} ({r['awaiting_allocation']} awaiting "
             f"allocation, {r['breached']} past the due date, {r['due_soon']} due soon, {r['urgent']} urgent)",
             "By the extract's priority (as the measure dols.open_by_priority):",
             f"  {'priority':<14}{'total':>7}" + "".join(f"{b:>18}" for b in bands)]
    for row in r["by_extract_priority"]:
        lines.append(f"  {row['priority']:<14}{row['total']:>7}" + "".join(f"{row['bands'][b]:>18}" for b in bands))
    lines.append(f"By the priority the queue works to ({r['screened_here']} screened here, "
                 f"{r['differs_from_extract']} differ from the extract):")
    for row in r["by_queue_priority"]:
        lines.append(f"  {row['priority']:<14}{row['total']:>7}" + "".join(f"{row['bands'][b]:>18}" for b in bands))
    emit(r, as_json, "\n".join(lines))


@safeguarding_app.command("queues")
def safeguarding_queues(
    store: StoreOpt,
    as_of: AsOfOpt = None,
    team: TeamOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Per team: overdue, due today, due in the next 2 working days, and open over 12 weeks."""
    from asc_assure.operations.safeguarding_queues import QUEUE_TITLES, STEP_TITLES, queues

    ws = open_workspace(store)
    date = _as_of(as_of)
    q = run(queues, ws, store, date, team=team)
    lines = [f"Safeguarding work queues on {_fmt(date)} (due soon = by {_fmt(q['due_soon_until'])})"]
    for t in q["teams"]:
        lines.append(f"{t['team']}: {t['open']} open ({t['open_concerns']} concerns, {t['open_enquiries']} "
                     f"enquiries), " + ", ".join(f"{QUEUE_TITLES[k].lower()} {v}" for k, v in t["counts"].items()))
        for key in ("overdue", "due_today", "due_in_2_days"):
            for i in t["queues"][key]:
                ext = " (extended)" if i["extended"] else ""
                urgent = " URGENT" if i["urgent"] else ""
                lines.append(f"    {QUEUE_TITLES[key]:<32} {i['kind']:<8} {i['item_id']:<20} "
                             f"{STEP_TITLES[i['step']]:<24} due {_fmt(i['due'])}{ext}{urgent}")
    emit(q, as_json, "\n".join(lines))


@safeguarding_app.command("extend")
def safeguarding_extend(
    item_id: Annotated[str, typer.Argument(help="Pseudonymised concern or enquiry reference, as in the queue.")],
    store: StoreOpt,
    to: Annotated[str, typer.Option("--to", help="The new due date (YYYY-MM-DD).")],
    reason: Annotated[str, typer.Option("--reason", help="Why the extension is agreed.")],
    as_of: AsOfOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Sign off a later due date for an open item's current step (team managers), with a reason."""
    from asc_assure.operations.safeguarding_queues import STEP_TITLES, extend

    ws = open_workspace(store)
    new_due = parse_date(to, "--to")
    item = run(extend, ws, store, item_id, new_due, reason, actor_or_default(actor), _as_of(as_of))
    emit(item, as_json, f"{item['kind']} {item['item_id']}: {STEP_TITLES[item['step']].lower()} now due "
                        f"{_fmt(item['due'])} (was {_fmt(dt.date.fromisoformat(item['extension']['due_before']))})")


def register(app: typer.Typer, cqc_app: typer.Typer) -> None:
    """Attach ``dols`` and ``safeguarding`` to the main command."""
    app.add_typer(dols_app, name="dols")
    app.add_typer(safeguarding_app, name="safeguarding")


"""``asc-assure referrals ...``: prioritise referrals with the council's tool, verify or change a priority
(practice supervisors), re-prioritise when circumstances change, record "waiting well" check-ins, and list
the waiting list by priority and the overdue check-ins. Thin wrappers over
``asc_assure.operations.prioritisation``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from asc_assure.commands.common import (
    ActorOpt,
    JsonOpt,
    StoreOpt,
    TodayOpt,
    actor_or_default,
    emit,
    open_workspace,
    run,
    today_or_now,
)

RefArg = Annotated[str, typer.Argument(help="Pseudonymised referral reference, as on the waiting list (C-...).")]
TeamOpt = Annotated[str | None, typer.Option("--team", help="Only this team (as named in the referrals extract).")]
AnswerOpt = Annotated[list[str] | None, typer.Option(
    "--answer", help="QUESTION=ANSWER, one for every question (see `asc-assure referrals tool`).")]
PriorityOpt = Annotated[str | None, typer.Option("--priority", help="high, medium or low.")]

referrals_app = typer.Typer(help="Referral prioritisation, supervisor verification and waiting-well check-ins.",
                            no_args_is_help=True)


def _fmt(day: Any) -> str:
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    return day.strftime("%d/%m/%Y") if isinstance(day, dt.date) else "—"


def _answers(pairs: list[str] | None) -> dict[str, str]:
    from asc_assure.operations.prioritisation import parse_answer_pairs

    return run(parse_answer_pairs, pairs or [])


def _line(i: dict[str, Any]) -> str:
    prio = (i["priority"] or "none").upper()
    flags = "".join([" OVERDUE CHECK-IN" if i["overdue"] else "",
                     " RE-PRIORITISE" if i["needs_reprioritising"] else "",
                     " NO LONGER NEEDS ASSESSMENT" if i["no_longer_needs_assessment"] else ""])
    return (f"  {i['referral_id']:<20} {prio:<6} ({i['priority_source_text']}; {i['status_text'].lower()}) "
            f"received {_fmt(i['received_date'])} ({i['wait_days']} days), next check-in "
            f"{_fmt(i['next_check_in'])}{flags}")


def _summary(d: dict[str, Any]) -> str:
    lines = [f"Referral {d['referral_id']} (person {d['person_id']}), {d['team']}",
             f"  Priority: {d['priority'] or 'none'} ({d['priority_source_text']}); {d['status_text']}"
             + (f" by {d['verified_by']} on {_fmt(d['verified_on'])}" if d["verified_by"] else ""),
             f"  Last contact {_fmt(d['last_contact'])} ({d['last_contact_kind']}); check-in every "
             f"{d['check_in_weeks']} week(s); next due {_fmt(d['next_check_in'])}"
             + (f" - OVERDUE by {d['days_overdue']} days" if d["overdue"] else "")]
    if d["needs_reprioritising"]:
        lines.append("  A check-in reported changed circumstances: re-prioritise or verify.")
    if d["no_longer_needs_assessment"]:
        lines.append("  The last check-in found an assessment is no longer needed: close it in the case system.")
    return "\n".join(lines)


@referrals_app.command("tool")
def tool_cmd(as_json: JsonOpt = False) -> None:
    """Show the prioritisation tool: questions, answers and weights, bands, overrides and check-in intervals."""
    from asc_assure.operations.prioritisation import load_tool

    tool = load_tool()
    lines = [f"{tool.title}, version {tool.version}", f"Based on: {tool.based_on}", f"Wording: {tool.wording}"]
    for q in tool.questions:
        lines.append(f"  {q.id}: {q.text}")
        lines += [f"      {o.id:<28} {o.score:>3}  {o.label}" for o in q.answers]
    lines.append("Bands: " + ", ".join(f"{p} from {m}" for p, m in tool.bands))
    lines += [f"Override {o.id}: {o.question} = {' or '.join(sorted(o.answers))} gives at least {o.priority}"
              for o in tool.overrides]
    lines.append("Check-in every: " + ", ".join(f"{k.replace('_', ' ')} {v} week(s)"
                                                for k, v in tool.check_in_weeks.items()))
    emit(tool.to_dict(), as_json, "\n".join(lines))


@referrals_app.command("queue")
def queue_cmd(store: StoreOpt, team: TeamOpt = None, today: TodayOpt = None,
              limit: Annotated[int, typer.Option("--limit", min=0, help="Show at most this many (0 = all).")] = 50,
              as_json: JsonOpt = False) -> None:
    """The waiting list by priority (high first, oldest first) with where each priority came from and
    whether a practice supervisor has verified it."""
    from asc_assure.operations.prioritisation import queue, queue_summary

    day = today_or_now(today)
    items = run(queue, open_workspace(store), store, day, team=team)
    lines = [f"Waiting list on {_fmt(day)}: {len(items)} people"]
    for t in queue_summary(items):
        p, s = t["by_priority"], t["by_status"]
        lines.append(f"{t['team']}: {t['waiting']} waiting - high {p['high']}, medium {p['medium']}, low {p['low']}, "
                     f"not prioritised {p['not_prioritised']}; verified {s['verified']}, awaiting verification "
                     f"{s['awaiting_verification']}; overdue check-ins {t['overdue_check_ins']}")
    shown = items[:limit] if limit else items
    lines += [_line(i) for i in shown]
    if len(shown) < len(items):
        lines.append(f"  ... {len(items) - len(shown)} more (use --limit 0 or --json)")
    emit(items, as_json, "\n".join(lines))


@referrals_app.command("waiting-well")
def waiting_well_cmd(store: StoreOpt, team: TeamOpt = None, today: TodayOpt = None,
                     as_json: JsonOpt = False) -> None:
    """Overdue waiting-well check-ins per team (last contact plus the priority's interval is before today),
    people to re-prioritise after a change, and people who no longer need an assessment."""
    from asc_assure.operations.prioritisation import waiting_well

    day = today_or_now(today)
    data = run(waiting_well, open_workspace(store), store, day, team=team)
    weeks = ", ".join(f"{k.replace('_', ' ')} every {v} week(s)" for k, v in data["check_in_weeks"].items())
    lines = [f"Waiting-well check-ins on {_fmt(day)}: {data['overdue_total']} overdue ({weeks})"]
    for t in data["teams"]:
        lines.append(f"{t['team']}: {t['waiting']} waiting, {len(t['overdue'])} overdue")
        lines += [f"    {i['referral_id']:<20} {(i['priority'] or 'none'):<7} last contact {_fmt(i['last_contact'])} "
                  f"({i['last_contact_kind']}), due {_fmt(i['next_check_in'])}, {i['days_overdue']} days overdue"
                  for i in t["overdue"]]
        lines += [f"    {i['referral_id']:<20} circumstances changed: re-prioritise" for i in t["needs_reprioritising"]]
        lines += [f"    {i['referral_id']:<20} no longer needs an assessment: close the referral"
                  for i in t["no_longer_needs_assessment"]]
    emit(data, as_json, "\n".join(lines))


@referrals_app.command("show")
def show_cmd(referral_id: RefArg, store: StoreOpt, today: TodayOpt = None, as_json: JsonOpt = False) -> None:
    """One referral waiting: its priority, where it came from, verification and check-in history."""
    from asc_assure.operations.prioritisation import OUTCOMES, detail

    d = run(detail, open_workspace(store), store, referral_id, today_or_now(today))
    lines = [_summary(d)]
    lines += [f"  {_fmt(p['prioritised_on'])} prioritised by {p['prioritised_by']}: score {p['score']} "
              f"({p['score_priority']}), overrides {', '.join(p['overrides']) or 'none'} -> {p['priority']}"
              for p in d["prioritisations"]]
    lines += [f"  {_fmt(x['decided_on'])} {x['kind']} by {x['decided_by']}: {x['priority_before'] or 'none'} -> "
              f"{x['priority']}" + (f"; {x['what_changed']}" if x["what_changed"] else "")
              + (f"; reason: {x['reason']}" if x["reason"] else "") for x in d["decisions"]]
    lines += [f"  {_fmt(c['contact_date'])} check-in by {c['checked_by']}: {OUTCOMES[c['outcome']]}"
              + (f" - {c['notes']}" if c["notes"] else "") for c in d["check_ins"]]
    emit(d, as_json, "\n".join(lines))


@referrals_app.command("prioritise")
def prioritise_cmd(referral_id: RefArg, store: StoreOpt, answer: AnswerOpt = None,
                   notes: Annotated[str | None, typer.Option("--notes", help="Anything the supervisor should know.")]
                   = None, today: TodayOpt = None, actor: ActorOpt = None, as_json: JsonOpt = False) -> None:
    """Answer the tool's questions for a referral: its score, any override, and the computed priority."""
    from asc_assure.operations.prioritisation import prioritise

    d = run(prioritise, open_workspace(store), store, referral_id, _answers(answer), actor_or_default(actor),
            today_or_now(today), notes=notes)
    p = d["prioritisations"][0]
    extra = f", overrides: {', '.join(p['overrides'])}" if p["overrides"] else ""
    emit(d, as_json, f"prioritised {d['referral_id']}: score {p['score']} ({p['score_priority']}){extra} -> "
                     f"{p['priority']}; awaiting a practice supervisor's verification")


@referrals_app.command("verify")
def verify_cmd(referral_id: RefArg, store: StoreOpt, priority: PriorityOpt = None,
               reason: Annotated[str | None, typer.Option("--reason", help="Why the priority is changed.")] = None,
               today: TodayOpt = None, actor: ActorOpt = None, as_json: JsonOpt = False) -> None:
    """Practice supervisor: verify the priority as it stands, or change it with --priority and --reason."""
    from asc_assure.operations.prioritisation import verify

    d = run(verify, open_workspace(store), store, referral_id, actor_or_default(actor), today_or_now(today),
            priority=priority, reason=reason)
    x = d["decisions"][0]
    text = (f"verified {d['referral_id']} as {x['priority']}" if x["kind"] == "verified" else
            f"changed {d['referral_id']} from {x['priority_before'] or 'none'} to {x['priority']}: {x['reason']}")
    emit(d, as_json, text)


@referrals_app.command("reprioritise")
def reprioritise_cmd(
    referral_id: RefArg, store: StoreOpt,
    what_changed: Annotated[str, typer.Option("--what-changed", help="What changed in the person's circumstances.")],
    priority: PriorityOpt = None, answer: AnswerOpt = None,
    reason: Annotated[str | None, typer.Option(
        "--reason", help="Why, when --priority differs from what the re-answered questions give.")] = None,
    today: TodayOpt = None, actor: ActorOpt = None, as_json: JsonOpt = False,
) -> None:
    """Re-prioritise because circumstances changed: a new --priority, or --answer the questions again."""
    from asc_assure.operations.prioritisation import reprioritise

    d = run(reprioritise, open_workspace(store), store, referral_id, actor_or_default(actor), today_or_now(today),
            what_changed, priority=priority, answers=_answers(answer) or None, reason=reason)
    x = d["decisions"][0]
    emit(d, as_json, f"re-prioritised {d['referral_id']}: {x['priority_before'] or 'none'} -> {x['priority']} "
                     f"({x['what_changed']}); awaiting a practice supervisor's verification")


@referrals_app.command("check-in")
def check_in_cmd(
    referral_id: RefArg, store: StoreOpt,
    outcome: Annotated[str, typer.Option("--outcome", help="no_change, circumstances_changed, "
                                                           "no_longer_needs_assessment or not_reached.")],
    date: Annotated[str | None, typer.Option("--date", help="Date of the contact (YYYY-MM-DD; default today).")]
    = None,
    notes: Annotated[str | None, typer.Option("--notes", help="What was said; required when circumstances changed.")]
    = None,
    priority: Annotated[str | None, typer.Option(
        "--priority", help="With circumstances_changed: re-prioritise now to high, medium or low.")] = None,
    today: TodayOpt = None, actor: ActorOpt = None, as_json: JsonOpt = False,
) -> None:
    """Record a waiting-well contact with a person waiting (or an attempt that did not reach them)."""
    from asc_assure.commands.common import parse_date
    from asc_assure.operations.prioritisation import OUTCOMES, check_in

    d = run(check_in, open_workspace(store), store, referral_id, outcome, actor_or_default(actor),
            today_or_now(today), contact_date=parse_date(date, "--date"), notes=notes, priority=priority)
    c = d["check_ins"][0]
    emit(d, as_json, f"check-in recorded for {d['referral_id']} on {_fmt(c['contact_date'])}: "
                     f"{OUTCOMES[c['outcome']]}\n{_summary(d)}")


def register(app: typer.Typer, cqc_app: typer.Typer) -> None:
    """Attach ``asc-assure referrals``."""
    app.add_typer(referrals_app, name="referrals")

"""``asc-assure risks ...``: the risk register from the command line (add, list, show, rescore, update, heatmap)."""

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

risks_app = typer.Typer(help="The risk register: add, list, show, re-score and update risks; the heat map.",
                        no_args_is_help=True)

ActionsOpt = Annotated[str | None, typer.Option(
    "--actions", help="Improvement plan action references this risk is mitigated by, comma-separated.")]


def _line(r: dict[str, Any]) -> str:
    flag = " ESCALATED" if r["escalated"] else ""
    return (f"{r['ref']:<8} {r['residual_score']:>2} {r['band']:<9} {r['direction']:<9} {r['title']} "
            f"({r['owner']}){flag}")


def _detail(r: dict[str, Any]) -> str:
    lines = [f"{r['ref']}: {r['title']} [{r['status']}]",
             f"Owner: {r['owner']}    Category: {r['category'] or '-'}",
             f"Cause: {r['cause']}", f"Effect: {r['effect']}", f"Controls: {r['controls'] or '-'}",
             f"Linked actions: {', '.join(r['linked_actions']) or '-'}",
             f"Inherent: {r['inherent_likelihood']} x {r['inherent_impact']} = {r['inherent_score']}",
             f"Residual: {r['residual_likelihood']} x {r['residual_impact']} = {r['residual_score']} "
             f"({r['band']}); direction of travel: {r['direction']}"
             + ("; ESCALATED" if r["escalated"] else ""),
             "Score history:"]
    lines += [f"  {h['scored_on']}  inherent {h['inherent_score']:>2}  residual {h['residual_score']:>2} "
              f"({h['band']})  {h['actor']}{'  ' + h['note'] if h['note'] else ''}" for h in r["history"]]
    return "\n".join(lines)


@risks_app.command("add")
def add(
    store: StoreOpt,
    title: Annotated[str, typer.Option("--title", help="Short name of the risk.")],
    cause: Annotated[str, typer.Option("--cause", help="What could cause it.")],
    effect: Annotated[str, typer.Option("--effect", help="What would happen.")],
    owner: Annotated[str, typer.Option("--owner", help="Who owns the risk (a role or a person).")],
    inherent_likelihood: Annotated[int, typer.Option("--inherent-likelihood", help="1 (rare) to 5 (almost certain).")],
    inherent_impact: Annotated[int, typer.Option("--inherent-impact", help="1 (negligible) to 5 (severe).")],
    residual_likelihood: Annotated[int, typer.Option("--residual-likelihood", help="Likelihood with controls, 1-5.")],
    residual_impact: Annotated[int, typer.Option("--residual-impact", help="Impact with controls, 1-5.")],
    category: Annotated[str, typer.Option("--category", help="e.g. Workforce, Finance, Safeguarding.")] = "",
    controls: Annotated[str, typer.Option("--controls", help="Controls in place.")] = "",
    actions: ActionsOpt = None,
    ref: Annotated[str | None, typer.Option("--ref", help="Reference (default: the next R001, R002...).")] = None,
    scored_on: Annotated[str | None, typer.Option("--scored-on", help="Date of the scoring (default today).")] = None,
    actor: ActorOpt = None,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a risk with its first inherent and residual scores."""
    from asc_assure.assurance import risks

    ws = open_workspace(store)
    r = run(risks.add_risk, ws, actor=actor_or_default(actor), today=today_or_now(today), title=title, cause=cause,
            effect=effect, owner=owner, category=category, controls=controls, linked_actions=actions, ref=ref,
            inherent_likelihood=inherent_likelihood, inherent_impact=inherent_impact,
            residual_likelihood=residual_likelihood, residual_impact=residual_impact,
            scored_on=parse_date(scored_on, "--scored-on"))
    emit(r, as_json, f"added {_line(r)}")


@risks_app.command("list")
def list_(
    store: StoreOpt,
    band: Annotated[str | None, typer.Option("--band", help="Only this band (e.g. High, 'Very high').")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Only this owner.")] = None,
    escalated: Annotated[bool | None, typer.Option("--escalated/--not-escalated",
                                                   help="Only escalated (or only not escalated) risks.")] = None,
    status: Annotated[str, typer.Option("--status", help="open, closed or all.")] = "open",
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the register, highest residual score first (as it stood on --today, default today)."""
    from asc_assure.assurance import risks

    if status not in ("open", "closed", "all"):
        fail(f"--status must be open, closed or all, not {status!r}")
    ws = open_workspace(store)
    found = run(risks.list_risks, ws, today_or_now(today), status=None if status == "all" else status, band=band,
                owner=owner, escalated=escalated)
    emit(found, as_json, "\n".join(_line(r) for r in found) or "no risks match")


@risks_app.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="Risk reference, e.g. R001.")],
    store: StoreOpt,
    today: Annotated[str | None, typer.Option("--today", help="Show the risk as it stood on this date.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one risk with its score history, direction of travel and escalation."""
    from asc_assure.assurance import risks

    ws = open_workspace(store)
    r = run(risks.get_risk, ws, ref, parse_date(today, "--today"))
    emit(r, as_json, _detail(r))


@risks_app.command("rescore")
def rescore(
    ref: Annotated[str, typer.Argument(help="Risk reference, e.g. R001.")],
    store: StoreOpt,
    residual_likelihood: Annotated[int, typer.Option("--residual-likelihood", help="1-5.")],
    residual_impact: Annotated[int, typer.Option("--residual-impact", help="1-5.")],
    inherent_likelihood: Annotated[int | None, typer.Option("--inherent-likelihood",
                                                            help="1-5 (default: unchanged).")] = None,
    inherent_impact: Annotated[int | None, typer.Option("--inherent-impact", help="1-5 (default: unchanged).")] = None,
    on: Annotated[str | None, typer.Option("--on", help="Date of the review (default today).")] = None,
    note: Annotated[str, typer.Option("--note", help="Why the score changed.")] = "",
    actor: ActorOpt = None,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a new scoring; it is added to the history and direction of travel is recomputed."""
    from asc_assure.assurance import risks

    ws = open_workspace(store)
    r = run(risks.rescore, ws, ref, actor=actor_or_default(actor), today=today_or_now(today),
            residual_likelihood=residual_likelihood, residual_impact=residual_impact,
            inherent_likelihood=inherent_likelihood, inherent_impact=inherent_impact, on=parse_date(on, "--on"),
            note=note)
    extra = {"escalated": " -- now ESCALATED", "de-escalated": " -- no longer escalated"}.get(r["escalation"], "")
    emit(r, as_json, f"re-scored {_line(r)}{extra}")


@risks_app.command("update")
def update(
    ref: Annotated[str, typer.Argument(help="Risk reference, e.g. R001.")],
    store: StoreOpt,
    title: Annotated[str | None, typer.Option("--title")] = None,
    cause: Annotated[str | None, typer.Option("--cause")] = None,
    effect: Annotated[str | None, typer.Option("--effect")] = None,
    owner: Annotated[str | None, typer.Option("--owner")] = None,
    category: Annotated[str | None, typer.Option("--category")] = None,
    controls: Annotated[str | None, typer.Option("--controls")] = None,
    actions: ActionsOpt = None,
    status: Annotated[str | None, typer.Option("--status", help="open or closed.")] = None,
    actor: ActorOpt = None,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a risk's description, owner, controls, linked actions, or close/reopen it."""
    from asc_assure.assurance import risks

    ws = open_workspace(store)
    given = {k: v for k, v in {"title": title, "cause": cause, "effect": effect, "owner": owner, "category": category,
                               "controls": controls, "linked_actions": actions, "status": status}.items()
             if v is not None}
    if not given:
        fail("nothing to change: give at least one of --title, --cause, --effect, --owner, --category, --controls, "
             "--actions, --status")
    r = run(risks.update_risk, ws, ref, actor=actor_or_default(actor), today=today_or_now(today), **given)
    emit(r, as_json, f"updated {r['ref']}: {', '.join(r['changed']) or 'nothing changed'}")


@risks_app.command("heatmap")
def heatmap(
    store: StoreOpt,
    which: Annotated[str, typer.Option("--which", help="residual or inherent.")] = "residual",
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Count open risks on the 5x5 matrix (rows: likelihood 5 to 1; columns: impact 1 to 5)."""
    from asc_assure.assurance import risks

    ws = open_workspace(store)
    grid = run(risks.heat_map, ws, which, parse_date(today, "--today"))
    lines = [f"{which.capitalize()} risks. Rows: likelihood; columns: impact 1-5.", "      1  2  3  4  5"]
    lines += [f"L{lik}   " + " ".join(f"{grid[lik - 1][i]:>2}" for i in range(5)) for lik in range(5, 0, -1)]
    emit(grid, as_json, "\n".join(lines))


def register(app: typer.Typer, cqc_app: typer.Typer) -> None:
    """Attach ``asc-assure risks``."""
    app.add_typer(risks_app, name="risks")

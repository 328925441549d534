"""``asc-assure schedule``: plan assessment appointments for the waiting list, against the baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from asc_assure.commands.common import JsonOpt, StoreOpt, emit, fail, parse_date, require_store


def register(app: typer.Typer, cqc_app: typer.Typer) -> None:
    """Attach the top-level ``asc-assure schedule`` command."""
    app.command("schedule")(schedule)


def _fmt(value: Any) -> str:
    return "-" if value is None else str(value)


def _text(m: dict[str, Any], out: Path | None) -> str:
    o, b, s = m["optimiser"], m["baseline"], m["solver"]
    lines = [f"Appointment plan {m['from']} to {m['to']} ({m['working_days']} working days): "
             f"{m['people']} people waiting, {m['workers']} workers",
             "targets (working days from referral): " + ", ".join(f"{k} {v}" for k, v in m["targets"].items()),
             "", f"{'':24}{'optimiser':>12}{'baseline':>12}"]
    for label, key in (("scheduled", "scheduled"), ("not scheduled", "unscheduled"), ("mean wait", "mean_wait"),
                       ("95th percentile wait", "p95_wait"), ("longest wait", "max_wait"),
                       ("breaches", "breaches"), ("visits outside base", "travel_visits")):
        lines.append(f"{label:24}{_fmt(o[key]):>12}{_fmt(b[key]):>12}")
    gap = s.get("gap")
    lines += ["", f"solver: {s.get('solver')}, {s.get('status')}, gap "
                  f"{'-' if gap is None else f'{gap:.2%}'}, {s.get('solve_seconds')} s"]
    for reason, n in o["unscheduled_reasons"].items():
        lines.append(f"not scheduled: {n} - {reason}")
    if out is not None:
        lines.append(f"wrote {out}")
    return "\n".join(lines)


def schedule(
    store: StoreOpt,
    start: Annotated[str, typer.Option("--from", help="First day of the plan (YYYY-MM-DD); a non-working day "
                                                      "starts the plan on the next working day.")],
    days: Annotated[int, typer.Option("--days", help="Working days to plan (1 to 130).")] = 60,
    out: Annotated[Path | None, typer.Option("--out", help="Write the plan here as CSV (pseudonymised keys only).")
                   ] = None,
    team: Annotated[list[str] | None, typer.Option("--team", help="Plan only this team (repeat for several).")
                    ] = None,
    settings_file: Annotated[Path | None, typer.Option("--settings", help="Scheduler settings YAML (targets, "
                                                                          "weights, solver limits).")] = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="Solver time limit in seconds.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Solver random seed (same seed, same plan).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Give everyone waiting for an assessment an appointment, and compare with first-in first-out.

    Reads the waiting list, staff roster and staff leave from the store; plans with the optimiser and
    with the baseline (first in, first out within priority); checks both plans; prints mean, 95th
    percentile and longest wait, breaches and people not scheduled side by side.
    """
    from asc_assure.operations.scheduling import ScheduleError, load_settings, run_schedule

    first = parse_date(start, "--from")
    require_store(store)
    if time_limit is not None and time_limit <= 0:
        fail(f"--time-limit must be a positive number of seconds, not {time_limit}")
    try:
        settings = load_settings(settings_file).with_solver(time_limit=time_limit, seed=seed)
        result = run_schedule(store, first, days, team or None, settings)
    except ScheduleError as exc:
        fail(str(exc))
    if out is not None:
        out.write_text(result.csv_text(), encoding="utf-8")
    metrics = result.metrics()
    if out is not None:
        metrics["plan_csv"] = str(out)
    emit(metrics, as_json, _text(metrics, out))

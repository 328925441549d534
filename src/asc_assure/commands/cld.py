"""``asc-assure cld ...``: check a CLD file before submission, and DHSC's waiting times from the CLD.

Thin wrappers over ``asc_assure.data.cld_validate`` (with the report writers in
``asc_assure.reports.cld_validation``) and ``asc_assure.measures.dhsc.waiting_times``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from asc_assure.commands.common import JsonOpt, StoreOpt, emit, fail, parse_date, today_or_now

cld_app = typer.Typer(help="The CLD return: check a file against the specification before submitting it, and "
                           "DHSC's dashboard waiting times worked out from the council's CLD.",
                      no_args_is_help=True)


def _day(value: str | None) -> str:
    return "/".join(reversed(value.split("-"))) if value else "not known"


def _validation_text(data: dict[str, Any], shown: int) -> str:
    lines = [f"{data['file']}: {data['rows']:,} rows, {data['errors']:,} errors, {data['warnings']:,} warnings"]
    if not data["readable"]:
        lines = [f"{data['file']}: cannot be read: {data['reason']}"]
        return "\n".join(lines)
    lines.append(f"Reporting period {_day(data['period_start'])} to {_day(data['period_end'])}"
                 f" ({'as given' if data['period_source'] == 'given' else 'as stated in the file'})")
    if data["summary"]:
        lines += ["", "By rule:"]
        lines += [f"  {s['severity']:<8} {s['count']:>8,}  {s['rule']:<30} {s['title']}" for s in data["summary"]]
        lines += ["", f"First {min(shown, len(data['issues']))} problems (row, field, rule: message):"]
        for i in data["issues"][:shown]:
            row = "file" if i["row"] is None else f"row {i['row']}"
            value = f" [{i['value']}]" if i["value"] not in (None, "") else ""
            lines.append(f"  {row}, {i['field']}, {i['rule']} ({i['severity']}): {i['message']}{value}")
    else:
        lines.append("No problems found.")
    return "\n".join(lines)


@cld_app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="The CLD file to check (CSV or XLSX, as it will be submitted).")],
    out: Annotated[Path | None, typer.Option(
        "--out", help="Also write the full report: report.xlsx (Summary and Issues sheets) or report.html.")] = None,
    period_start: Annotated[str | None, typer.Option(
        "--period-start", help="Reporting period start (YYYY-MM-DD); default: as stated in the file.")] = None,
    period_end: Annotated[str | None, typer.Option(
        "--period-end", help="Reporting period end (YYYY-MM-DD); default: as stated in the file.")] = None,
    today: Annotated[str | None, typer.Option(
        "--today", help="Treat this date as today: no event may start after it (default: today).")] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="Problems to list on screen or in JSON.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Check a CLD file against the specification: every error and warning with row, field and rule.

    Exit code 0 when there are no errors (warnings allowed), 1 when there are errors, 2 when the file
    cannot be read at all. Nothing is loaded into the store.
    """
    from asc_assure.data.cld_validate import validate_cld
    from asc_assure.reports.cld_validation import write_report

    if out is not None and out.suffix.lower() not in {".xlsx", ".html", ".htm"}:
        fail(f"--out {out.name!r} must end in .xlsx or .html")
    start, end = parse_date(period_start, "--period-start"), parse_date(period_end, "--period-end")
    if start and end and end < start:
        fail("--period-end is before --period-start")
    result = validate_cld(file, start, end, today=today_or_now(today))
    data = result.to_dict(limit=limit)
    emit(data, as_json, _validation_text(data, limit))
    if out is not None:
        write_report(result, out)
        typer.echo(f"wrote {out}", err=as_json)
    raise typer.Exit(result.exit_code)


def _median_text(cell: dict[str, Any] | None) -> str:
    if not cell:
        return "—"
    return f"{cell['median_days']:g} ({cell['waits']})" if isinstance(cell["median_days"], float) else \
        f"{cell['median_days']} ({cell['waits']})"


@cld_app.command("waiting-times")
def waiting_times_cmd(
    store: StoreOpt,
    first: Annotated[str | None, typer.Option(
        "--from", help="First quarter: Q1 2024-25, or any date in the quarter (default: the earliest).")] = None,
    last: Annotated[str | None, typer.Option(
        "--to", help="Last quarter: Q4 2024-25, or any date in the quarter (default: the latest).")] = None,
    public: Annotated[bool, typer.Option(
        "--public", help="Apply small-number suppression (for figures shared outside the council).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """DHSC dashboard waiting times (median days from request to first response and to first service, by
    quarter and age band), beside the council's own waiting-list measures for the same quarters."""
    from asc_assure.measures.dhsc.waiting_times import AGE_BANDS, METRICS, WaitingTimesError, parse_quarter, reconcile

    try:
        lo = parse_quarter(first) if first else None
        hi = parse_quarter(last) if last else None
        data = reconcile(store, lo, hi, public=public)
    except WaitingTimesError as exc:
        fail(str(exc))
    quarters = data["quarters"]
    lines = ["DHSC waiting times from the CLD: median days (number of waits)", ""]
    heads = [f"{'First response' if m == METRICS[0] else 'First service'} {b}" for m in METRICS for b in AGE_BANDS]
    lines.append(f"{'Quarter':<30}" + "".join(f"{h:>28}" for h in heads))
    for q in quarters:
        cells = [_median_text(q["cells"].get((m, b))) for m in METRICS for b in AGE_BANDS]
        lines.append(f"{q['quarter']:<30}" + "".join(f"{c:>28}" for c in cells))
    if not quarters:
        lines.append("No waits in these quarters.")
    if data["referrals_loaded"] and quarters:
        lines += ["", "The council's own measures for the same quarters:"]
        for q in quarters:
            op = q["operational"]
            parts = [f"{v['title']}: {v['value'] if v['value'] is not None else '—'}" for v in op.values()]
            lines.append(f"  {q['quarter']}: " + "; ".join(parts))
    lines += ["", "Why they differ:"] + [f"  {d['topic']}: {d['text']}" for d in data["differences"]]
    payload = {**data, "quarters": [{**q, "cells": [{"metric": m, "age_band": b, **c}
                                                    for (m, b), c in q["cells"].items()]} for q in quarters]}
    emit(payload, as_json, "\n".join(lines))


def register(app: typer.Typer, cqc_app: typer.Typer) -> None:
    """Attach ``asc-assure cld`` (validate, waiting-times)."""
    app.add_typer(cld_app, name="cld")

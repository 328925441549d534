"""``asc-assure workforce``: staffing, vacancies, turnover, agency use, sickness and caseloads by team and role.

A thin wrapper over :mod:`asc_assure.measures.workforce`; every figure comes from the registry's
workforce measures, so it matches the measure pages, the weekly pack and the monthly report.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from asc_assure.commands.common import JsonOpt, StoreOpt, emit, fail, parse_date, require_store

AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", help="Date to report at (YYYY-MM-DD; default: the date of the newest workforce extract). "
                    "The latest snapshot on or before it is used.")]


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths, strict=True)))
    out = [line, "  ".join("-" * w for w in widths)]
    for r in rows:
        out.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                             for i, (c, w) in enumerate(zip(r, widths, strict=True))))
    return out


def _cell(cell: dict[str, Any] | None) -> str:
    if cell is None:
        return "-"
    return cell["text"] + (f" {cell['rag_text']}" if cell.get("rag") else "")


def render_text(s: dict[str, Any]) -> str:
    """The summary as plain text for a terminal: council-wide figures, teams, roles, caseload flags."""
    lines = [f"Workforce as at {s['as_of_text']} (latest snapshot {s['snapshot_text']})", "", "Council-wide:"]
    for h in s["headline"]:
        value = h["value_text"] if h["value_text"] is not None else h["reason"]
        rating = f" (target {h['target_text']}: {h['rag_text']})" if h["target"] is not None else ""
        lines.append(f"  {h['title']}: {value}{rating}")
    cols = s["columns"]
    lines += ["", "By team (RAG against target after each rate):"]
    lines += ["  " + x for x in _table(["Team", *[c["label"] for c in cols], "Caseload"],
                                       [[t["team"], *[_cell(t["cells"].get(c["id"])) for c in cols],
                                         t["status_text"]] for t in s["teams"]])]
    lines += ["", "By role:"]
    lines += ["  " + x for x in _table(["Role", *[c["label"] for c in cols], "Ceiling", "Caseload"],
                                       [[r["role"], *[_cell(r["cells"].get(c["id"])) for c in cols], r["ceiling_text"],
                                         r["status_text"] if r["case_holding"] else "Not case-holding"]
                                        for r in s["roles"]])]
    flagged = s["caseload_flagged"] + s["roles_near_ceiling"]
    lines += ["", f"Caseload against ceiling ({s['settings']['near_ceiling_pct']:g}% of a ceiling counts as near it):"]
    if flagged:
        lines += ["  " + x for x in _table(["Team", "Role", "Open cases", "FTE", "Cases per FTE", "Ceiling", "Status"],
                                           [[r["team"], r["role"], r["open_cases_text"], r["fte_text"],
                                             r["caseload_text"], r["ceiling_text"], r["status_text"]]
                                            for r in flagged])]
    else:
        lines.append("  No team and role is over or near its caseload ceiling.")
    if s["teams_over_ceiling"]:
        lines.append(f"  Teams over a ceiling: {', '.join(s['teams_over_ceiling'])}")
    return "\n".join(lines)


def workforce(store: StoreOpt, as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """Workforce summary: headcount, FTE, vacancies, turnover, agency use, sickness and caseload per FTE
    by team and role, with caseloads checked against each role's ceiling and trends over the month ends."""
    from asc_assure.measures.workforce import WorkforceError, build_summary

    require_store(store)
    try:
        summary = build_summary(store, parse_date(as_of, "--as-of"))
    except WorkforceError as exc:
        fail(str(exc))
    emit(summary, as_json, render_text(summary))


def register(app: typer.Typer, cqc_app: typer.Typer) -> None:
    """Attach ``asc-assure workforce``."""
    app.command("workforce")(workforce)

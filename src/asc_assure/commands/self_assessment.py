"""``asc-assure cqc self-assessment`` and ``asc-assure cqc scores``: the self-assessment from the command line.

Thin wrappers over :mod:`asc_assure.assurance.self_assessment`, :mod:`asc_assure.assurance.scores` and
:mod:`asc_assure.reports.self_assessment`; bad input is reported with ``fail()`` (exit code 2).
"""

from __future__ import annotations

from pathlib import Path
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
    print_or_write,
    run,
    today_or_now,
)

sa_app = typer.Typer(help="The self-assessment: per CQC theme ambition, strengths, areas for improvement and key "
                          "statistics linked to measures; review workflow, history and Word/PDF exports.",
                     no_args_is_help=True)
scores_app = typer.Typer(help="Quality statement scores: the council's self-assessed scores with rationale, CQC's "
                              "actual scores, and the two side by side.", no_args_is_help=True)

ThemeOpt = Annotated[str, typer.Option("--theme", help="Theme slug (see `asc-assure cqc framework`) or 'overview'.")]
OptionalThemeOpt = Annotated[str | None, typer.Option(
    "--theme", help="Theme slug or 'overview' (leave out for the whole self-assessment).")]
WhichOpt = Annotated[bool, typer.Option(
    "--approved", help="Use each section's newest approved version instead of its newest version.")]
PublicOpt = Annotated[bool, typer.Option("--public", help="Suppress small numbers (for documents that are "
                                                          "published or leave the council).")]


def register(app: typer.Typer, cqc_app: typer.Typer) -> None:
    """Attach ``self-assessment`` and ``scores`` under ``asc-assure cqc``."""
    cqc_app.add_typer(sa_app, name="self-assessment")
    cqc_app.add_typer(scores_app, name="scores")


def _sa():
    from asc_assure.assurance import self_assessment

    return self_assessment


def _version_line(v: dict[str, Any]) -> str:
    extra = ""
    if v.get("submitted_by"):
        extra += f"; submitted by {v['submitted_by']}"
    if v.get("decided_by"):
        extra += f"; {'approved' if v['status'] == 'approved' else 'returned'} by {v['decided_by']}"
    if v.get("decision_comment"):
        extra += f": {v['decision_comment']}"
    note = f" — {v['note']}" if v.get("note") else ""
    return f"  v{v['version']:<3} {v['status_text']:<22} {v['created_at']} {v['created_by']}{note}{extra}"


def _public_version(v: dict[str, Any]) -> dict[str, Any]:
    return {k: v[k] for k in ("section", "version", "status", "status_text", "content", "note", "based_on",
                              "created_at", "created_by", "submitted_at", "submitted_by", "decided_at",
                              "decided_by", "decision_comment")}


@sa_app.command("show")
def show(store: StoreOpt, theme: OptionalThemeOpt = None,
         version: Annotated[int | None, typer.Option("--version", help="Show this version (default newest).")] = None,
         today: TodayOpt = None, as_json: JsonOpt = False) -> None:
    """Without --theme: every section's status. With --theme: its content, key statistics resolved from the data."""
    from asc_assure.assurance import key_statistics as ks

    ws = open_workspace(store)
    sa = _sa()
    if theme is None:
        rows = run(sa.status_summary, ws)
        lines = ["Self-assessment sections:"]
        lines += [f"  {r['slug']:<22} {'v' + str(r['version']) if r['version'] else '—':<5} {r['status_text']:<22}"
                  + (f" (approved: v{r['approved_version']})" if r["approved_version"] else "") for r in rows]
        emit(rows, as_json, "\n".join(lines))
        return
    v = run(sa.get_version, ws, theme, version) if version else run(sa.latest, ws, theme)
    if v is None:
        fail(f"{run(sa.section_title, theme)} has not been written yet (use `import` to add it)")
    stats = ks.resolve(store, v["content"].get("key_statistics") or [], ks.default_as_of(store, today_or_now(today)))
    lines = [f"{sa.section_title(theme)} — version {v['version']} ({v['status_text']})", _version_line(v), ""]
    lines += sa.content_lines(theme, v["content"])
    if stats:
        lines += ["", "Key statistics now:"] + [f"  [{s['group']}] {ks.statistic_line(s)}" for s in stats]
    emit({**_public_version(v), "key_statistics_resolved": stats}, as_json, "\n".join(lines))


@sa_app.command("import")
def import_(file: Annotated[Path, typer.Argument(help="YAML file: `overview:` text and `themes:` by slug "
                                                      "(the shape `export-yaml` writes).")],
            store: StoreOpt, note: Annotated[str, typer.Option("--note", help="What changed (kept with each "
                                                                              "new version).")] = "",
            actor: ActorOpt = None, as_json: JsonOpt = False) -> None:
    """Save each section in a YAML file as a new draft version (unchanged sections are left alone)."""
    ws = open_workspace(store)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {exc}")
    results = run(_sa().import_yaml, ws, text, actor_or_default(actor), note)
    lines = [f"  {r['section']:<22} " + (f"saved as version {r['version']}" if r["saved"] else
                                         f"unchanged (version {r['version']})" if r["version"] else "empty, not saved")
             for r in results]
    emit(results, as_json, "\n".join(["Imported:", *lines]))


@sa_app.command("export-yaml")
def export_yaml(store: StoreOpt,
                out: Annotated[Path | None, typer.Option("--out", help="Write here (default: print).")] = None) -> None:
    """Write the newest version of every section as YAML, to edit and `import` again."""
    print_or_write(_sa().export_yaml(open_workspace(store)), out)


def _workflow(action: str, store: Path, theme: str, actor: str | None, text: str) -> None:
    sa = _sa()
    ws = open_workspace(store)
    fn = {"submit": sa.submit, "approve": sa.approve, "return": sa.return_for_changes}[action]
    v = run(fn, ws, theme, actor_or_default(actor), text)
    typer.echo(f"{sa.section_title(theme)} version {v['version']} is now {v['status_text'].lower()}")


@sa_app.command("submit")
def submit(store: StoreOpt, theme: ThemeOpt,
           note: Annotated[str, typer.Option("--note", help="A note for the reviewer.")] = "",
           actor: ActorOpt = None) -> None:
    """Send the newest draft of a section for review."""
    _workflow("submit", store, theme, actor, note)


@sa_app.command("approve")
def approve(store: StoreOpt, theme: ThemeOpt,
            comment: Annotated[str, typer.Option("--comment", help="Optional comment.")] = "",
            actor: ActorOpt = None) -> None:
    """Approve the version in review (not by the person who submitted it)."""
    _workflow("approve", store, theme, actor, comment)


@sa_app.command("return")
def return_(store: StoreOpt, theme: ThemeOpt,
            comment: Annotated[str, typer.Option("--comment", help="What needs to change (required).")],
            actor: ActorOpt = None) -> None:
    """Return the version in review to its author with a comment."""
    _workflow("return", store, theme, actor, comment)


@sa_app.command("history")
def history(store: StoreOpt, theme: ThemeOpt, as_json: JsonOpt = False) -> None:
    """Every version of a section, newest first: who saved it, when, its status and review decisions."""
    sa = _sa()
    versions = run(sa.history, open_workspace(store), theme)
    emit([_public_version(v) for v in versions], as_json,
         "\n".join([f"{sa.section_title(theme)}:", *[_version_line(v) for v in versions]] if versions
                   else [f"{sa.section_title(theme)} has no versions yet"]))


@sa_app.command("diff")
def diff(store: StoreOpt, theme: ThemeOpt,
         from_version: Annotated[int, typer.Option("--from", help="Older version number.")],
         to_version: Annotated[int, typer.Option("--to", help="Newer version number.")],
         as_json: JsonOpt = False) -> None:
    """What changed between two versions of a section, item by item."""
    sa = _sa()
    d = run(sa.diff, open_workspace(store), theme, from_version, to_version)
    header = f"{d['title']}: version {from_version} -> version {to_version}"
    emit({"section": theme, "from": from_version, "to": to_version, "changes": d["changes"]}, as_json,
         "\n".join([header, *sa.diff_lines(d["changes"])]))


@sa_app.command("export")
def export(store: StoreOpt,
           out: Annotated[Path, typer.Option("--out", help="FILE.docx or FILE.pdf")],
           theme: OptionalThemeOpt = None,
           fmt: Annotated[str | None, typer.Option("--format", help="docx or pdf (default: from --out).")] = None,
           approved: WhichOpt = False, public: PublicOpt = False, today: TodayOpt = None) -> None:
    """Export one theme (--theme) or the whole self-assessment to Word or PDF; drafts are marked DRAFT."""
    from asc_assure.reports import self_assessment as rep

    ws = open_workspace(store)
    path = run(rep.export, ws, store, out, today_or_now(today), theme, fmt,
               "approved" if approved else "latest", public)
    typer.echo(f"wrote {path}")


@sa_app.command("summary")
def summary(store: StoreOpt, out: Annotated[Path, typer.Option("--out", help="FILE.pdf or FILE.docx")],
            approved: WhichOpt = False, public: PublicOpt = False, today: TodayOpt = None) -> None:
    """Write the executive summary (at most 4 A4 pages; what had to be left out is listed in it)."""
    from asc_assure.reports import self_assessment as rep

    doc = run(rep.export_summary, open_workspace(store), store, out, today_or_now(today), None,
              "approved" if approved else "latest", public)
    typer.echo(f"wrote {out}" + (f" (trimmed to fit {rep.SUMMARY_MAX_PAGES} pages: {len(doc.trimmed)} note(s))"
                                 if doc.trimmed else ""))


# -- scores ----------------------------------------------------------------------------------------
def _pairs(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        slug, sep, value = pair.partition("=")
        slug, value = slug.strip(), value.strip()
        if not sep or not slug or not value:
            fail(f"{pair!r} must be SLUG=N, e.g. safeguarding=3")
        if slug in out:
            fail(f"quality statement {slug!r} is given more than once")
        out[slug] = value
    return out


ScorePairs = Annotated[list[str], typer.Argument(help="SLUG=N, N from 1 to 4 (see `asc-assure cqc framework`).")]


@scores_app.command("set")
def scores_set(pairs: ScorePairs, store: StoreOpt,
               rationale: Annotated[str, typer.Option("--rationale", help="Why: the evidence behind the score.")],
               actor: ActorOpt = None, today: TodayOpt = None, as_json: JsonOpt = False) -> None:
    """Record self-assessed score(s) with a rationale; every change is kept with its date and who made it."""
    from asc_assure.assurance import scores

    saved = run(scores.set_self_scores, open_workspace(store), _pairs(pairs), rationale, actor_or_default(actor),
                today_or_now(today))
    emit(saved, as_json, "\n".join(f"{r['statement']}: {r['score']} ({r['rationale']})" for r in saved))


@scores_app.command("actual")
def scores_actual(pairs: ScorePairs, store: StoreOpt,
                  assessed_on: Annotated[str, typer.Option("--assessed-on", help="Date of CQC's assessment.")],
                  report_date: Annotated[str | None, typer.Option(
                      "--report-date", help="Date CQC published its report.")] = None,
                  rating: Annotated[str | None, typer.Option(
                      "--rating", help="The overall rating CQC published, e.g. Good.")] = None,
                  actor: ActorOpt = None, as_json: JsonOpt = False) -> None:
    """Record CQC's published scores for an assessment (statements CQC did not assess may be left out)."""
    from asc_assure.assurance import scores

    when = parse_date(assessed_on, "--assessed-on")
    a = run(scores.record_actual, open_workspace(store), _pairs(pairs), when, actor_or_default(actor),
            report_date=parse_date(report_date, "--report-date"), published_rating=rating)
    emit(a, as_json, f"CQC assessment of {a['assessed_on']}: " + ", ".join(f"{k}={v}" for k, v in a["scores"].items()))


@scores_app.command("compare")
def scores_compare(store: StoreOpt, as_json: JsonOpt = False) -> None:
    """Self-assessed and CQC scores side by side, with the overall result of each by CQC's method."""
    from asc_assure.assurance import scores

    c = run(scores.comparison, open_workspace(store))
    lines = [f"{'Quality statement':<46} {'self':>4} {'CQC':>4}  difference"]
    for r in c["statements"]:
        lines.append(f"{r['title'][:46]:<46} {r['self_score'] or '—'!s:>4} {r['cqc_score'] or '—'!s:>4}  "
                     f"{r['agreement'] or ''}")
    for key, label in (("self", "Self-assessment"), ("cqc", "CQC")):
        o = c[key]
        lines.append(f"{label}: " + (f"{o['total']}/{o['max']} = {o['percent']}% {o['rating']}"
                                     + ("" if o["complete"] else f" (over {o['statements_scored']} statements)")
                                     if o else "no scores recorded"))
    if c["assessment"]:
        lines.append(f"CQC assessment of {c['assessment']['assessed_on']}"
                     + (f", report {c['assessment']['report_date']}" if c["assessment"]["report_date"] else ""))
    emit(c, as_json, "\n".join(lines))


@scores_app.command("history")
def scores_history(store: StoreOpt,
                   statement: Annotated[str | None, typer.Argument(help="Quality statement slug (default all).")]
                   = None, as_json: JsonOpt = False) -> None:
    """Every self-assessed score recorded, newest first, with date, who and rationale."""
    from asc_assure.assurance import scores

    found = run(scores.self_score_history, open_workspace(store), statement)
    emit(found, as_json, "\n".join(f"{r['scored_on']} {r['recorded_by']:<20} {r['statement']}={r['score']}  "
                                   f"{r['rationale']}" for r in found) or "No self-assessed scores yet")

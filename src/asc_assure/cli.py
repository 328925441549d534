"""The ``asc-assure`` command. Each command is a thin wrapper over the core packages.

Exit codes: 0 success; 2 a file could not be read or recognised, or bad arguments/store; 1 a bug.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from asc_assure.commands.common import JsonOpt, StoreOpt, emit, fail, parse_date, print_or_write
from asc_assure.data.contracts import KINDS, ContractError, all_contracts

app = typer.Typer(
    help="ASC Assure: adult social care performance and CQC assurance from the council's own data.",
    no_args_is_help=True,
    add_completion=False,
)
store_app = typer.Typer(help="Inspect the store: summary, errors, audit log, restricted look-ups.",
                        no_args_is_help=True)
contracts_app = typer.Typer(help="The data contracts: list them, or publish them as Markdown.",
                            no_args_is_help=True)
measures_app = typer.Typer(help="Meaningful Measures: list the registry, compute measures, keep snapshots.")
app.add_typer(store_app, name="store")
app.add_typer(contracts_app, name="contracts")
app.add_typer(measures_app, name="measures")
cqc_app = typer.Typer(help="The CQC assessment framework: list it, or rate a set of quality statement scores.",
                      no_args_is_help=True)
app.add_typer(cqc_app, name="cqc")

# Shared helpers live in commands.common so that area command modules can use them too.
_emit, _fail, _print_or_write, _parse_date = emit, fail, print_or_write, parse_date


@app.command()
def templates(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the blank CSV templates into.")],
    kind: Annotated[list[str] | None, typer.Option("--kind", help="Only these kinds (repeatable).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Write a blank CSV template (header row) for every extract the council can load."""
    unknown = [k for k in kind or [] if k not in KINDS]
    if unknown:
        _fail(f"unknown kind(s) {', '.join(unknown)}; known: {', '.join(KINDS)}")
    from asc_assure.data.contract_docs import write_templates

    written = write_templates(out, kind)
    _emit([str(p) for p in written], as_json, "\n".join(f"wrote {p}" for p in written))


@contracts_app.command("list")
def contracts_list(as_json: JsonOpt = False) -> None:
    """List the extract kinds with their version and required columns."""
    rows = [
        {"kind": c.kind, "title": c.title, "version": c.version, "required": c.required,
         "key": list(c.key), "columns": len(c.columns)}
        for c in all_contracts().values()
    ]
    text = "\n".join(f"{r['kind']:<24} v{r['version']:<12} {r['title']}" for r in rows)
    _emit(rows, as_json, text)


@contracts_app.command("doc")
def contracts_doc(
    out: Annotated[Path | None, typer.Option("--out", help="Write Markdown here (default: print).")] = None,
) -> None:
    """Render the contracts as Markdown (this is how docs/data-contract.md is made)."""
    from asc_assure.data.contract_docs import render_markdown

    _print_or_write(render_markdown(), out)


@app.command()
def ingest(
    files: Annotated[list[Path], typer.Argument(help="CSV or XLSX extracts to load.")],
    store: StoreOpt,
    kind: Annotated[str | None, typer.Option("--kind", help="Extract kind, if the header is ambiguous.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date the extract was taken (default today).")] = None,
    key_file: Annotated[Path | None, typer.Option("--key-file", help="Pseudonymisation key file.")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="XLSX sheet to read.")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write every row problem to this CSV.")] = None,
    user: Annotated[str, typer.Option("--user", help="Who is loading (for the audit log).")] = "cli",
    as_json: JsonOpt = False,
) -> None:
    """Validate and load extracts; bad rows are quarantined with reasons, good rows load."""
    from asc_assure.data.ingest import ingest_files, write_error_report
    from asc_assure.data.pseudonymise import PseudonymKeyError
    from asc_assure.data.store import Store, StoreError

    if kind is not None and kind not in KINDS:
        _fail(f"unknown kind {kind!r}; known: {', '.join(KINDS)}")
    date = _parse_date(as_of, "--as-of")
    try:
        results = ingest_files(store, files, kind=kind, as_of=date, key_file=key_file, actor=user, sheet=sheet)
    except (StoreError, PseudonymKeyError, ContractError) as exc:
        _fail(str(exc))
        return
    if report is not None:
        loaded = [r.load_id for r in results if r.load_id]
        n = write_error_report(Store(store) if loaded else None, loaded, report)
        if not as_json:
            typer.echo(f"wrote {n} row problem(s) to {report}")
    lines = []
    for r in results:
        if r.status == "failed":
            lines.append(f"FAILED  {r.file}: {r.reason}")
        elif r.status == "duplicate":
            lines.append(f"SKIPPED {r.file}: already loaded as {r.duplicate_of}; nothing changed")
        else:
            lines.append(f"LOADED  {r.file} as {r.kind}: {r.rows_read} read, {r.rows_loaded} loaded, "
                         f"{r.rows_quarantined} quarantined, {r.warnings_total} warning(s)")
            for e in r.errors[:5]:
                lines.append(f"        row {e['row']}, {e['column']}: {e['message']}"
                             + (f" (value {e['value']!r})" if e["value"] is not None else ""))
            if r.errors_total + r.warnings_total > 5:
                lines.append("        ... use --report FILE for every problem")
    _emit([r.to_dict() for r in results], as_json, "\n".join(lines))
    if any(r.status == "failed" for r in results):
        raise typer.Exit(2)


def _open_store(path: Path):
    from asc_assure.data.store import Store, StoreError

    try:
        return Store(path)
    except StoreError as exc:
        _fail(str(exc))


@store_app.command("summary")
def store_summary(store: StoreOpt, as_json: JsonOpt = False) -> None:
    """Row counts by kind and as-of date, and the last loads."""
    s = _open_store(store)
    data = s.summary()
    lines = [f"Store {data['store']}: {data['loads']} load(s)"]
    for kind, k in data["kinds"].items():
        lines.append(f"  {kind:<24} {k['current_rows']:>10,} rows in force  ({k['loads']} load(s), "
                     f"{k['rows_quarantined']:,} quarantined, latest as of {k['latest_as_of']})")
    _emit(data, as_json, "\n".join(lines))


@store_app.command("errors")
def store_errors(
    store: StoreOpt,
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    load: Annotated[list[str] | None, typer.Option("--load", help="Only these load ids.")] = None,
) -> None:
    """Write every row problem (file, row, column, value, rule, message, severity) to CSV."""
    from asc_assure.data.ingest import write_error_report

    s = _open_store(store)
    ids = load or [m["load_id"] for m in s.manifests()]
    n = write_error_report(s, ids, out)
    typer.echo(f"wrote {n} row problem(s) to {out}")


@store_app.command("query")
def store_query(
    store: StoreOpt,
    sql: Annotated[str, typer.Argument(help="SQL over the views (referrals, cld, issues, loads, ...).")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Rebuild the views as of this date.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Run read-only SQL over the store's views (pseudonymised data only)."""
    import duckdb

    s = _open_store(store)
    con = s.connect(_parse_date(as_of, "--as-of"))
    try:
        rel = con.sql(sql)
        if rel is None:
            _fail("the statement returned no rows")
            return
        cols = rel.columns
        rows = rel.fetchall()
    except duckdb.Error as exc:
        _fail(f"query failed: {exc}")
        return
    data = [dict(zip(cols, r, strict=True)) for r in rows]
    text = "\t".join(cols) + "\n" + "\n".join("\t".join("" if v is None else str(v) for v in r) for r in rows)
    _emit(data, as_json, text)


@store_app.command("reveal")
def store_reveal(
    pseudonym: Annotated[str, typer.Argument(help="Pseudonym such as P-1a2b3c4d5e6f7a8b.")],
    store: StoreOpt,
    user: Annotated[str, typer.Option("--user", help="Who is asking (recorded).")],
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded), e.g. the case being worked.")],
    as_json: JsonOpt = False,
) -> None:
    """Show the council's own reference behind a pseudonym. Every look-up is audited."""
    from asc_assure.data.store import StoreError

    s = _open_store(store)
    try:
        found = s.reveal(pseudonym, user, reason)
    except StoreError as exc:
        _fail(str(exc))
        return
    text = "\n".join(f"{f['local_ref']}  ({f['identifier']} in {f['column']})" for f in found) or "not found"
    _emit(found, as_json, text)
    if not found:
        raise typer.Exit(1)


@store_app.command("audit")
def store_audit(
    store: StoreOpt,
    verify: Annotated[bool, typer.Option("--verify", help="Check the hash chain; exit 1 if broken.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Show the audit log (loads, restricted look-ups) or verify it has not been tampered with."""
    from asc_assure.data import audit

    s = _open_store(store)
    if verify:
        ok, line, why = audit.verify(s.audit_path)
        _emit({"ok": ok, "line": line, "message": why}, as_json, why)
        if not ok:
            raise typer.Exit(1)
        return
    records = audit.read(s.audit_path)
    text = "\n".join(f"{r['at']}  {r['actor']:<12} {r['event']:<18} {json.dumps(r['details'])}" for r in records)
    _emit(records, as_json, text or "audit log is empty")


PeriodOpt = Annotated[str, typer.Option("--period", help="week, month, quarter or year.")]
DefinitionsOpt = Annotated[Path | None, typer.Option("--definitions",
                                                    help="Folder of the council's own measure YAML files.")]


def _check_period(period: str) -> None:
    from asc_assure.measures.periods import PERIODS

    if period not in PERIODS:
        _fail(f"--period must be one of {', '.join(PERIODS)}")


@measures_app.callback(invoke_without_command=True)
def measures(
    ctx: typer.Context,
    store: Annotated[Path | None, typer.Option("--store", help="Store folder.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date to measure (default today).")] = None,
    period: PeriodOpt = "week",
    measure: Annotated[list[str] | None, typer.Option("--id", help="Only these measure ids.")] = None,
    definitions: DefinitionsOpt = None,
    public: Annotated[bool, typer.Option("--public", help="Suppress small numbers, as published.")] = False,
    save: Annotated[bool, typer.Option("--save", help="Keep the results as a snapshot in the store.")] = False,
    trend: Annotated[int | None, typer.Option("--trend", min=1,
                                              help="Trend points (default 52 weeks, 24 months, ...).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Compute measures for an as-of date: value, target, RAG, change, breakdowns and trend."""
    if ctx.invoked_subcommand is not None:
        return
    if store is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    from asc_assure.measures.engine import MeasureError, run_measures, save_snapshot
    from asc_assure.measures.registry import RegistryError

    _check_period(period)
    _open_store(store)
    date = _parse_date(as_of, "--as-of") or dt.date.today()
    try:
        results = run_measures(store, date, period, ids=measure, definitions=definitions, trend_points=trend,
                               public=public)
    except (MeasureError, RegistryError) as exc:
        _fail(str(exc))
        return
    if save and not public:
        save_snapshot(store, results, period, date)
    lines = [f"Measures as at {date.isoformat()} ({period}):"]
    for r in results:
        shown = "—" if r["value"] is None else r["value"]
        rating = (r["rag"] or "").upper()
        lines.append(f"  {r['id']:<48} {shown!s:>10} {r['unit']:<8} target {r['target']!s:<7} {rating:<6}"
                     + (f" EXCEPTION ({r['exception_reason']})" if r["exception"] else "")
                     + (f"  {r['reason']}" if r["reason"] else ""))
    _emit(results, as_json, "\n".join(lines))


@measures_app.command("list")
def measures_list(definitions: DefinitionsOpt = None, as_json: JsonOpt = False) -> None:
    """List every measure in the registry with its definition, unit, polarity and default target."""
    from asc_assure.measures.registry import RegistryError, load_registry

    try:
        registry = load_registry(definitions)
    except RegistryError as exc:
        _fail(str(exc))
        return
    rows = [m.describe() for m in registry.values()]
    text = "\n".join(f"{r['id']:<48} {r['unit']:<8} {r['polarity']:<8} {r['title']}" for r in rows)
    _emit(rows, as_json, text)


@measures_app.command("doc")
def measures_doc(
    out: Annotated[Path | None, typer.Option("--out", help="Write Markdown here (default: print).")] = None,
) -> None:
    """Publish the measure catalogue as Markdown (this is how docs/measure-catalogue.md is made)."""
    from asc_assure.measures.catalogue import render_catalogue

    _print_or_write(render_catalogue(), out)


@measures_app.command("snapshot")
def measures_snapshot(
    store: StoreOpt,
    start: Annotated[str, typer.Option("--from", help="First as-of date.")],
    end: Annotated[str, typer.Option("--to", help="Last as-of date.")],
    period: PeriodOpt = "week",
    definitions: DefinitionsOpt = None,
) -> None:
    """Rebuild stored snapshots for every period end from --from to --to (one file per date)."""
    from asc_assure.measures.engine import rebuild_snapshots

    _check_period(period)
    _open_store(store)
    first, last = _parse_date(start, "--from"), _parse_date(end, "--to")
    if first is None or last is None or first > last:
        _fail("--from must be on or before --to")
    paths = rebuild_snapshots(store, first, last, period, definitions=definitions)
    typer.echo(f"wrote {len(paths)} snapshot(s) to {Path(store) / 'results' / period}")


@app.command()
def pack(
    store: StoreOpt,
    out: Annotated[Path, typer.Option("--out", help="FILE.html or FILE.pdf")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date to report (default today).")] = None,
    period: PeriodOpt = "week",
    public: Annotated[bool, typer.Option("--public", help="Public version: small numbers suppressed.")] = False,
    council: Annotated[str | None, typer.Option("--council", help="Council name for the title.")] = None,
    definitions: DefinitionsOpt = None,
) -> None:
    """Write the weekly performance pack as self-contained HTML or as PDF."""
    from asc_assure.measures.pack_input import build_pack_data
    from asc_assure.reports.pack import write_pack

    _check_period(period)
    if out.suffix.lower() not in {".html", ".pdf"}:
        _fail("--out must end in .html or .pdf")
    _open_store(store)
    date = _parse_date(as_of, "--as-of") or dt.date.today()
    data = build_pack_data(store, date, period, public=public, council=council, definitions=definitions)
    write_pack(data, out)
    typer.echo(f"wrote {out}")


@app.command()
def synth(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the synthetic extracts into.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same files).")] = 1,
    people: Annotated[int | None, typer.Option("--people", help="Resident population of council 1.")] = None,
    start: Annotated[str, typer.Option("--start", help="First date of activity.")] = "2023-04-01",
    end: Annotated[str, typer.Option("--end", help="Last date (the extract date).")] = "2025-03-31",
    councils: Annotated[int, typer.Option("--councils", help="How many councils to generate.")] = 1,
    error_rate: Annotated[float, typer.Option("--error-rate", help="Share of rows given a data fault.")] = 0.0,
    date_style: Annotated[str, typer.Option("--date-style", help="iso or uk dates in operational files.")] = "iso",
    as_json: JsonOpt = False,
) -> None:
    """Generate a realistic synthetic council (or many) as the files a council would load."""
    from asc_assure.data.synth import generate

    s, e = _parse_date(start, "--start"), _parse_date(end, "--end")
    if s is None or e is None or s >= e:
        _fail("--start must be before --end")
    if councils < 1:
        _fail("--councils must be at least 1")
    if not 0 <= error_rate < 1:
        _fail("--error-rate must be between 0 and 1")
    if date_style not in {"iso", "uk"}:
        _fail("--date-style must be iso or uk")
    summary = generate(out, seed=seed, people=people, start=s, end=e, councils=councils,
                       error_rate=error_rate, date_style=date_style)
    _emit(summary, as_json, json.dumps(summary, indent=2, default=str))


@app.command()
def demo(
    folder: Annotated[Path, typer.Option("--dir", help="Where to build the demo council.")] = Path("demo"),
    seed: Annotated[int, typer.Option("--seed")] = 1,
    people: Annotated[int | None, typer.Option("--people", help="Resident population.")] = None,
    with_pack: Annotated[bool, typer.Option("--pack/--no-pack", help="Also write the weekly pack.")] = True,
) -> None:
    """Build the demo council: generate its extracts, load them, compute measures and write the pack."""
    from asc_assure.demo import build_demo

    summary = build_demo(folder, seed=seed, people=people, echo=typer.echo, with_pack=with_pack)
    typer.echo(json.dumps(summary["store"]["kinds"], indent=2))




# --- Web app (Django is imported only inside these commands; the core never imports it) ---------------

web_app = typer.Typer(help="The web app: database migrations, demo users, audit check.", no_args_is_help=True)
app.add_typer(web_app, name="web")


def _django(store: Path | None = None) -> None:
    import os

    if store is not None:
        os.environ["ASC_ASSURE_STORE"] = str(store)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asc_assure.web.settings")
    try:
        import django
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        django.setup()
        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            Path(settings.DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    except ImproperlyConfigured as exc:
        _fail(str(exc))


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


WebStoreOpt = Annotated[Path | None, typer.Option("--store", help="Store the app reads (default ASC_ASSURE_STORE).")]


@web_app.command("migrate")
def web_migrate(store: WebStoreOpt = None) -> None:
    """Create or update the web app's database tables (users, roles, audit log)."""
    _django(store)
    _migrate()
    typer.echo("web database up to date")


@web_app.command("create-demo-users")
def web_create_demo_users(store: WebStoreOpt = None, as_json: JsonOpt = False) -> None:
    """Create one demo user per role with a random password and print them (re-running resets them)."""
    _django(store)
    _migrate()
    from asc_assure.web.demo_users import create_demo_users

    users = create_demo_users()
    lines = ["Demo users (passwords are new each time this runs):"]
    for u in users:
        teams = f"  teams: {', '.join(u['teams'])}" if u["teams"] else ""
        lines.append(f"  {u['role']:<20} username: {u['username']:<20} password: {u['password']}{teams}")
    _emit(users, as_json, "\n".join(lines))


@web_app.command("verify-audit")
def web_verify_audit(store: WebStoreOpt = None) -> None:
    """Check the web audit log's hash chain; exit 1 if it is broken."""
    _django(store)
    from asc_assure.web.auditlog import verify_chain

    check = verify_chain()
    typer.echo(check.message)
    if not check.ok:
        raise typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    store: WebStoreOpt = None,
) -> None:
    """Run database migrations, then serve the web app (for production use gunicorn asc_assure.web.wsgi)."""
    _django(store)
    _migrate()
    from django.conf import settings
    from django.core.management import call_command

    typer.echo(f"ASC Assure on http://{host}:{port}/  (store: {settings.ASC_ASSURE_STORE}; Ctrl+C to stop)")
    call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)


@cqc_app.command("framework")
def cqc_framework(as_json: JsonOpt = False) -> None:
    """List CQC's 4 themes and 9 quality statements for local authority assessment, with their slugs."""
    from asc_assure.domain.cqc import load_framework

    fw = load_framework()
    lines = [f"CQC assessment framework for local authorities, version {fw.version}",
             f"source: {fw.source['framework']['url']}"]
    for theme in fw.themes:
        lines.append(f"{theme.title}")
        lines += [f"  {s.number}. {s.slug:<40} {s.title}" for s in fw.statements if s.theme == theme.slug]
    lines.append("Evidence categories: " + "; ".join(c["title"] for c in fw.evidence_categories))
    _emit(fw.to_dict(), as_json, "\n".join(lines))


def _parse_cqc_scores(pairs: list[str]) -> dict[str, int]:
    scores: dict[str, int] = {}
    for pair in pairs:
        slug, sep, value = pair.partition("=")
        slug, value = slug.strip(), value.strip()
        if not sep or not slug:
            _fail(f"--score {pair!r} must be SLUG=N, e.g. safeguarding=3")
        if slug in scores:
            _fail(f"quality statement {slug!r} is scored more than once")
        if not value.lstrip("-").isdigit():
            _fail(f"score for {slug!r} must be a whole number from 1 to 4, not {value!r}")
        scores[slug] = int(value)
    return scores


@cqc_app.command("rate")
def cqc_rate(
    score: Annotated[list[str] | None, typer.Option("--score", help="SLUG=N, N from 1 to 4 (repeat for each "
                                                   "quality statement; see `asc-assure cqc framework`).")] = None,
    partial: Annotated[bool, typer.Option("--partial", help="Allow statements to be left out (max = 4 × the "
                                          "number scored) instead of requiring all 9.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Total, percentage and overall rating from quality statement scores, by CQC's published method."""
    from asc_assure.domain.cqc import CqcScoreError, rate

    if not score:
        _fail("give a --score SLUG=N for each quality statement (see `asc-assure cqc framework`)")
    try:
        result = rate(_parse_cqc_scores(score or []), require_all=not partial)
    except CqcScoreError as exc:
        _fail(str(exc))
        return
    data = result.to_dict()
    lines = [f"{result.total}/{result.max} = {result.exact_percent}% (published as {result.percent}%): {result.rating}"]
    if result.next_rating:
        lines.append(f"  {result.points_to_next_rating} more point(s) to {result.next_rating}")
    if result.lower_rating:
        lines.append(f"  {result.points_above_lower_band} point(s) could be lost before {result.lower_rating}")
    lines.append("Themes (CQC does not rate themes; for the council's own use):")
    lines += [f"  {t.title:<22} {t.total}/{t.max}" + (f" ({t.percent}%)" if t.percent is not None else "")
              for t in result.theme_scores]
    if result.what_if:
        lines.append("Single-statement changes that would change the rating:")
        lines += [f"  {w.slug} {w.score_from}->{w.score_to}: {w.rating}" for w in result.what_if]
    _emit(data, as_json, "\n".join(lines))


@cqc_app.command("overview")
def cqc_overview(
    store: StoreOpt,
    today: Annotated[str | None, typer.Option("--today", help="Treat this date as today (YYYY-MM-DD).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Where each part of the CQC workspace stands, and what needs attention."""
    from asc_assure.assurance.overview import workspace_overview
    from asc_assure.commands.common import open_workspace, today_or_now

    data = workspace_overview(open_workspace(store), today_or_now(today))
    lines = [f"CQC assurance workspace as at {data['today']}", ""]
    lines += [f"{title}: {text}" for title, text in data["status"].items()]
    if data["attention"]:
        lines += ["", "Needs attention:"] + [f"  - {a['text']}" for a in data["attention"]]
    _emit(data, as_json, "\n".join(lines))


# Area command groups (CQC workspace, improvement plan, risks, budget, reports): each module in
# asc_assure.commands has register(app, cqc_app) and attaches its own sub-commands.
AREA_COMMAND_MODULES = ("evidence", "self_assessment", "assessment", "plan", "risks", "budget", "report", "schedule",
                        "operations", "prioritisation", "dsr", "ascof", "cld", "benchmark", "equity", "workforce",
                        "simulate")


def _register_area_commands() -> None:
    import importlib
    import importlib.util

    for name in AREA_COMMAND_MODULES:
        if importlib.util.find_spec(f"asc_assure.commands.{name}") is not None:
            importlib.import_module(f"asc_assure.commands.{name}").register(app, cqc_app)


_register_area_commands()


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

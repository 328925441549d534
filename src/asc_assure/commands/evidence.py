"""``asc-assure cqc evidence``: the CQC evidence library from the command line.

Thin wrappers over :mod:`asc_assure.assurance.evidence`; bad input is reported with ``fail()`` (exit 2).
"""

from __future__ import annotations

import datetime as dt
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
    run,
    today_or_now,
)

evidence_app = typer.Typer(help="The CQC evidence library: add, find, update and retire evidence; see the "
                                "statements × categories coverage matrix; verify stored files.",
                           no_args_is_help=True)

TitleOpt = Annotated[str | None, typer.Option("--title", help="Short title, e.g. 'Carers survey 2023-24'.")]
SummaryOpt = Annotated[str | None, typer.Option("--summary", help="What the evidence shows, in a sentence or two.")]
CategoryOpt = Annotated[str | None, typer.Option(
    "--category", help="CQC evidence category: peoples-experience, feedback-from-staff-and-leaders, "
                       "feedback-from-partners or processes.")]
StatementOpt = Annotated[list[str] | None, typer.Option(
    "--statement", help="Quality statement slug it supports (repeat for several; see `asc-assure cqc framework`).")]
SourceOpt = Annotated[str | None, typer.Option(
    "--source-type", help="data, survey, case-audit, policy, feedback or peer-review.")]
OwnerOpt = Annotated[str | None, typer.Option("--owner", help="Who owns and keeps it up to date.")]
DateOpt = Annotated[str | None, typer.Option("--date", help="Date of the evidence (YYYY-MM-DD).")]
ReviewOpt = Annotated[str | None, typer.Option("--review-by", help="Review it by this date (YYYY-MM-DD); "
                                                                   "after it, the item is stale.")]
LinkOpt = Annotated[str | None, typer.Option("--link", help="Where the evidence lives (https:// address).")]
FileOpt = Annotated[Path | None, typer.Option("--file", help="File to store (PDF, Word, Excel, PowerPoint, CSV, "
                                                             "text or image), kept with its SHA-256 checksum.")]
ItemArg = Annotated[int, typer.Argument(help="Evidence item number (see `list`).")]


def register(app: typer.Typer, cqc_app: typer.Typer) -> None:
    """Attach ``evidence`` under ``asc-assure cqc``."""
    cqc_app.add_typer(evidence_app, name="evidence")


def _core():
    from asc_assure.assurance import evidence

    return evidence


def _line(item: dict[str, Any]) -> str:
    flags = " [stale]" if item.get("stale") else ""
    flags += " [retired]" if item.get("retired") else ""
    return (f"{item['id']:>4}  {item['evidence_date']}  {item['category_title']:<31} {item['source_type_title']:<11} "
            f"{item['title']}{flags}")


def _details(item: dict[str, Any], changes: list[dict[str, Any]]) -> str:
    lines = [f"Evidence item {item['id']}: {item['title']}",
             f"  Category:      {item['category_title']}",
             f"  Source type:   {item['source_type_title']}",
             f"  Owner:         {item['owner']}",
             f"  Evidence date: {item['evidence_date']}",
             f"  Review by:     {item['review_by'] or 'no review date'}" + ("  (STALE)" if item.get("stale") else ""),
             "  Statements:    " + "; ".join(f"{s['number']}. {s['title']}" for s in item["statement_details"])]
    if item["has_file"]:
        lines.append(f"  File:          {item['file_name']} ({item['file_size']:,} bytes, "
                     f"SHA-256 {item['file_sha256']})")
    else:
        lines.append(f"  Link:          {item['link']}")
    if item["summary"]:
        lines.append(f"  Summary:       {item['summary']}")
    if item["retired"]:
        lines.append(f"  Retired:       {item['retired_at']} by {item['retired_by']}: {item['retired_reason']}")
    if changes:
        lines.append("History (newest first):")
        lines += [f"  {c['at']}  {c['actor']:<14} {c['action']}" + _change_text(c) for c in changes]
    return "\n".join(lines)


def _change_text(change: dict[str, Any]) -> str:
    detail = change["detail"]
    if change["action"] == "update":
        return ": " + "; ".join(f"{k} {v['from']!r} -> {v['to']!r}" for k, v in detail.get("changes", {}).items())
    if change["action"] == "retire":
        return f": {detail.get('reason', '')}"
    return ""


@evidence_app.command("add")
def add(
    store: StoreOpt,
    title: TitleOpt = None,
    category: CategoryOpt = None,
    statement: StatementOpt = None,
    source_type: SourceOpt = None,
    owner: OwnerOpt = None,
    date: DateOpt = None,
    review_by: ReviewOpt = None,
    summary: SummaryOpt = "",
    link: LinkOpt = None,
    file: FileOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add an evidence item: a file (stored with its checksum) or a link, never both."""
    missing = [name for name, value in (("--title", title), ("--category", category), ("--statement", statement),
                                        ("--source-type", source_type), ("--owner", owner), ("--date", date))
               if not value]
    if missing:
        fail(f"missing {', '.join(missing)}")
    ws = open_workspace(store)
    evidence = _core()
    item_id = run(evidence.add_item, ws, actor=actor_or_default(actor), title=title, category=category,
                  statements=statement, source_type=source_type, owner=owner,
                  evidence_date=parse_date(date, "--date"), review_by=parse_date(review_by, "--review-by"),
                  summary=summary or "", link=link, file_path=file)
    item = evidence.get_item(ws, item_id)
    emit(item, as_json, f"added evidence item {item_id}: {item['title']}")


@evidence_app.command("list")
def list_(
    store: StoreOpt,
    text: Annotated[str | None, typer.Option("--text", help="Words to find in title, summary, owner or file "
                                                            "name (any case).")] = None,
    statement: Annotated[str | None, typer.Option("--statement", help="Only items for this quality statement.")]
    = None,
    theme: Annotated[str | None, typer.Option("--theme", help="Only items for statements in this theme.")] = None,
    category: CategoryOpt = None,
    source_type: SourceOpt = None,
    owner: OwnerOpt = None,
    stale: Annotated[bool | None, typer.Option("--stale/--current", help="Only stale items, or only current ones.",
                                               show_default=False)] = None,
    include_retired: Annotated[bool, typer.Option("--include-retired", help="Include retired items.")] = False,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List evidence items, newest first, with search and filters."""
    ws = open_workspace(store)
    items = run(_core().list_items, ws, today=today_or_now(today), text=text, statement=statement, theme=theme,
                category=category, source_type=source_type, owner=owner, stale=stale,
                include_retired=include_retired)
    text_out = "\n".join(_line(i) for i in items) or "no evidence items match"
    emit(items, as_json, text_out + (f"\n{len(items)} item(s)" if items else ""))


@evidence_app.command("show")
def show(store: StoreOpt, item_id: ItemArg, today: TodayOpt = None, as_json: JsonOpt = False) -> None:
    """Show one item, whether it is stale, and its history."""
    ws = open_workspace(store)
    evidence = _core()
    item = run(evidence.get_item, ws, item_id, today=today_or_now(today))
    changes = evidence.history(ws, item_id)
    emit({**item, "history": changes}, as_json, _details(item, changes))


@evidence_app.command("update")
def update(
    store: StoreOpt,
    item_id: ItemArg,
    title: TitleOpt = None,
    category: CategoryOpt = None,
    statement: StatementOpt = None,
    source_type: SourceOpt = None,
    owner: OwnerOpt = None,
    date: DateOpt = None,
    review_by: ReviewOpt = None,
    no_review_by: Annotated[bool, typer.Option("--no-review-by", help="Remove the review-by date.")] = False,
    summary: SummaryOpt = None,
    link: LinkOpt = None,
    file: FileOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change an item; only the options given change. The old values stay in the history."""
    if review_by and no_review_by:
        fail("give --review-by or --no-review-by, not both")
    changes: dict[str, Any] = {k: v for k, v in {
        "title": title, "category": category, "statements": statement or None, "source_type": source_type,
        "owner": owner, "summary": summary, "link": link, "file_path": file,
        "evidence_date": parse_date(date, "--date"), "review_by": parse_date(review_by, "--review-by"),
    }.items() if v is not None}
    if no_review_by:
        changes["review_by"] = None
    if not changes:
        fail("nothing to change: give at least one option such as --review-by")
    ws = open_workspace(store)
    item = run(_core().update_item, ws, item_id, actor=actor_or_default(actor), **changes)
    emit(item, as_json, f"updated evidence item {item['id']}: {item['title']}")


@evidence_app.command("retire")
def retire(
    store: StoreOpt,
    item_id: ItemArg,
    reason: Annotated[str, typer.Option("--reason", help="Why, e.g. 'superseded by the 2025 policy'.")],
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Retire an item (superseded or withdrawn). The record, file and history are kept."""
    ws = open_workspace(store)
    item = run(_core().retire_item, ws, item_id, actor=actor_or_default(actor), reason=reason)
    emit(item, as_json, f"retired evidence item {item['id']}: {item['title']}")


@evidence_app.command("reinstate")
def reinstate(store: StoreOpt, item_id: ItemArg, actor: ActorOpt = None, as_json: JsonOpt = False) -> None:
    """Bring a retired item back into use."""
    ws = open_workspace(store)
    item = run(_core().reinstate_item, ws, item_id, actor=actor_or_default(actor))
    emit(item, as_json, f"reinstated evidence item {item['id']}: {item['title']}")


def _cell(cell: dict[str, Any]) -> str:
    if cell["status"] == "gap":
        return "GAP"
    if cell["status"] == "stale":
        return f"STALE ({cell['stale']} stale)"
    return cell["text"]


def coverage_text(data: dict[str, Any]) -> str:
    """The matrix as a plain-text table: one row per statement, one column per category."""
    cats = data["categories"]
    width = 24
    short = [c["title"].removeprefix("Feedback from ") for c in cats]  # "staff and leaders", "partners"
    header = f"{'Quality statement':<48}" + "".join(f"{t[:1].upper() + t[1:width - 1]:<{width}}" for t in short)
    when = dt.date.fromisoformat(data["today"]).strftime("%d %B %Y").lstrip("0")
    lines = [f"CQC evidence coverage on {when} (items per quality statement and evidence category; the "
             "feedback columns are feedback from staff and leaders, and from partners)", header, "-" * len(header)]
    for theme in data["themes"]:
        lines.append(theme["title"])
        for s in theme["statements"]:
            cells = [f"{_cell(c):<{width}}" for c in s["cells"]]
            lines.append(f"  {s['number']}. {s['title'][:43]:<43} " + "".join(cells))
    t = data["totals"]
    lines += ["", f"{t['items']} items ({t['current_items']} current, {t['stale_items']} stale); "
                  f"{t['covered']} of {t['cells']} cells covered, {t['stale_only']} stale only, {t['gaps']} gaps"]
    if data["gaps"]:
        lines.append("Gaps (no evidence at all):")
        lines += [f"  {g['statement_title']} / {g['category_title']}" for g in data["gaps"]]
    if data["stale_only"]:
        lines.append("Only stale evidence:")
        lines += [f"  {g['statement_title']} / {g['category_title']}" for g in data["stale_only"]]
    if data["stale_items"]:
        lines.append("Stale items (past their review-by date):")
        lines += [f"  {i['id']:>4}  review by {i['review_by']} ({i['days_past_review']} days ago)  {i['title']}  "
                  f"[{i['owner']}]" for i in data["stale_items"]]
    if data["due_soon"]:
        lines.append(f"Due for review in the next {data['due_soon_days']} days:")
        lines += [f"  {i['id']:>4}  review by {i['review_by']}  {i['title']}  [{i['owner']}]"
                  for i in data["due_soon"]]
    return "\n".join(lines)


@evidence_app.command("coverage")
def coverage(store: StoreOpt, today: TodayOpt = None, as_json: JsonOpt = False) -> None:
    """Show the quality statements × evidence categories matrix, with gaps and stale items."""
    ws = open_workspace(store)
    data = _core().coverage(ws, today_or_now(today))
    emit(data, as_json, coverage_text(data))


@evidence_app.command("verify")
def verify(store: StoreOpt, as_json: JsonOpt = False) -> None:
    """Re-hash every stored evidence file; exit 1 if any is missing or altered."""
    ws = open_workspace(store)
    report = _core().verify_files(ws)
    lines = [f"checked {report['checked']} stored file(s) for {report['items_with_files']} item(s)"]
    for kind in ("missing", "altered"):
        for f in report[kind]:
            names = ", ".join(f"item {i['id']} ({i['file_name']})" for i in f["items"]) or "no current item"
            lines.append(f"{kind.upper()}: {f['sha256']} used by {names}")
    lines.append("all stored files match their checksums" if report["ok"] else "PROBLEMS FOUND")
    emit(report, as_json, "\n".join(lines))
    if not report["ok"]:
        raise typer.Exit(1)


@evidence_app.command("download")
def download(
    store: StoreOpt,
    item_id: ItemArg,
    out: Annotated[Path, typer.Option("--out", help="File or folder to write the evidence file to.")],
    as_json: JsonOpt = False,
) -> None:
    """Copy an item's stored file out, after checking it still matches its checksum."""
    ws = open_workspace(store)
    item, data = run(_core().item_file_bytes, ws, item_id)
    target = out / item["file_name"] if out.is_dir() else out
    target.write_bytes(data)
    emit({"file": str(target), "sha256": item["file_sha256"], "size": len(data)}, as_json,
         f"wrote {target} (checksum verified)")

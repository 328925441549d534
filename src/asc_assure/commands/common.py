"""What every CLI command shares: options, output as text or JSON, failing with a clear message."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

StoreOpt = Annotated[Path, typer.Option("--store", help="Store folder (created on first ingest).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
ActorOpt = Annotated[str | None, typer.Option(
    "--actor", help="Name recorded in the change log (default: your operating-system user name).")]
TodayOpt = Annotated[str | None, typer.Option(
    "--today", help="Treat this date as today (YYYY-MM-DD), e.g. to see what was overdue on a past date.")]


def emit(data: Any, as_json: bool, text: str) -> None:
    """Print ``data`` as JSON when asked, otherwise the human-readable ``text``."""
    if as_json:
        typer.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))
    else:
        typer.echo(text)


def fail(message: str, code: int = 2) -> NoReturn:
    """Stop with ``error: message`` on standard error and exit code 2 (bad input) unless told otherwise."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a core function; a WorkspaceError (bad input the core explains) becomes ``error: ...`` and exit 2."""
    from asc_assure.assurance.workspace import WorkspaceError

    try:
        return fn(*args, **kwargs)
    except WorkspaceError as exc:
        fail(str(exc))


def text_or_file(text: str | None, file: Path | None, missing: str) -> str:
    """The text given with --text, or read from --file; exactly one of them, else fail with ``missing``."""
    if (text is None) == (file is None):
        fail(missing)
    if file is None:
        return text or ""
    try:
        return file.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read --file {file}: {exc.strerror or exc}")


def print_or_write(text: str, out: Path | None) -> None:
    """Generated documents go to standard output, or to a file when --out is given."""
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")


def parse_date(value: str | None, name: str) -> dt.date | None:
    """A date typed as 2025-01-31 or 31/01/2025; fails the command with a clear message otherwise."""
    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            pass
    fail(f"{name} {value!r} is not a date (use 2025-01-31)")


def actor_or_default(actor: str | None) -> str:
    from asc_assure.assurance.workspace import default_actor

    return actor.strip() if actor and actor.strip() else default_actor()


def today_or_now(today: str | None) -> dt.date:
    return parse_date(today, "--today") or dt.date.today()


def require_store(store: Path) -> None:
    """Fail clearly if the store folder does not exist."""
    if not Path(store).is_dir():
        fail(f"store folder {store} does not exist (run `asc-assure ingest` or `asc-assure demo` first)")


def open_workspace(store: Path):
    """The workspace of a store folder; fails clearly if the folder does not exist."""
    from asc_assure.assurance.workspace import Workspace

    require_store(store)
    return Workspace.for_store(store)

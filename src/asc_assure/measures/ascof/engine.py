"""Run the ASCOF SQL over a store with DuckDB and collect the figures.

The method lives in ``sql/``: one file per step, applied in file-name order. A file's header says what it
is (``-- kind: view|measure|detail`` and ``-- name: ...``): views are DHSC's common processing and each
measure's cohort, measures return ``la_code, measure, grp, numerator, denominator, outcome`` and details
are the disaggregations a council needs to see why a figure moved. The inputs are four relations with
fixed names - ``cld``, ``population``, ``hospital_episodes`` (possibly empty) and the one-row
``params(period_start, period_end)`` - so the same files run on DuckDB here and on Spark
(``asc_assure.measures.ascof.spark``), and every query groups by council so one run covers every council
in a store.

Memory is bounded: every connection gets a DuckDB ``memory_limit`` (argument, else the environment variable
``ASC_ASSURE_DUCKDB_MEMORY``, else the smaller of 4 GiB and 60% of the machine's memory) and a private
``temp_directory`` (``ASC_ASSURE_DUCKDB_TEMP`` names its parent) so that joins, windows and the
materialised intermediate tables spill to disk instead of growing without bound. Left at DuckDB's
defaults (80% of memory, no spill folder for an in-memory database) the 153-council national run peaked
at 11.6 GiB (docs/national-scale.md).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from asc_assure.data.store import Store
from asc_assure.measures.ascof.catalogue import DHSC_COMMIT, DHSC_REPO, GROUP_ORDER, MEASURES
from asc_assure.measures.ascof.periods import Period

INPUTS = ("cld", "population", "hospital_episodes")
KINDS = ("view", "measure", "detail")
MEMORY_ENV = "ASC_ASSURE_DUCKDB_MEMORY"
TEMP_ENV = "ASC_ASSURE_DUCKDB_TEMP"
DEFAULT_MEMORY_CAP = 4 * 2**30  # bytes
DEFAULT_MEMORY_SHARE = 0.6
_MEMORY = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class SqlStep:
    """One SQL file: what it makes, under which name, and its text."""

    file: str
    kind: str
    name: str
    sql: str


@cache
def sql_steps() -> tuple[SqlStep, ...]:
    """Every SQL file in order, with its declared kind and name (a malformed header is a package bug).

    The header is read by ``sql_runner.parse_step``, the one parser of ``-- kind:`` / ``-- name:`` headers,
    so the Spark runner and this engine cannot disagree about a file. The runner defaults a missing name
    to the file's stem and a missing kind to ``measure``; the ASCOF files are numbered for ordering, so a
    name equal to the stem means the header was left out, and that is refused here.
    """
    from asc_assure.measures import sql_runner  # imports SQLGlot: only needed once, not on every page load

    folder = Path(str(resources.files(__package__).joinpath("sql")))
    steps = []
    for parsed in sql_runner.load_steps([folder]):
        if parsed.kind not in KINDS or parsed.name == parsed.path.stem:
            raise RuntimeError(f"{parsed.path.name}: header must declare '-- kind:' ({'/'.join(KINDS)}) and "
                               "'-- name:'")
        steps.append(SqlStep(parsed.path.name, parsed.kind, parsed.name, parsed.sql))
    return tuple(steps)


@dataclass
class AscofResult:
    """The figures for one period: one row per council, measure and group, plus disaggregations."""

    period: Period
    rows: list[dict[str, Any]]
    details: dict[str, list[dict[str, Any]]]
    notes: list[str] = field(default_factory=list)
    available: dict[str, bool] = field(default_factory=dict)
    councils: list[str] = field(default_factory=list)
    seconds: float = 0.0
    engine: str = "duckdb"

    def for_council(self, la_code: str) -> AscofResult:
        rows = [r for r in self.rows if r["la_code"] == la_code]
        details = {k: [r for r in v if r.get("la_code") == la_code] for k, v in self.details.items()}
        return AscofResult(self.period, rows, details, list(self.notes), dict(self.available), [la_code],
                           self.seconds, self.engine)

    def as_dict(self) -> dict[str, Any]:
        return {"period": self.period.as_dict(), "engine": self.engine, "councils": self.councils,
                "available": self.available, "notes": self.notes, "method": method_reference(),
                "figures": self.rows, "details": self.details, "seconds": round(self.seconds, 3)}


def method_reference() -> dict[str, str]:
    return {"source": f"https://github.com/{DHSC_REPO}", "commit": DHSC_COMMIT,
            "doc": "docs/ascof.md"}


def _physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not a POSIX system that reports it
        return None


def memory_limit(value: str | None = None) -> str:
    """DuckDB's ``memory_limit`` for an ASCOF run: ``value``, else ``$ASC_ASSURE_DUCKDB_MEMORY``, else the default.

    The default is the smaller of 4 GiB and 60% of physical memory: enough for one council with room to
    spare (a 700,000-resident county needs well under 1 GiB) and, with spilling, for every council in
    England, while leaving the rest of a shared server (the web app, other jobs) its memory. A value is
    DuckDB's own size text, e.g. ``4GB``, ``512MiB``.
    """
    text = value if value is not None else os.environ.get(MEMORY_ENV, "").strip() or None
    if text is None:
        total = _physical_memory()
        limit = DEFAULT_MEMORY_CAP if total is None else min(DEFAULT_MEMORY_CAP, int(total * DEFAULT_MEMORY_SHARE))
        return f"{max(limit // 2**20, 256)}MiB"
    if not _MEMORY.match(text):
        where = "memory limit" if value is not None else MEMORY_ENV
        raise ValueError(f"{where} {text!r} is not a size such as 4GB or 512MiB")
    return text.replace(" ", "")


def temp_directory(parent: str | Path | None = None) -> Path:
    """A fresh folder name for DuckDB to spill to: under ``parent``, else ``$ASC_ASSURE_DUCKDB_TEMP``, else the
    system temporary folder. It is not created here: DuckDB creates it only if it spills and removes it when
    the connection closes, so a run that fits in memory leaves nothing behind."""
    base = Path(parent or os.environ.get(TEMP_ENV, "").strip() or tempfile.gettempdir())
    return base / f"asc-assure-duckdb-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def bound_memory(con: duckdb.DuckDBPyConnection, memory: str | None = None,
                 temp_dir: str | Path | None = None) -> None:
    """Cap a connection's memory and give it a place to spill (see ``memory_limit``, ``temp_directory``)."""
    limit = memory_limit(memory)
    folder = temp_directory(temp_dir).as_posix().replace("'", "''")
    con.execute(f"SET memory_limit = '{limit}'")
    con.execute(f"SET temp_directory = '{folder}'")


def connect_inputs(store_dir: Path | str, as_of: dt.date | None = None, *, memory: str | None = None,
                   temp_dir: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the store's cld, population and hospital_episodes (rows in force).

    The memory cap is set before anything is read, then each input spread over several loads is copied
    into a table (resolving resubmissions once rather than in every query, as ``Store.connect``'s
    ``materialise`` does) - so that copy, the largest single allocation of a national run, may spill too.
    """
    store = Store(store_dir)
    con = store.connect(as_of, only=INPUTS)
    try:
        bound_memory(con, memory, temp_dir)
        for name in INPUTS:
            if len(store.loads_for(name, as_of)) > 1:
                con.execute(f"ALTER VIEW {name} RENAME TO _{name}_in_force")
                con.execute(f"CREATE TABLE {name} AS SELECT * FROM _{name}_in_force")
    except BaseException:
        con.close()
        raise
    return con


def set_params(con: duckdb.DuckDBPyConnection, period: Period) -> None:
    con.execute("CREATE OR REPLACE TABLE params AS SELECT CAST(? AS DATE) AS period_start, "
                "CAST(? AS DATE) AS period_end", [period.start, period.end])


def _records(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def run_sql(con: duckdb.DuckDBPyConnection, skip: tuple[str, ...] = ()) -> tuple[list[dict], dict[str, list]]:
    """Apply every step in order on a connection that holds the inputs and params.

    Views are materialised as temporary tables: each is read by several later steps, and DuckDB would
    otherwise recompute it every time. Steps whose name is in ``skip`` are left out.
    """
    rows: list[dict[str, Any]] = []
    details: dict[str, list[dict[str, Any]]] = {}
    for step in sql_steps():
        if step.name in skip:
            continue
        if step.kind == "view":
            con.execute(f"CREATE OR REPLACE TEMP TABLE {step.name} AS {step.sql}")
        elif step.kind == "measure":
            rows.extend(_records(con.execute(step.sql)))
        else:
            details[step.name] = _records(con.execute(step.sql))
    return rows, details


def finalise(raw: list[dict[str, Any]], available: dict[str, bool]) -> list[dict[str, Any]]:
    """Published outcome from the integer counts (half away from zero), titles, units and ordering."""
    out = []
    for r in raw:
        m = MEASURES[r["measure"]]
        ok = available.get(r["measure"], True)
        numerator = int(r["numerator"]) if ok and r["numerator"] is not None else None
        denominator = int(r["denominator"]) if ok and r["denominator"] is not None else None
        out.append({"la_code": r["la_code"], "measure": m.id, "grp": r["grp"], "numerator": numerator,
                    "denominator": denominator, "outcome": m.outcome(numerator, denominator) if ok else None,
                    "available": ok and denominator is not None, "title": m.title, "unit": m.unit})
    return finalise_order(out)


def availability(con: duckdb.DuckDBPyConnection, period: Period) -> tuple[dict[str, bool], list[str]]:
    """Which measures the loaded inputs allow, and the notes a council reads about what is missing.

    Public because the Spark engine runs the same checks (through a cursor with ``execute().fetchone()``),
    so both engines tell a council the same thing.
    """
    notes: list[str] = []
    available = {mid: True for mid in MEASURES}
    if not con.execute("SELECT count(*) FROM cld").fetchone()[0]:
        notes.append("No CLD is loaded: every ASCOF figure is derived from the CLD return.")
    if not con.execute("SELECT count(*) FROM population").fetchone()[0]:
        notes.append("No population file is loaded: 2B and 2C (per 100,000 population) are not available. "
                     "Load the ONS mid-year estimates as a `population` file (see docs/ascof.md).")
    if not con.execute("SELECT count(*) FROM hospital_episodes").fetchone()[0]:
        available["2D1"] = available["2D2"] = False
        notes.append("ASCOF 2D is not available: it needs hospital episodes (SUS admitted patient care) linked "
                     "on NHS number, and no `hospital_episodes` file is loaded (see docs/ascof.md).")
    else:
        last = con.execute("SELECT max(reporting_period_end_date) FROM cld").fetchone()[0]
        if last is not None and last < period.end + dt.timedelta(days=84):
            notes.append(f"2D outcomes need 12 weeks after each discharge; the CLD ends on {last.isoformat()}, so "
                         "discharges late in the period may not show a later admission to care yet. DHSC "
                         "reports 2D three months behind the other measures.")
    return available, notes


def compute(con: duckdb.DuckDBPyConnection, period: Period) -> AscofResult:
    """Every ASCOF measure for ``period`` on a connection holding ``cld``, ``population`` and
    ``hospital_episodes`` (stored column names); creates ``params`` and the intermediate tables."""
    started = time.perf_counter()
    set_params(con, period)
    available, notes = availability(con, period)
    skip = () if available["2D1"] else ("ascof_2d_links", "ascof_2d", "ascof_2d_outcomes")
    raw, details = run_sql(con, skip)
    details = {k: sorted(v, key=lambda r: tuple(str(x) for x in r.values())) for k, v in details.items()}
    councils = sorted({r["la_code"] for r in raw})
    rows = finalise(raw, available)
    if not available["2D1"]:
        rows = finalise_order(rows + not_available_rows(councils))
    return AscofResult(period, rows, details, notes, available, councils, time.perf_counter() - started)


def run(store_dir: Path | str, period: Period, as_of: dt.date | None = None,
        la_code: str | None = None, *, memory: str | None = None, temp_dir: str | Path | None = None) -> AscofResult:
    """Every ASCOF measure for ``period`` for every council in the store (or one, with ``la_code``).

    ``memory`` and ``temp_dir`` bound DuckDB's memory (see ``memory_limit`` and ``temp_directory``).
    """
    started = time.perf_counter()
    con = connect_inputs(store_dir, as_of, memory=memory, temp_dir=temp_dir)
    try:
        result = compute(con, period)
    finally:
        con.close()
    result.seconds = time.perf_counter() - started
    return result.for_council(la_code) if la_code else result


def not_available_rows(councils: list[str]) -> list[dict[str, Any]]:
    """2D rows saying 'not available' rather than zeros that would look like measured values (both engines)."""
    out = []
    for la in councils:
        for mid in ("2D1", "2D2"):
            m = MEASURES[mid]
            out.append({"la_code": la, "measure": mid, "grp": "Total", "numerator": None, "denominator": None,
                        "outcome": None, "available": False, "title": m.title, "unit": m.unit})
    return out


def finalise_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    order = {mid: i for i, mid in enumerate(MEASURES)}
    groups = {g: i for i, g in enumerate(GROUP_ORDER)}
    return sorted(rows, key=lambda r: (r["la_code"], order[r["measure"]], groups.get(r["grp"], 99), r["grp"]))


def data_range(store_dir: Path | str) -> tuple[dt.date, dt.date] | None:
    """First and last day the stored CLD covers (its reporting periods), or None when none is loaded."""
    con = Store(store_dir).connect(only=("cld",))
    try:
        first, last = con.execute(
            "SELECT min(reporting_period_start_date), max(reporting_period_end_date) FROM cld").fetchone()
    finally:
        con.close()
    return (first, last) if first else None


# The names spark.py used before these were public; kept so that code written against them keeps working.
_availability = availability
_not_available_rows = not_available_rows

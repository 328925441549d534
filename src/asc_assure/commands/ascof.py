"""``asc-assure ascof``: the ASCOF measures DHSC derives from the CLD, for a financial year or rolling 12 months."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Annotated, Any

import typer

from asc_assure.commands.common import JsonOpt, StoreOpt, emit, fail, parse_date
from asc_assure.measures.ascof.catalogue import MEASURES

EngineOpt = Annotated[str, typer.Option("--engine", help="Where to run the SQL: duckdb (default) or spark.")]


def _text(data: dict[str, Any]) -> str:
    lines = [f"ASCOF from the CLD, {data['period']['label']} ({data['period']['dhsc_label']}), "
             f"method of {data['method']['source']} @ {data['method']['commit']}"]
    for la in data["councils"]:
        lines.append(f"\nCouncil {la}")
        for r in (r for r in data["figures"] if r["la_code"] == la):
            if not r["available"]:
                figure = "not available"
            else:
                unit = "%" if r["unit"] == "%" else f" {r['unit']}"
                places = MEASURES[r["measure"]].places
                figure = f"{r['outcome']:.{places}f}{unit}  ({r['numerator']:,} / {r['denominator']:,})"
            lines.append(f"  {r['measure']:<6} {r['grp']:<22} {figure}")
    lines += [f"\nNote: {n}" for n in data["notes"]]
    return "\n".join(lines)


def _run_spark(store: Any, period: Any, as_of: Any) -> dict[str, Any]:
    if importlib.util.find_spec("asc_assure.measures.ascof.spark") is None:
        fail("the Spark engine is not installed in this version (asc_assure.measures.ascof.spark); use --engine duckdb")
    spark = importlib.import_module("asc_assure.measures.ascof.spark")
    result = spark.run(store, period, as_of=as_of)
    return result.as_dict() if hasattr(result, "as_dict") else result


def register(app: typer.Typer, cqc_app: typer.Typer) -> None:
    """Attach the top-level ``ascof`` command."""

    @app.command("ascof")
    def ascof(
        store: StoreOpt,
        year: Annotated[str | None, typer.Option("--year", help="Financial year, e.g. 2024-25.")] = None,
        period_end: Annotated[str | None, typer.Option(
            "--period-end", help="Rolling 12 months ending on this quarter end (YYYY-MM-DD), not a year.")] = None,
        la_code: Annotated[str | None, typer.Option("--la-code", help="Only this council (three-digit code).")] = None,
        as_of: Annotated[str | None, typer.Option("--as-of", help="Use the extracts in force on this date.")] = None,
        engine: EngineOpt = "duckdb",
        as_json: JsonOpt = False,
    ) -> None:
        """ASCOF 2A, 2B, 2C, 2D, 2E and 3D from the stored CLD, by DHSC's published method (docs/ascof.md)."""
        from asc_assure.data.store import StoreError
        from asc_assure.measures.ascof import engine as ascof_engine
        from asc_assure.measures.ascof.periods import PeriodError, resolve

        try:
            period = resolve(year, parse_date(period_end, "--period-end"))
        except PeriodError as exc:
            fail(str(exc))
        when = parse_date(as_of, "--as-of")
        if engine not in ("duckdb", "spark"):
            fail(f"--engine must be duckdb or spark, not {engine!r}")
        try:
            if engine == "spark":
                data = _run_spark(store, period, when)
            else:
                data = ascof_engine.run(store, period, as_of=when).as_dict()
        except StoreError as exc:
            fail(str(exc))
        if la_code:
            if la_code not in data["councils"]:
                known = ", ".join(data["councils"]) or "none"
                fail(f"council {la_code!r} is not in the store's CLD (councils: {known})")
            data = {**data, "councils": [la_code], "figures": [r for r in data["figures"] if r["la_code"] == la_code],
                    "details": {k: [r for r in v if r.get("la_code") == la_code] for k, v in data["details"].items()}}
        emit(data, as_json, _text(data))

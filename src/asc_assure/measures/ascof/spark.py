"""ASCOF for every council at once on Apache Spark, from the same SQL files the DuckDB engine runs.

``run(source, period)`` loads the inputs into Spark views with the names and column types the DuckDB
engine uses (``cld``, ``population``, ``hospital_episodes``, the one-row ``params``), translates each
file of ``sql/`` with SQLGlot (``asc_assure.measures.sql_runner.to_spark``), runs them in the same order,
and finishes the rows with the engine's own ``finalise`` (outcome from the integer counts, rounded half
away from zero). Nothing of the method is written twice: a construct SQLGlot cannot translate stops
the run with the file's name.

``source`` is either a store folder (its Parquet loads are read where they are, rows superseded as the
store's DuckDB views do) or a mapping of input name to Parquet files or folders, for example the
national inputs on shared storage of a cluster, written by ``export_inputs``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asc_assure.measures import sql_runner
from asc_assure.measures.ascof import engine
from asc_assure.measures.ascof.periods import Period

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ParquetInputs = Mapping[str, str | Path | Sequence[str | Path]]

SKIP_WITHOUT_2D = ("ascof_2d_links", "ascof_2d", "ascof_2d_outcomes")


class _SparkCursor:
    """Just enough of a DuckDB connection (``execute(sql).fetchone()``) for the engine's availability checks,
    so the notes a council reads about missing inputs are the engine's own."""

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark
        self._row: tuple[Any, ...] | None = None

    def execute(self, sql: str) -> _SparkCursor:
        rows = self.spark.sql(sql_runner.to_spark(sql, "availability check")).collect()
        self._row = tuple(rows[0]) if rows else None
        return self

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._row


def load_inputs(spark: SparkSession, source: Path | str | ParquetInputs, as_of: dt.date | None = None) -> None:
    """Create the ``cld``, ``population`` and ``hospital_episodes`` views from a store or Parquet paths."""
    if isinstance(source, Mapping):
        unknown = set(source) - set(engine.INPUTS)
        if unknown:
            raise ValueError(f"unknown ASCOF input(s) {', '.join(sorted(unknown))}; expected {engine.INPUTS}")
        for name in engine.INPUTS:
            if name in source:
                sql_runner.spark_parquet_view(spark, name, source[name])
            else:
                _empty_view(spark, name)
        return
    for name in engine.INPUTS:
        sql_runner.spark_store_view(spark, Path(source), name, as_of)


def _empty_view(spark: SparkSession, kind: str) -> None:
    from pyspark.sql.pandas.types import from_arrow_schema

    from asc_assure.data.contracts import get_contract
    from asc_assure.data.stored import stored_schema

    spark.createDataFrame([], from_arrow_schema(stored_schema(get_contract(kind)))).createOrReplaceTempView(kind)


def compute(spark: SparkSession, period: Period) -> engine.AscofResult:
    """Every ASCOF measure for ``period`` on a session that already holds the three input views."""
    started = time.perf_counter()
    sql_runner.spark_params(spark, {"period_start": period.start, "period_end": period.end})
    available, notes = engine.availability(_SparkCursor(spark), period)  # type: ignore[arg-type]
    skip = () if available["2D1"] else SKIP_WITHOUT_2D
    steps = [s for s in engine.sql_steps() if s.name not in skip]
    frames = sql_runner.run_spark(spark, steps)
    kinds = {s.name: s.kind for s in steps}
    raw: list[dict[str, Any]] = []
    details: dict[str, list[dict[str, Any]]] = {}
    for name, df in frames.items():
        rows = [r.asDict() for r in df.collect()]
        if kinds[name] == "measure":
            raw.extend(rows)
        else:
            details[name] = sorted(rows, key=lambda r: tuple(str(x) for x in r.values()))
    councils = sorted({r["la_code"] for r in raw})
    rows = engine.finalise(raw, available)
    if not available["2D1"]:
        rows = engine.finalise_order(rows + engine.not_available_rows(councils))
    return engine.AscofResult(period, rows, details, notes, available, councils, time.perf_counter() - started,
                              engine="spark")


def run(source: Path | str | ParquetInputs, period: Period, as_of: dt.date | None = None,
        spark: SparkSession | None = None, master: str | None = "local[2]", shuffle_partitions: int = 4,
        la_code: str | None = None) -> engine.AscofResult:
    """Every ASCOF measure for ``period`` for every council in ``source`` (or one, with ``la_code``).

    Uses ``spark`` when given (tests share one session), else starts or reuses a session on ``master``.
    """
    started = time.perf_counter()
    spark = spark or sql_runner.spark_session(master, shuffle_partitions, app_name="asc-assure-ascof")
    load_inputs(spark, source, as_of)
    result = compute(spark, period)
    result.seconds = time.perf_counter() - started
    return result.for_council(la_code) if la_code else result


def export_inputs(store_dir: Path | str, out_dir: Path | str, as_of: dt.date | None = None) -> dict[str, Path]:
    """Write the store's rows in force (cld, population, hospital_episodes) as Parquet for a cluster.

    The files hold pseudonymised rows only (as the store does); copy them to storage every Spark worker
    can read (HDFS, S3, a shared file system) and pass their paths to ``spark_job``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    con = engine.connect_inputs(store_dir, as_of)
    paths: dict[str, Path] = {}
    try:
        for name in engine.INPUTS:
            path = out / f"{name}.parquet"
            con.execute(f"COPY (SELECT * FROM {name}) TO '{path.as_posix()}' (FORMAT PARQUET)")
            paths[name] = path
    finally:
        con.close()
    return paths


def result_rows(result: engine.AscofResult) -> list[dict[str, Any]]:
    """The figures as flat rows (with the period), the shape ``asc-assure benchmark --results`` reads."""
    return [{"period_start": result.period.start, "period_end": result.period.end, "la_code": r["la_code"],
             "measure": r["measure"], "grp": r["grp"], "numerator": r["numerator"],
             "denominator": r["denominator"], "outcome": r["outcome"], "available": r["available"]}
            for r in result.rows]


def write_results(result: engine.AscofResult, path: Path | str) -> Path:
    """Save the figures as one Parquet file (for benchmarking, or loading into a national dataset)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([("period_start", pa.date32()), ("period_end", pa.date32()), ("la_code", pa.string()),
                        ("measure", pa.string()), ("grp", pa.string()), ("numerator", pa.int64()),
                        ("denominator", pa.int64()), ("outcome", pa.float64()), ("available", pa.bool_())])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(result_rows(result), schema=schema), path)
    return path


def national_results_duckdb(store_dir: Path | str, period: tuple[dt.date, dt.date] | Period,
                            as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Every council's figures from a store with the DuckDB engine (for benchmarking without Spark)."""
    if not isinstance(period, Period):
        start, end = period
        period = Period(start, end, "year" if (start.month, start.day, end.month, end.day) == (4, 1, 3, 31)
                        and end.year == start.year + 1 else "rolling")
    return result_rows(engine.run(store_dir, period, as_of))

"""Run one folder of measure SQL on DuckDB or, transpiled by SQLGlot, on Apache Spark.

A measure is written once, as a DuckDB query in a ``.sql`` file; files run in file-name order. A
file's leading comment lines may carry ``-- kind: view`` (the query becomes a view other files read,
named by ``-- name: <view>``, default the file's stem), ``-- kind: measure`` (the default: its rows are
results) or another kind such as ``detail`` (a supporting table, returned by name like a measure).
The same files run on Spark after ``to_spark`` translates them with SQLGlot (``read="duckdb", write="spark"``); there is
no second, hand-written copy.

Translation is strict: SQLGlot's "unsupported" warnings become errors, and a function SQLGlot does
not know (which it would pass through unchanged, hoping the target has one of the same name and
meaning) is refused as well. Such a file fails loudly, naming the file, rather than being quietly
translated into something that means a different thing on Spark.

Spark is run with ANSI mode off so that, as in DuckDB, a division by zero gives NULL instead of
failing the job. Constraint propagation (an optimiser step that infers filters) is switched off: it
costs minutes on long chains of views and trips a Spark 4.0 error when a union is checkpointed; it
never changes results.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import sqlglot
from sqlglot import ErrorLevel, exp

if TYPE_CHECKING:
    import duckdb
    from pyspark.sql import DataFrame, SparkSession

_HEADER = re.compile(r"^--\s*(kind|name)\s*:\s*(\S+)\s*$", re.IGNORECASE)


class TranspileError(ValueError):
    """A measure file SQLGlot cannot translate faithfully to Spark SQL."""


class Step(Protocol):
    """What the runners need of a step (``SqlStep`` here, or the ASCOF engine's own)."""

    name: str
    kind: str
    sql: str


def _source(step: Step) -> str:
    return str(getattr(step, "path", None) or getattr(step, "file", None) or step.name)


@dataclass(frozen=True)
class SqlStep:
    """One SQL file: a view to create or a measure query whose rows are results."""

    name: str
    kind: str
    path: Path
    sql: str

    @property
    def is_view(self) -> bool:
        return self.kind == "view"


def parse_step(path: Path) -> SqlStep:
    """Read a SQL file and its ``-- kind:`` / ``-- name:`` header (leading comment lines only)."""
    text = Path(path).read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("--"):
            break
        m = _HEADER.match(stripped)
        if m:
            meta.setdefault(m.group(1).lower(), m.group(2))
    kind = meta.get("kind", "measure").lower()
    return SqlStep(name=meta.get("name", Path(path).stem), kind=kind, path=Path(path), sql=text.strip().rstrip(";"))


def load_steps(folders: Iterable[Path]) -> list[SqlStep]:
    """Every ``*.sql`` file of the folders, each folder's files in file-name order."""
    steps: list[SqlStep] = []
    for folder in folders:
        steps.extend(parse_step(p) for p in sorted(Path(folder).glob("*.sql")))
    return steps


# -- translation ------------------------------------------------------------------------------------
def to_spark(sql: str, source: str = "query") -> str:
    """DuckDB SQL -> Spark SQL, refusing anything SQLGlot cannot translate faithfully."""
    return _generate(_parse(sql, source), source)


@dataclass(frozen=True)
class Part:
    """One Spark statement of a step: a CTE's view (``name``) or the step's main query (``name`` None)."""

    name: str | None
    sql: str
    shared: bool = False  # read more than once: computed once and kept


def split_ctes(sql: str, prefix: str, source: str = "query") -> list[Part]:
    """Split a query's top-level ``WITH`` into one Spark statement per CTE, then the main query.

    Each CTE becomes a view named ``<prefix>__<cte>`` (references renamed, keeping the CTE's name as the
    alias so qualified columns still resolve); the last part is the main query. Spark expands a CTE at
    every place it is referenced, so a long chain of CTEs that refer back to one another (as the ASCOF
    episode logic does) grows a query plan of megabytes that takes minutes to optimise; computing each
    CTE read more than once a single time, as DuckDB does, keeps plans small. The SQL is unchanged.
    """
    tree = _parse(sql, source)
    with_ = tree.args.get("with_")
    if with_ is None or with_.args.get("recursive") or any(
            cte.args.get("alias") is not None and cte.args["alias"].columns for cte in with_.expressions):
        return [Part(None, _generate(tree, source))]
    names = {cte.alias_or_name: f"{prefix}__{cte.alias_or_name}" for cte in with_.expressions}
    main = tree.copy()
    main.set("with_", None)
    bodies = [(cte.alias_or_name, _renamed(cte.this.copy(), names)) for cte in with_.expressions]
    bodies.append((None, _renamed(main, names)))
    uses = {n: 0 for n in names.values()}
    for _, body in bodies:
        for table in body.find_all(exp.Table):
            if table.name in uses and table.args.get("db") is None:
                uses[table.name] += 1
    return [Part(names[cte] if cte else None, _generate(body, f"{source} ({cte or 'main query'})"),
                 bool(cte) and uses[names[cte]] > 1) for cte, body in bodies]


def _renamed(tree: exp.Expression, names: dict[str, str]) -> exp.Expression:
    for table in list(tree.find_all(exp.Table)):
        if table.args.get("db") is None and table.name in names:
            original = table.name
            table.set("this", exp.to_identifier(names[original]))
            if not table.alias:
                table.set("alias", exp.TableAlias(this=exp.to_identifier(original)))
    return tree


def _parse(sql: str, source: str) -> exp.Expression:
    try:
        trees = sqlglot.parse(sql, read="duckdb", error_level=ErrorLevel.RAISE)
    except sqlglot.errors.ParseError as exc:
        raise TranspileError(f"{source}: SQLGlot cannot parse it as DuckDB SQL: {exc}") from exc
    if len(trees) != 1 or trees[0] is None:
        raise TranspileError(f"{source}: expected exactly one statement, found {len(trees)}")
    tree = trees[0]
    unknown = sorted({f.name for f in tree.find_all(exp.Anonymous)})
    if unknown:
        raise TranspileError(f"{source}: SQLGlot does not know the function(s) {', '.join(unknown)}, so it cannot "
                             "translate them to Spark; use a standard function instead")
    return tree


def _generate(tree: exp.Expression, source: str) -> str:
    try:
        return tree.sql(dialect="spark", unsupported_level=ErrorLevel.RAISE, comments=False)
    except sqlglot.errors.UnsupportedError as exc:
        raise TranspileError(f"{source}: SQLGlot cannot translate it to Spark: {exc}") from exc


def spark_steps(steps: Sequence[Step]) -> list[tuple[Step, list[Part]]]:
    """Translate every step up front (CTEs split out), so a bad file fails before Spark does any work."""
    return [(s, split_ctes(s.sql, f"_{s.name}", _source(s))) for s in steps]


# -- Spark ------------------------------------------------------------------------------------------
def spark_session(master: str | None = "local[2]", shuffle_partitions: int = 4, app_name: str = "asc-assure",
                  conf: Mapping[str, str] | None = None, driver_memory: str | None = "2g",
                  ui: bool = False) -> SparkSession:
    """A Spark session (an existing one is reused) configured as the measures need.

    ``master`` None leaves the master to ``spark-submit --master``; ``driver_memory`` only applies when
    this call starts the JVM (local runs), not under ``spark-submit``.
    """
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    if driver_memory:
        builder = builder.config("spark.driver.memory", driver_memory)
    builder = (builder.config("spark.ui.enabled", "true" if ui else "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
               .config("spark.sql.ansi.enabled", "false")
               .config("spark.sql.session.timeZone", "UTC"))
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    # getOrCreate returns a running session unchanged: make the settings the SQL relies on hold anyway.
    spark.conf.set("spark.sql.ansi.enabled", "false")
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.conf.set("spark.sql.constraintPropagation.enabled", "false")
    return spark


def spark_params(spark: SparkSession, params: Mapping[str, Any], name: str = "params") -> None:
    """A one-row view of typed parameters (dates stay dates), like the DuckDB engine's ``params``."""
    cols = []
    for key, value in params.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise ValueError(f"parameter name {key!r} is not a plain SQL name")
        cols.append(f"{_literal(value)} AS {key}")
    spark.sql(f"SELECT {', '.join(cols)}").createOrReplaceTempView(name)


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, int):
        return f"CAST({value} AS BIGINT)"
    if isinstance(value, float):
        return f"CAST({value!r} AS DOUBLE)"
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def spark_store_view(spark: SparkSession, store_dir: Path, kind: str, as_of: dt.date | None = None,
                     name: str | None = None) -> int:
    """Spark view ``name`` (default ``kind``) with a store's rows in force on ``as_of``; returns loads read.

    Reads the store's own Parquet load files (no copy) and resolves supersession as
    ``Store.current_sql`` does for DuckDB: latest load first by business key (``row_number``) or, for
    the CLD, by council and reporting period (``dense_rank``), ordered by extract date then load order.
    That query is written once, in DuckDB SQL, and translated like every measure.
    """
    from pyspark.sql.pandas.types import from_arrow_schema

    from asc_assure.data.contracts import get_contract
    from asc_assure.data.store import Store
    from asc_assure.data.stored import stored_schema

    store = Store(store_dir)
    contract = get_contract(kind)
    files = [str(p) for p in store._paths(store.loads_for(kind, as_of), "data.parquet")]
    view = name or kind
    if not files:
        schema = from_arrow_schema(stored_schema(contract))
        spark.createDataFrame([], schema).createOrReplaceTempView(view)
        return 0
    raw = spark.read.option("mergeSchema", "true").parquet(*files)
    if len(files) == 1:
        raw.createOrReplaceTempView(view)
        return 1
    loads = f"_{view}_loads"
    raw.createOrReplaceTempView(loads)
    rank = "row_number()" if contract.supersede == "key" else "dense_rank()"
    sql = (f"SELECT * FROM {loads} QUALIFY {rank} OVER (PARTITION BY {', '.join(contract.key)} "
           "ORDER BY _as_of DESC, _load_seq DESC) = 1")
    spark.sql(to_spark(sql, f"{kind} supersession")).drop("_w").createOrReplaceTempView(view)
    return len(files)


def spark_parquet_view(spark: SparkSession, name: str, paths: str | Path | Sequence[str | Path]) -> None:
    """Spark view ``name`` over Parquet files or folders (e.g. a national extract on shared storage)."""
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    spark.read.option("mergeSchema", "true").parquet(*[str(p) for p in items]).createOrReplaceTempView(name)


def run_spark(spark: SparkSession, steps: Sequence[Step], materialise_views: bool = True
              ) -> dict[str, DataFrame]:
    """Run the steps on Spark: views become temp views; every other step's DataFrame is returned by name.

    With ``materialise_views`` (the default) each view is computed once and kept (a local checkpoint,
    Spark's counterpart of a temporary table): measure views read one another many times over, and
    left as plain views Spark would inline and re-plan every layer in every query, which makes query
    plans grow until the driver runs out of memory. Measure steps stay lazy until collected or written.
    """
    out: dict[str, DataFrame] = {}
    for step, parts in spark_steps(steps):
        for part in parts:
            df = spark.sql(part.sql)
            if part.name is not None:
                (df.localCheckpoint(eager=True) if part.shared else df).createOrReplaceTempView(part.name)
            elif step.kind == "view":
                if materialise_views:
                    df = df.localCheckpoint(eager=True)
                df.createOrReplaceTempView(step.name)
            else:
                out[step.name] = df
    return out


def union_all(frames: Iterable[DataFrame]) -> DataFrame | None:
    """One DataFrame of several with the same columns (matched by name)."""
    result: DataFrame | None = None
    for df in frames:
        result = df if result is None else result.unionByName(df)
    return result


def spark_rows(df: DataFrame | None, order: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Collect a result DataFrame as plain dicts (optionally sorted by the given columns)."""
    if df is None:
        return []
    rows = [r.asDict() for r in df.collect()]
    if order:
        rows.sort(key=lambda r: tuple((r[c] is None, r[c]) for c in order))
    return rows


# -- DuckDB (the same files, untranslated) ----------------------------------------------------------
def run_duckdb(con: duckdb.DuckDBPyConnection, steps: Sequence[Step]) -> dict[str, list[dict[str, Any]]]:
    """Run the steps on DuckDB exactly as written: views are created, other steps' rows returned by name."""
    out: dict[str, list[dict[str, Any]]] = {}
    for step in steps:
        if step.kind == "view":
            con.execute(f"CREATE OR REPLACE TEMP VIEW {step.name} AS {step.sql}")
        else:
            rel = con.sql(step.sql)
            cols = rel.columns
            out[step.name] = [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]
    return out

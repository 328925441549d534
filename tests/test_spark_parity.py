"""The measure SQL gives the same figures on Spark (local mode) as on DuckDB, council by council.

Select with ``pytest -m spark`` (or run this file). One Spark session and one small synthetic
three-council store serve the whole module: starting Spark takes seconds and generating councils more.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

pytest.importorskip("pyspark")
if shutil.which("java") is None:  # pragma: no cover - depends on the machine
    pytest.skip("Spark needs Java", allow_module_level=True)

from asc_assure.data.ingest import ingest_files
from asc_assure.data.store import Store
from asc_assure.measures import sql_runner
from asc_assure.measures.ascof import engine
from asc_assure.measures.ascof import spark as ascof_spark
from asc_assure.measures.ascof.periods import financial_year, rolling

pytestmark = [pytest.mark.spark, pytest.mark.slow]

KEY = b"parity-test-key-" * 2
INPUT_FILES = ("cld_", "population", "hospital_episodes")


@pytest.fixture(scope="module")
def spark():
    session = sql_runner.spark_session("local[2]", shuffle_partitions=2, app_name="asc-assure-tests")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """Three small synthetic councils, April 2023 to June 2025, CLD plus population and hospital episodes."""
    from asc_assure.data.synth import generate

    root = tmp_path_factory.mktemp("parity")
    generate(root / "extracts", seed=11, people=20_000, start=dt.date(2023, 4, 1), end=dt.date(2025, 6, 30),
             councils=3)
    files = sorted(p for p in (root / "extracts").rglob("*.csv") if p.name.startswith(INPUT_FILES))
    results = ingest_files(root / "store", files, as_of=dt.date(2025, 7, 15), key=KEY, actor="test")
    assert not [r for r in results if r.status == "failed"]
    return root / "store"


def rows_by_key(rows):
    return {(r["la_code"], r["measure"], r["grp"]): r for r in rows}


@pytest.mark.parametrize("period", [financial_year("2024-25"), rolling(dt.date(2024, 12, 31))],
                         ids=["2024-25", "rolling-2024-12"])
def test_every_council_gets_the_same_ascof_figures_on_spark_as_on_duckdb(spark, store, period):
    duck = engine.run(store, period)
    on_spark = ascof_spark.run(store, period, spark=spark)
    assert on_spark.engine == "spark" and len(on_spark.councils) == 3
    assert on_spark.councils == duck.councils
    assert {r["measure"] for r in duck.rows} >= {"2A", "2B", "2C", "2D1", "2E", "3D1a", "3D1b"}
    # numerators and denominators exactly, row for row; outcomes are rounded from them the same way
    assert rows_by_key(on_spark.rows) == rows_by_key(duck.rows)
    assert on_spark.rows == duck.rows
    assert on_spark.details == duck.details
    assert on_spark.notes == duck.notes and on_spark.available == duck.available
    assert sum(r["denominator"] or 0 for r in duck.rows if r["measure"] == "2A") > 0


def test_national_inputs_exported_as_parquet_give_the_same_figures(spark, store, tmp_path):
    period = financial_year("2024-25")
    paths = ascof_spark.export_inputs(store, tmp_path / "inputs")
    assert set(paths) == {"cld", "population", "hospital_episodes"}
    on_spark = ascof_spark.run({k: str(v) for k, v in paths.items()}, period, spark=spark)
    assert on_spark.rows == engine.run(store, period).rows
    saved = ascof_spark.write_results(on_spark, tmp_path / "national.parquet")
    from asc_assure.measures import benchmark as bmk

    rows = bmk.select_measure(bmk.read_results(saved), "2A", "Total")
    assert len(rows) == 3


def test_one_council_from_a_national_run(spark, store):
    period = financial_year("2024-25")
    national = ascof_spark.run(store, period, spark=spark)
    one = national.councils[0]
    assert ascof_spark.run(store, period, spark=spark, la_code=one).rows == engine.run(store, period,
                                                                                        la_code=one).rows


def test_store_supersession_on_spark_matches_the_duckdb_views(spark, store, tmp_path):
    """A CLD resubmission replaces the earlier submission for that council and quarter on both engines."""
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    con = Store(copy).connect(only=("cld",))
    la, start, end = con.execute("SELECT la_code, reporting_period_start_date, reporting_period_end_date FROM cld "
                                 "ORDER BY 1, 2 LIMIT 1").fetchone()
    before = con.execute("SELECT count(*) FROM cld").fetchone()[0]
    con.close()
    extracts = store.parent / "extracts"
    original = next(p for p in extracts.rglob(f"cld_{start.isoformat()}_{end.isoformat()}.csv")
                    if p.parent.name.startswith(la))
    lines = original.read_text(encoding="utf-8").splitlines()
    resubmitted = tmp_path / original.name
    resubmitted.write_text("\n".join(lines[: 1 + (len(lines) - 1) // 2]) + "\n", encoding="utf-8")
    [result] = ingest_files(copy, [resubmitted], as_of=dt.date(2025, 8, 1), key=KEY, actor="test")
    assert result.status != "failed"
    con = Store(copy).connect(only=("cld",))
    duck = sorted(con.execute("SELECT _load_seq, _row FROM cld").fetchall())
    con.close()
    assert len(duck) < before
    assert sql_runner.spark_store_view(spark, copy, "cld", name="cld_check") > 1
    on_spark = sorted(tuple(r) for r in spark.sql("SELECT _load_seq, _row FROM cld_check").collect())
    assert on_spark == duck


def test_dhsc_waiting_times_sql_runs_the_same_on_spark(spark, store):
    steps = sql_runner.load_steps([Path(__file__).parents[1] / "src/asc_assure/measures/dhsc"])
    con = Store(store).connect(only=("cld",))
    duck = sql_runner.run_duckdb(con, steps)
    con.close()
    sql_runner.spark_store_view(spark, store, "cld")
    frames = sql_runner.run_spark(spark, steps)
    assert set(frames) == set(duck) == {"waiting_times"}
    on_spark = sql_runner.spark_rows(frames["waiting_times"])
    assert len(on_spark) == len(duck["waiting_times"]) > 0

    def norm(rows):
        return sorted(tuple((k, round(float(v), 9) if isinstance(v, float) else v) for k, v in sorted(r.items()))
                      for r in rows)

    assert norm(on_spark) == norm(duck["waiting_times"])


# -- the runner on SQL of its own ----------------------------------------------------------------------
VIEW_SQL = """-- kind: view
-- name: spells
-- One row per person and spell, with days in the spell.
WITH src AS (
  SELECT * FROM (VALUES ('001', 'p1', DATE '2024-01-01', DATE '2024-01-11'),
                        ('001', 'p2', DATE '2024-02-01', NULL),
                        ('002', 'p3', DATE '2024-03-01', DATE '2024-03-02')) AS t(la_code, person, start_date, end_date)
)
SELECT la_code, person, start_date, end_date,
       DATE_DIFF('day', start_date, COALESCE(end_date, (SELECT period_end FROM params))) AS days
FROM src
"""

MEASURE_SQL = """-- kind: measure
-- name: long_spells
WITH counted AS (
  SELECT la_code, SUM(CASE WHEN days >= 10 THEN 1 ELSE 0 END) AS numerator, COUNT(*) AS denominator
  FROM spells GROUP BY la_code
),
councils AS (SELECT DISTINCT la_code FROM spells)
SELECT c.la_code, 'long' AS measure, 'Total' AS grp, CAST(COALESCE(counted.numerator, 0) AS BIGINT) AS numerator,
       CAST(counted.denominator AS BIGINT) AS denominator,
       CASE WHEN counted.denominator = 0 THEN 0.0 ELSE 100.0 * counted.numerator / counted.denominator END AS outcome
FROM councils c LEFT JOIN counted ON counted.la_code = c.la_code
WHERE c.la_code IN (SELECT la_code FROM counted)
"""


def test_runner_on_a_small_sql_folder_of_its_own(spark, tmp_path):
    (tmp_path / "10_spells.sql").write_text(VIEW_SQL, encoding="utf-8")
    (tmp_path / "20_long.sql").write_text(MEASURE_SQL, encoding="utf-8")
    steps = sql_runner.load_steps([tmp_path])
    assert [(s.name, s.kind) for s in steps] == [("spells", "view"), ("long_spells", "measure")]
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE params AS SELECT DATE '2024-03-31' AS period_start, DATE '2024-03-31' AS period_end")
    duck = sql_runner.run_duckdb(con, steps)["long_spells"]
    sql_runner.spark_params(spark, {"period_start": dt.date(2024, 3, 31), "period_end": dt.date(2024, 3, 31)})
    on_spark = sql_runner.spark_rows(sql_runner.run_spark(spark, steps)["long_spells"], order=["la_code"])
    assert [(r["la_code"], r["numerator"], r["denominator"]) for r in on_spark] == [("001", 2, 2), ("002", 0, 1)]
    assert [(r["la_code"], r["numerator"], r["denominator"], float(r["outcome"])) for r in on_spark] == sorted(
        (r["la_code"], r["numerator"], r["denominator"], float(r["outcome"])) for r in duck)


def test_ctes_read_twice_are_computed_once_and_the_rest_left_inline():
    parts = sql_runner.split_ctes(MEASURE_SQL, "_long")
    assert [(p.name, p.shared) for p in parts] == [("_long__counted", True), ("_long__councils", False),
                                                    (None, False)]
    assert "_long__counted AS counted" in parts[-1].sql


def test_sql_that_sqlglot_cannot_translate_faithfully_is_refused_with_the_file_name():
    with pytest.raises(sql_runner.TranspileError, match=r"bad\.sql: .*list_frob"):
        sql_runner.to_spark("SELECT list_frob(x) FROM t", "bad.sql")
    with pytest.raises(sql_runner.TranspileError, match="cannot parse"):
        sql_runner.to_spark("SELECT FROM WHERE", "broken.sql")
    # what it can translate, it rewrites: QUALIFY becomes a filtered subquery, DuckDB's nulls-last order is kept
    spark_sql = sql_runner.to_spark("SELECT * FROM t QUALIFY row_number() OVER (PARTITION BY a ORDER BY b) = 1")
    assert "QUALIFY" not in spark_sql and "NULLS LAST" in spark_sql


def test_every_ascof_file_translates():
    for step, parts in sql_runner.spark_steps(engine.sql_steps()):
        assert parts[-1].name is None, step.file


def test_spark_submit_entry_point_writes_the_national_figures(spark, store, tmp_path):
    from asc_assure.measures.ascof import spark_job

    paths = ascof_spark.export_inputs(store, tmp_path / "inputs")
    out = tmp_path / "out" / "ascof.parquet"
    assert spark_job.main(["--master", "local[2]", "--input", f"cld={paths['cld']}",
                           "--input", f"population={paths['population']}", "--year", "2024-25",
                           "--output", str(out), "--details", str(tmp_path / "details"),
                           "--shuffle-partitions", "2"]) == 0
    import pyarrow.parquet as pq

    table = pq.read_table(out).to_pylist()
    duck = [r for r in engine.run(store, financial_year("2024-25")).rows if not r["measure"].startswith("2D")]
    assert {(r["la_code"], r["measure"], r["grp"]): (r["numerator"], r["denominator"]) for r in table
            if not r["measure"].startswith("2D")} == {
        (r["la_code"], r["measure"], r["grp"]): (r["numerator"], r["denominator"]) for r in duck}
    assert (tmp_path / "details" / "ascof_2a_by_sequel.json").exists()
    with pytest.raises(SystemExit, match="cld"):
        spark_job.main(["--input", "population=x.parquet", "--year", "2024-25", "--output", str(out)])

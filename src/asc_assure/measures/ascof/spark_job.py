"""``spark-submit`` entry point: ASCOF for every council from Parquet on shared storage.

    spark-submit --master spark://head:7077 src/asc_assure/measures/ascof/spark_job.py \\
        --input cld=hdfs:///asc/2025q1/cld.parquet --input population=hdfs:///asc/ref/population.parquet \\
        --year 2024-25 --output hdfs:///asc/out/ascof_2024-25.parquet

or, on one machine, ``python -m asc_assure.measures.ascof.spark_job --master local[4] --store store/ ...``.
Only the driver runs Python (this package must be importable there); the measures are Spark SQL, so
executors need nothing but Spark. The figures are written as one Parquet file with the columns
``asc-assure benchmark --results`` reads; ``--details`` also writes each disaggregation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from asc_assure.measures.ascof import engine
from asc_assure.measures.ascof import spark as ascof_spark
from asc_assure.measures.ascof.periods import PeriodError, resolve


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="spark_job", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--store", help="A store folder readable by the driver and every executor.")
    src.add_argument("--input", action="append", metavar="NAME=PATH",
                     help="An input as Parquet (file, folder or glob): cld=..., population=..., "
                          "hospital_episodes=... (repeat; population and hospital_episodes may be left out).")
    p.add_argument("--master", help="Spark master URL (default: whatever spark-submit was given, else local[2]).")
    p.add_argument("--year", help="Financial year, e.g. 2024-25.")
    p.add_argument("--period-end", help="End of a rolling 12 months (a quarter end, YYYY-MM-DD) instead of --year.")
    p.add_argument("--as-of", help="With --store: use the extracts in force on this date (YYYY-MM-DD).")
    p.add_argument("--output", required=True, help="Where to write the figures (a Parquet file).")
    p.add_argument("--details", help="Folder to write each disaggregation to, as JSON.")
    p.add_argument("--shuffle-partitions", type=int, default=64,
                   help="spark.sql.shuffle.partitions (default 64; about 2-3 per executor core).")
    return p.parse_args(argv)


def _inputs(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, path = pair.partition("=")
        if not sep or name not in engine.INPUTS or not path:
            raise SystemExit(f"--input {pair!r}: expected NAME=PATH with NAME one of {', '.join(engine.INPUTS)}")
        out[name] = path
    if "cld" not in out:
        raise SystemExit("--input cld=PATH is required (every ASCOF measure is derived from the CLD)")
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        period = resolve(args.year, dt.date.fromisoformat(args.period_end) if args.period_end else None)
    except (PeriodError, ValueError) as exc:
        raise SystemExit(f"error: {exc}") from exc
    from asc_assure.measures import sql_runner

    # spark-submit starts the JVM first and tells this driver its port; its --master then applies.
    running_under_submit = "PYSPARK_GATEWAY_PORT" in os.environ
    master = args.master or (None if running_under_submit else "local[2]")
    spark = sql_runner.spark_session(master, args.shuffle_partitions, app_name=f"asc-assure-ascof-{period.key}",
                                     driver_memory=None if running_under_submit else "2g")
    source = Path(args.store) if args.store else _inputs(args.input)
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    result = ascof_spark.run(source, period, as_of=as_of, spark=spark)
    ascof_spark.write_results(result, args.output)
    if args.details:
        folder = Path(args.details)
        folder.mkdir(parents=True, exist_ok=True)
        for name, rows in result.details.items():
            (folder / f"{name}.json").write_text(json.dumps(rows, default=str, indent=1), encoding="utf-8")
    print(json.dumps({"period": period.as_dict(), "councils": len(result.councils), "rows": len(result.rows),
                      "notes": result.notes, "seconds": round(result.seconds, 1), "output": args.output}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: ASCOF for every synthetic council, on DuckDB and on Spark local mode, side by side.

Run: ``.venv/bin/python bench/bench_national.py [--councils 153] [--people N] [--master local[2]]``

1. Generates ``--councils`` synthetic councils for one year (1 April 2024 to 31 March 2025) once and
   caches them with their store under ``bench/.cache/`` (git-ignored by a file the script writes there);
   only the CLD, population and hospital-episode files are loaded, as the measures read nothing else.
2. Runs the ASCOF engine (every measure, every council, 2024-25) on DuckDB, then the same SQL
   translated to Spark (``asc_assure.measures.ascof.spark``) in local mode. Each run is a child process
   of its own, so its peak memory is measured cleanly: the resident memory of the child and everything
   it starts (for Spark, the Java driver), sampled every 50 ms.
3. Prints wall time (including Spark's start-up), the engine's own time, peak memory and rows processed
   (CLD rows in force, and rows read in all three inputs), and checks that both engines gave identical
   numerators and denominators for every council. Results go to ``bench/out/national.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
START, END = dt.date(2024, 4, 1), dt.date(2025, 3, 31)
INPUT_FILES = ("cld_", "population", "hospital_episodes")


def build(folder: Path, councils: int, seed: int, people: int | None) -> dict[str, Any]:
    """Generate and load the councils once; later runs reuse the store."""
    from asc_assure.data.ingest import ingest_files
    from asc_assure.data.synth import generate

    marker = folder / "built.json"
    if marker.exists():
        return json.loads(marker.read_text())
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    summary = generate(folder / "extracts", seed=seed, people=people, start=START, end=END, councils=councils)
    t_gen = time.perf_counter() - t0
    files = sorted(p for p in (folder / "extracts").rglob("*.csv") if p.name.startswith(INPUT_FILES))
    t0 = time.perf_counter()
    results = ingest_files(folder / "store", files, as_of=END + dt.timedelta(days=30), key=b"bench-national-key" * 2,
                           actor="bench")
    t_ingest = time.perf_counter() - t0
    failed = [r.file for r in results if r.status == "failed"]
    if failed:
        raise SystemExit(f"files failed to load: {failed[:5]}")
    info = {"councils": councils, "seed": seed, "people": people, "population": summary["totals"]["population"],
            "cld_rows": summary["totals"]["cld_rows"], "files": len(files),
            "generate_seconds": round(t_gen, 1), "ingest_seconds": round(t_ingest, 1),
            "rows_loaded": sum(r.rows_loaded for r in results)}
    marker.write_text(json.dumps(info, indent=2))
    return info


def rows_processed(store: Path) -> dict[str, int]:
    from asc_assure.measures.ascof.engine import INPUTS, connect_inputs

    con = connect_inputs(store)
    try:
        return {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in INPUTS}
    finally:
        con.close()


def child(engine_name: str, store: Path, out: Path, master: str, partitions: int, driver_memory: str) -> None:
    """One engine run (in a child process): figures to ``out`` as JSON, with the engine's own time."""
    from asc_assure.measures.ascof import engine
    from asc_assure.measures.ascof.periods import financial_year

    period = financial_year("2024-25")
    if engine_name == "duckdb":
        result = engine.run(store, period)
    else:
        from asc_assure.measures import sql_runner
        from asc_assure.measures.ascof import spark as ascof_spark

        t0 = time.perf_counter()
        spark = sql_runner.spark_session(master, partitions, app_name="bench-national", driver_memory=driver_memory)
        started = time.perf_counter() - t0
        result = ascof_spark.run(store, period, spark=spark)
        result.notes.append(f"Spark session start {started:.1f} s")
    out.write_text(json.dumps({"seconds": result.seconds, "rows": result.rows, "notes": result.notes},
                              default=str))


class TreePeak:
    """Peak resident memory of a process and all its descendants (sampled)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.proc = psutil.Process(pid)
        self.peak = 0
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                total = 0
                for p in procs:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        total += p.memory_info().rss
                self.peak = max(self.peak, total)
            except psutil.NoSuchProcess:
                return
            time.sleep(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def measure(engine_name: str, store: Path, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    out = work / f"{engine_name}.json"
    cmd = [sys.executable, __file__, "--child", engine_name, "--store", str(store), "--result", str(out),
           "--master", args.master, "--partitions", str(args.partitions), "--driver-memory", args.driver_memory]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    peak = TreePeak(proc.pid)
    code = proc.wait()
    wall = time.perf_counter() - t0
    peak_bytes = peak.stop()
    if code:
        raise SystemExit(f"{engine_name} run failed with exit code {code}")
    data = json.loads(out.read_text())
    return {"engine": engine_name, "wall_seconds": round(wall, 1), "engine_seconds": round(data["seconds"], 1),
            "peak_rss_mib": round(peak_bytes / 2**20), "rows": data["rows"], "notes": data["notes"]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--councils", type=int, default=153)
    p.add_argument("--people", type=int, default=None, help="Council 1's population (default 700,000; others "
                                                           "scale with it).")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--master", default="local[2]")
    p.add_argument("--partitions", type=int, default=8, help="spark.sql.shuffle.partitions")
    p.add_argument("--driver-memory", default="6g")
    p.add_argument("--engines", default="duckdb,spark")
    p.add_argument("--duckdb-memory", help="DuckDB memory limit for the run, e.g. 2GB (sets ASC_ASSURE_DUCKDB_MEMORY; "
                                           "default: the engine's own, the smaller of 4 GiB and 60%% of memory)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--store", help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args.child, Path(args.store), Path(args.result), args.master, args.partitions, args.driver_memory)
        return
    if args.duckdb_memory:
        os.environ["ASC_ASSURE_DUCKDB_MEMORY"] = args.duckdb_memory  # inherited by the child runs
    CACHE.mkdir(exist_ok=True)
    (CACHE / ".gitignore").write_text("*\n")
    folder = CACHE / f"national-s{args.seed}-c{args.councils}-p{args.people or 'default'}"
    info = build(folder, args.councils, args.seed, args.people)
    store = folder / "store"
    processed = rows_processed(store)
    print(f"{info['councils']} councils, {info['population']:,} residents, one year {START}..{END}: "
          f"{processed['cld']:,} CLD rows, {processed['population']:,} population rows, "
          f"{processed['hospital_episodes']:,} hospital episodes "
          f"(generated in {info['generate_seconds']} s, loaded in {info['ingest_seconds']} s)")
    runs = [measure(e, store, folder, args) for e in args.engines.split(",")]
    print(f"{'engine':10}{'wall s':>10}{'engine s':>10}{'peak RSS MiB':>14}{'rows in':>14}{'figures':>10}")
    total_in = sum(processed.values())
    for r in runs:
        print(f"{r['engine']:10}{r['wall_seconds']:>10}{r['engine_seconds']:>10}{r['peak_rss_mib']:>14,}"
              f"{total_in:>14,}{len(r['rows']):>10,}")
        for note in r["notes"]:
            print(f"  {r['engine']}: {note}")
    identical = None
    if len(runs) == 2:
        def key(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
            return sorted((x["la_code"], x["measure"], x["grp"], x["numerator"], x["denominator"], x["outcome"])
                          for x in rows)

        identical = key(runs[0]["rows"]) == key(runs[1]["rows"])
        print(f"identical figures (numerator, denominator, outcome for every council, measure and group): "
              f"{'yes' if identical else 'NO'}")
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    report = {"data": info, "rows_processed": processed, "identical": identical, "machine": {
        "cpus": psutil.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1)},
        "runs": [{k: v for k, v in r.items() if k != "rows"} | {"figures": len(r["rows"])} for r in runs]}
    (out / "national.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

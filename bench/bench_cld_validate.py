"""Benchmark: CLD pre-submission validation of a large file against a plain pandas row-by-row baseline.

Run: ``.venv/bin/python bench/bench_cld_validate.py [--rows 1000000] [--baseline-rows N]``

The file and the baseline are the ingest benchmark's (``bench_ingest.make_cld``: realistic values,
about 1% faulty rows; ``bench_ingest.baseline``: ``pandas.read_csv`` then a Python loop checking
dates, codes, NHS Modulus 11, required fields and end-after-start). The validator does more than the
baseline (event-type rules, the reporting period, duplicates and conflicting person details across
the whole file), so the comparison flatters the baseline. Peak memory is sampled with psutil.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from asc_assure.data.cld_validate import validate_cld
from bench_ingest import _make_in_child, run_baseline
from measure import PeakRSS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=None,
                        help="rows for the baseline (default: the same file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        path = tmpdir / "cld_large.csv"
        t0 = time.perf_counter()
        _make_in_child(path, args.rows)
        print(f"made {args.rows:,}-row CLD file ({path.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - t0:.1f}s")

        with PeakRSS() as mem:
            t0 = time.perf_counter()
            result = validate_cld(path, today=dt.date(2025, 3, 31))
            ours_s = time.perf_counter() - t0
        assert result.rows == args.rows, result.rows
        ours_rate = args.rows / ours_s
        print(f"validator: {ours_s:7.2f}s  {ours_rate:12,.0f} rows/s  peak RSS {mem.peak / 2**20:,.0f} MiB  "
              f"{result.errors:,} errors, {result.warnings:,} warnings")
        for s in result.summary()[:8]:
            print(f"           {s['severity']:<8} {s['count']:>9,}  {s['rule']}")

        base_s, base_rate, bmem, good, bad = run_baseline(path, args.rows, args.baseline_rows, tmpdir)
        print(f"baseline:  {base_s:7.2f}s  {base_rate:12,.0f} rows/s  peak RSS {bmem.peak / 2**20:,.0f} MiB  "
              f"good {good:,}, bad {bad:,}")
        print(f"ratio (validator / baseline rows per second): {ours_rate / base_rate:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

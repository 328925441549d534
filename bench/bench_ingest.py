"""Benchmark: ingest of a large CLD file against a plain pandas row-by-row baseline.

Run: ``.venv/bin/python bench/bench_ingest.py [--rows 1000000] [--baseline-rows N]``

Both run in this process on the same file. The baseline is what an analyst would write by hand:
``pandas.read_csv`` then a Python loop validating each row (dates, codes, NHS Modulus 11, required
fields, end-after-start) and collecting errors. Peak memory is sampled with psutil during each phase.
Target (issue #3): >= 10x the baseline's rows/s and < 1.5 GB peak RSS for 1,000,000 rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from asc_assure.data.contracts import get_contract
from asc_assure.data.ingest import ingest_file
from asc_assure.domain.nhs_number import complete, is_valid
from measure import PeakRSS


def make_cld(path: Path, rows: int, seed: int = 3) -> None:
    """A CLD submission with realistic values and ~1% faulty rows, written with Polars."""
    rng = np.random.default_rng(seed)
    cld = get_contract("cld")
    people = max(rows // 5, 1)
    person = rng.integers(0, people, rows)
    nine = 999_000_000 + person
    nhs_by_person = np.array([complete(f"{n:09d}") or "" for n in range(999_000_000, 999_000_000 + people)])
    start = dt.date(2024, 10, 1)
    start_offsets = rng.integers(0, 92, rows)
    events = rng.choice(["Request", "Assessment", "Service", "Review"], rows, p=[0.35, 0.25, 0.3, 0.1])
    dates = np.datetime64(start) + start_offsets.astype("timedelta64[D]")
    ends = dates + rng.integers(0, 60, rows).astype("timedelta64[D]")
    service = events == "Service"
    df = pl.DataFrame({
        "LA Code": np.full(rows, "931"),
        "Reporting Period Start Date": np.full(rows, "2024-10-01"),
        "Reporting Period End Date": np.full(rows, "2024-12-31"),
        "NHS Number": nhs_by_person[person],
        "LA Person Unique Identifier": np.char.add("P", person.astype(str)),
        "Gender": rng.choice(["Male", "Female"], rows),
        "Ethnicity": rng.choice(list(cld.column("ethnicity").values), rows),
        "Date of Birth": np.datetime_as_string(np.datetime64("1930-01-01") + rng.integers(0, 25000, rows)
                                               .astype("timedelta64[D]")),
        "Client Type": np.full(rows, "Service user"),
        "Primary Support Reason": rng.choice(list(cld.column("primary_support_reason").values), rows),
        "Postcode": np.full(rows, "OX1 1AA"),
        "Accommodation Status": rng.choice(list(cld.column("accommodation_status").values), rows),
        "Event Type": events,
        "Event Start Date": np.datetime_as_string(dates),
        "Event End Date": np.where(service & (rng.random(rows) < 0.5), "", np.datetime_as_string(ends)),
        "Event Outcome": rng.choice(list(cld.column("event_outcome").values), rows),
        "Service Type": np.where(service, "Long term support: Community", ""),
        "Service Component": np.where(service, "Home support or domiciliary care", ""),
        "Delivery Mechanism": np.where(service, "CASSR commissioned support", ""),
        "Assessment Type": np.where(events == "Assessment", "Long term assessment", ""),
        "Review Reason": np.where(events == "Review", "Planned review", ""),
        "Unit Cost": np.where(service, "24.50", ""),
        "Cost Frequency (Unit Type)": np.where(service, "Hourly", ""),
        "Planned units per week": np.where(service, "10", ""),
    })
    faulty = rng.random(rows) < 0.01
    df = df.with_columns(
        pl.when(pl.Series(faulty)).then(pl.lit("31/02/2024")).otherwise(pl.col("Event Start Date"))
        .alias("Event Start Date"))
    del nine
    df.write_csv(path)


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def _date(text: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    return None


def _value_ok(col, text: str, allowed: set[str] | None) -> bool:
    if col.type == "date":
        return _date(text) is not None
    if col.type == "nhs_number":
        return is_valid(text)
    if allowed is not None:
        return text in allowed
    if col.type == "number":
        try:
            float(text)
        except ValueError:
            return False
    return True


def baseline(path: Path) -> tuple[int, int, int]:
    """Plain pandas: read everything as text, then validate row by row in Python."""
    import pandas as pd

    cld = get_contract("cld")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    by_header = {c.display_header: c for c in cld.columns}
    columns = [by_header[h] for h in df.columns]
    allowed = {c.display_header: set(c.values) for c in columns if c.type == "enum" and c.enforced}
    good, bad, errors = [], 0, 0
    for row in df.itertuples(index=False, name=None):
        row_errors = 0
        values = dict(zip(df.columns, row, strict=True))
        for col in columns:
            text = values[col.display_header].strip()
            if not text:
                row_errors += col.required
                continue
            row_errors += not _value_ok(col, text, allowed.get(col.display_header))
        start, end = _date(values["Event Start Date"]), _date(values["Event End Date"])
        if start and end and end < start:
            row_errors += 1
        if row_errors:
            bad += 1
            errors += row_errors
        else:
            good.append(values)
    return len(good), bad, errors


def _make_in_child(path: Path, rows: int) -> None:
    """Write the test file from a child process, so its memory is not counted against ingest."""
    subprocess.run([sys.executable, __file__, "--make", str(path), "--rows", str(rows)], check=True)


def run_baseline(path: Path, rows: int, baseline_rows: int | None, tmpdir: Path
                 ) -> tuple[float, float, PeakRSS, int, int]:
    """Time the row-by-row baseline (on a smaller file of ``baseline_rows`` when asked, since it is slow):
    seconds, rows per second, its peak memory, and its good and bad row counts."""
    base_path, base_rows = path, rows
    if baseline_rows and baseline_rows < rows:
        base_rows = baseline_rows
        base_path = tmpdir / "cld_baseline.csv"
        _make_in_child(base_path, base_rows)
    with PeakRSS() as bmem:
        t0 = time.perf_counter()
        good, bad, _ = baseline(base_path)
        base_s = time.perf_counter() - t0
    return base_s, base_rows / base_s, bmem, good, bad


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--baseline-rows", type=int, default=None,
                        help="rows for the baseline (default: same file as ours)")
    args = parser.parse_args()
    if args.make:
        make_cld(args.make, args.rows)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        path = tmpdir / "cld_large.csv"
        t0 = time.perf_counter()
        _make_in_child(path, args.rows)
        print(f"made {args.rows:,}-row CLD file ({path.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - t0:.1f}s")

        with PeakRSS() as mem:
            t0 = time.perf_counter()
            result = ingest_file(tmpdir / "store", path, as_of=dt.date(2025, 3, 31), key=bytes(range(32)))
            ours_s = time.perf_counter() - t0
        assert result.rows_read == args.rows, result.rows_read
        ours_rate = args.rows / ours_s
        print(f"ours:     {ours_s:7.2f}s  {ours_rate:12,.0f} rows/s  peak RSS {mem.peak / 2**20:,.0f} MiB "
              f"(+{(mem.peak - mem.start_rss) / 2**20:,.0f} MiB)  loaded {result.rows_loaded:,}, "
              f"quarantined {result.rows_quarantined:,}")

        base_s, base_rate, bmem, good, bad = run_baseline(path, args.rows, args.baseline_rows, tmpdir)
        print(f"baseline: {base_s:7.2f}s  {base_rate:12,.0f} rows/s  peak RSS {bmem.peak / 2**20:,.0f} MiB "
              f"(+{(bmem.peak - bmem.start_rss) / 2**20:,.0f} MiB)  good {good:,}, bad {bad:,}")
        ratio = ours_rate / base_rate
        print(f"ratio (ours / baseline rows per second): {ratio:.1f}x   target >= 10x; "
              f"peak RSS target < 1,536 MiB: {'met' if mem.peak < 1.5 * 2**30 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

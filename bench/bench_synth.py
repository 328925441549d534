"""Benchmark the synthetic-council generator (not a test).

Times one council-year at the default population (700,000), then N councils (default 153, the
number of English councils with adult social care duties) over the same year, and prints rows per
second, wall time and peak resident memory of each phase. For scale it also runs, in the same
process, a naive pure-Python generator (``random`` + ``csv.writer``, one row at a time) producing
the same number of referral rows, and prints the ratio of rows per second.

    .venv/bin/python bench/bench_synth.py --councils 10
    .venv/bin/python bench/bench_synth.py            # 153 councils; writes several GB, then deletes them
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from asc_assure.data.synth import generate
from asc_assure.domain.nhs_number import complete
from measure import PeakRSS

START, END = date(2024, 4, 1), date(2025, 3, 31)  # one council-year; --end-year widens the many-council run


def naive_referrals(path: Path, rows: int, seed: int) -> None:
    """A straightforward row-by-row generator of the referrals table: the baseline."""
    rnd = random.Random(seed)
    teams = ["City Locality Team", "North Locality Team", "South Locality Team", "East Locality Team",
             "West Locality Team", "Hospital Discharge Team"]
    span = (END - START).days
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["referral_id", "person_id", "nhs_number", "received_date", "team", "locality", "priority",
                    "discipline_needed", "referral_source", "first_contact_date", "assessment_start_date",
                    "assessment_completed_date", "closed_date", "closure_reason"])
        for i in range(rows):
            nhs = None
            while nhs is None:
                nhs = complete(f"999{rnd.randrange(1_000_000):06d}")
            received = START + timedelta(days=rnd.randrange(span))
            while received.weekday() >= 5:
                received += timedelta(days=1)
            first = received + timedelta(days=rnd.randrange(4))
            wait = int(rnd.expovariate(1 / 40))
            start = received + timedelta(days=wait)
            done = start + timedelta(days=int(rnd.lognormvariate(2.2, 0.8)))
            assessed = done <= END
            team = rnd.choice(teams)
            w.writerow([f"R{i:07d}", f"P{rnd.randrange(10_000_000):07d}", nhs, received.isoformat(), team,
                        team.split()[0], rnd.choices(["high", "medium", "low"], [15, 45, 40])[0],
                        rnd.choice(["social_worker", "occupational_therapist", "both"]),
                        rnd.choice(["GP", "Hospital", "Self-referral", "Family or friend"]),
                        min(first, END).isoformat(), start.isoformat() if start <= END else "",
                        done.isoformat() if assessed else "", done.isoformat() if assessed else "",
                        "assessed" if assessed else ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=153, help="councils in the multi-council run (0 to skip)")
    parser.add_argument("--people", type=int, default=None, help="population of council 1 (default 700,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--many-start", type=date.fromisoformat, default=START,
                        help="start of the multi-council range (default: the one-year range)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-", dir=args.out))
    try:
        with PeakRSS() as rss:
            t0 = time.perf_counter()
            one = generate(work / "one", seed=args.seed, people=args.people, start=START, end=END)
            t_one = time.perf_counter() - t0
        council = one["councils"][0]
        rows = one["totals"]["rows"]
        ref_rows = council["rows"]["referrals.csv"]
        print(f"one council-year ({council['population']:,} residents, {START}..{END})")
        print(f"  wall {t_one:.2f} s, {rows:,} rows ({one['totals']['cld_rows']:,} CLD), "
              f"{rows / t_one:,.0f} rows/s, peak RSS {rss.peak / 2**20:,.0f} MiB")
        t0 = time.perf_counter()
        naive_referrals(work / "naive_referrals.csv", ref_rows, args.seed)
        t_naive = time.perf_counter() - t0
        naive_rate = ref_rows / t_naive
        print(f"  naive pure-Python referrals baseline: {ref_rows:,} rows in {t_naive:.2f} s, {naive_rate:,.0f} rows/s")
        print(f"  ratio (generator rows/s over baseline rows/s): {rows / t_one / naive_rate:.1f}x")
        if args.councils > 0:
            shutil.rmtree(work / "one")
            with PeakRSS() as rss:
                t0 = time.perf_counter()
                many = generate(work / "many", seed=args.seed, people=args.people, start=args.many_start,
                                end=END, councils=args.councils)
                t_many = time.perf_counter() - t0
            tot = many["totals"]
            print(f"{args.councils} councils ({tot['population']:,} residents, {args.many_start}..{END})")
            print(f"  wall {t_many:.1f} s, {tot['rows']:,} rows ({tot['cld_rows']:,} CLD), "
                  f"{tot['rows'] / t_many:,.0f} rows/s, peak RSS {rss.peak / 2**20:,.0f} MiB")
            largest = max(many["councils"], key=lambda c: c["population"])
            print(f"  largest council {largest['name']} ({largest['population']:,}): {largest['cld_rows']:,} CLD rows")
        print(f"process max RSS (getrusage): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Benchmark: every registry measure for one as-of date on a synthetic council with 10 million events.

Run: ``.venv/bin/python bench/bench_measures.py [--rows 10000000] [--repeat 1] [--workdir DIR]
[--skip-rebuild] [--show]``

1. A child process writes the extracts the measures read (referrals, safeguarding concerns and
   enquiries, DoLS applications, reviews, brokerage, workforce, plus targets) as CSV, generated
   vectorised in the contracts' columns and value rules. Each file is then loaded with ``ingest_file``
   in a child process of its own (timed, with its peak RSS; nothing may be quarantined). None of the
   children's memory counts against the phases below.
2. Ours, in this process: ``run_measures(store, as_of, trend_points=1)`` (which still computes the
   previous week and the same week last year: three dates), then once with the default 52-week trend.
   Wall time and peak RSS.
3. Baseline, in this process: a plain pandas implementation of the same measures for the same three
   dates (``bench/measures_baseline.py``), reading the loads' Parquet itself: timed for the overall
   figures, and again with every breakdown too (like for like: ours computes both). Every measure's
   overall figure must agree with ours at all three dates (to 0.1), and each breakdown at the as-of date.
4. ratio = baseline time / ours time (trend_points=1). Targets (issue): >= 5x, ours' peak RSS < 2 GiB.
   With ``--repeat N`` ours and the baseline run N times each and the best times are compared.
5. ``rebuild_snapshots`` for 104 weekly snapshots ending on the as-of date, in a child process: time
   and peak RSS.

``--workdir DIR`` keeps the CSVs and the store there, and reuses a store already built there (skipping
step 1), so later runs start from the measures. Without it everything goes in a temporary folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from asc_assure.data.contracts import get_contract
from asc_assure.data.store import Store
from asc_assure.domain.working_days import all_bank_holidays
from asc_assure.measures.engine import rebuild_snapshots, run_measures
from asc_assure.measures.registry import load_registry
from measure import PeakRSS
from measures_baseline import SPECS, Figures, run_baseline

AS_OF = dt.date(2025, 3, 31)  # the extract date and the as-of date measured (a Monday)
HISTORY_FROM = dt.date(2019, 4, 1)  # six financial years of events
SNAPSHOTS = 104
KEY = bytes(range(32))
EPOCH = dt.date(1970, 1, 1)
SHARES = {  # of the rows, by extract; brokerage takes what is left after workforce and targets
    "referrals": 0.35, "safeguarding_concerns": 0.30, "safeguarding_enquiries": 0.08,
    "dols_applications": 0.15, "reviews": 0.08,
}
LOCALITIES = [f"Locality {c}" for c in "ABCDEFGH"]
TEAMS = [f"{loc} {kind} Team" for loc in LOCALITIES for kind in ("Assessment", "Review", "Safeguarding")]
ROLES = ["Social worker", "Occupational therapist", "Social work assistant", "Team manager"]
GiB = 2**30


# -- the synthetic council ---------------------------------------------------------------------------
# Dates are handled as float day numbers since 1970-01-01, NaN for a blank cell.

def _day(d: dt.date) -> int:
    return (d - EPOCH).days


def _dates(x: np.ndarray) -> pl.Series:
    """Day numbers (NaN = blank) as a date column."""
    return pl.Series(x, nan_to_null=True).cast(pl.Int32).cast(pl.Date)


def _labels(labels: list[str | None], codes: np.ndarray) -> pl.Series:
    """``labels[code]`` for each code (a None label is a blank cell)."""
    return pl.Series(labels, dtype=pl.String).gather(codes)


def _pick(rng: np.random.Generator, labels: list[str | None], n: int, p: list[float] | None = None) -> pl.Series:
    return _labels(labels, rng.choice(len(labels), n, p=p))


def _blank_where(s: pl.Series, mask: np.ndarray) -> pl.Series:
    return pl.select(pl.when(pl.Series(mask)).then(None).otherwise(s)).to_series()


def _ids(prefix: str, numbers: np.ndarray) -> pl.Series:
    """References such as ``R00000042``."""
    return pl.select(pl.lit(prefix) + pl.Series(numbers).cast(pl.String).str.zfill(8)).to_series()


def _blank(n: int) -> pl.Series:
    return pl.Series([None] * n, dtype=pl.String)


def _lag(rng: np.random.Generator, n: int, mean: float, slow: float = 0.0, lo: int = 0, hi: int = 0) -> np.ndarray:
    """Days to the next step: geometric with ``mean``, and a ``slow`` share uniform in ``lo..hi``."""
    lag = rng.geometric(1.0 / (mean + 1.0), n).astype(np.float64) - 1.0
    if slow:
        tail = rng.random(n) < slow
        lag[tail] = rng.integers(lo, hi + 1, int(tail.sum()))
    return lag


def _censor(x: np.ndarray, last: int) -> np.ndarray:
    """Blank any date after the extract date: it has not happened yet."""
    x[x > last] = np.nan
    return x


def _arrivals(rng: np.random.Generator, n: int, first: dt.date, last: dt.date) -> np.ndarray:
    """Event dates: fewer at weekends and on bank holidays, growing about 3% a year."""
    days = np.arange(_day(first), _day(last) + 1)
    weight = np.where((days + 3) % 7 < 5, 1.0, 0.3)  # 1970-01-01 was a Thursday
    weight[np.isin(days, [_day(d) for d in all_bank_holidays(first, last)])] = 0.3
    weight *= 1.03 ** ((days - days[0]) / 365.0)
    return days[rng.choice(len(days), n, p=weight / weight.sum())].astype(np.float64)


def _teams(rng: np.random.Generator, n: int, team_blank: float = 0.0) -> tuple[pl.Series, pl.Series]:
    """A team for each row, and its locality (1% of localities, and ``team_blank`` of teams, blank)."""
    team = rng.integers(0, len(TEAMS), n)
    locality = _blank_where(_labels(LOCALITIES, team // 3), rng.random(n) < 0.01)
    return _blank_where(_labels(TEAMS, team), rng.random(n) < team_blank), locality


def _sizes(rows: int) -> dict[str, int]:
    n = {k: max(int(rows * s), 10) for k, s in SHARES.items()}
    n["workforce"] = len(_month_ends()) * len(TEAMS) * len(ROLES)
    n["targets"] = len(_targets())
    n["brokerage"] = max(rows - sum(n.values()), 10)
    return n


def _month_ends() -> list[dt.date]:
    ends = (dt.date(y, m, 1) - dt.timedelta(days=1) for y in range(HISTORY_FROM.year, AS_OF.year + 2)
            for m in range(1, 13))
    return [d for d in ends if HISTORY_FROM <= d <= AS_OF]


def _targets() -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = [(m.id, None, HISTORY_FROM.isoformat(), m.target, m.amber_tolerance,
                                    "Council default") for m in load_registry().values() if m.target is not None]
    return [*rows, ("safeguarding.triage_within_2wd_pct", TEAMS[2], "2024-04-01", 95.0, 3.0, "Pilot team"),
            ("waiting_list.count", None, "2024-04-01", 40_000.0, 5_000.0, "Recovery plan")]


def make_council(out: Path, rows: int, seed: int = 11) -> dict[str, int]:
    """Write the extracts as CSV into ``out``; returns the rows written per extract."""
    rng = np.random.default_rng(seed)
    last = _day(AS_OF)
    n = _sizes(rows)
    people = max(rows // 6, 1000)
    written: dict[str, int] = {}

    def write(kind: str, columns: dict[str, Any]) -> None:
        frame = pl.DataFrame(columns)
        assert frame.columns == get_contract(kind).column_names, kind
        frame.write_csv(out / f"{kind}.csv", date_format="%Y-%m-%d")
        written[kind] = frame.height

    def person(k: int) -> pl.Series:
        return _ids("P", rng.integers(0, people, k))

    # Referrals: 80% go on to assessment, 20% close without one; a few stay on the list for years.
    k = n["referrals"]
    received = _arrivals(rng, k, HISTORY_FROM, AS_OF)
    team, locality = _teams(rng, k)
    assess = rng.random(k) < 0.8
    stuck = rng.random(k) < 0.003
    start = received + _lag(rng, k, 25, 0.15, 30, 200)
    start[~assess | stuck] = np.nan
    start = _censor(start, last)
    completed = _censor(start + _lag(rng, k, 12, 0.1, 14, 90), last)
    closed = np.where(assess, completed + _lag(rng, k, 7), received + _lag(rng, k, 20, 0.1, 20, 150))
    closed[stuck] = np.nan
    closed = _censor(closed, last)
    write("referrals", {
        "referral_id": _ids("R", np.arange(k)), "person_id": person(k), "nhs_number": _blank(k),
        "received_date": _dates(received), "team": team, "locality": locality,
        "priority": _pick(rng, ["high", "medium", "low", None], k, [0.2, 0.45, 0.25, 0.1]),
        "discipline_needed": _pick(rng, ["social_worker", "occupational_therapist", "both"], k, [0.6, 0.3, 0.1]),
        "referral_source": _pick(rng, ["Self", "Family or friend", "GP", "Hospital", "Other"], k),
        "first_contact_date": _dates(_censor(received + _lag(rng, k, 2), last)),
        "assessment_start_date": _dates(start), "assessment_completed_date": _dates(completed),
        "closed_date": _dates(closed),
        "closure_reason": _blank_where(pl.Series(np.where(assess, "assessed", "no longer required")),
                                       np.isnan(closed)),
    })
    del received, start, completed, closed

    # Safeguarding concerns, then the enquiries that follow some of them (one per concern).
    k, ke = n["safeguarding_concerns"], n["safeguarding_enquiries"]
    received = _arrivals(rng, k, HISTORY_FROM, AS_OF)
    team, locality = _teams(rng, k, team_blank=0.01)
    triage = _censor(received + _lag(rng, k, 1.0, 0.12, 3, 15), last)
    chosen = rng.choice(np.flatnonzero(~np.isnan(triage)), ke, replace=False)
    decision = np.where(np.isnan(triage) | (rng.random(k) < 0.02), 0, 3)  # blank, or no_enquiry
    decision[chosen] = np.where(rng.random(ke) < 0.8, 1, 2)  # s42_enquiry, other_enquiry
    enquiry_of = np.full(k, -1)
    enquiry_of[chosen] = np.arange(ke)
    concern_closed = triage + _lag(rng, k, 3)
    concern_closed[chosen] = np.nan
    enquiry_id = _blank_where(_ids("E", enquiry_of), enquiry_of < 0)
    concern_id = _ids("C", np.arange(k))
    concern_person = person(k)
    write("safeguarding_concerns", {
        "concern_id": concern_id, "person_id": concern_person, "nhs_number": _blank(k),
        "received_date": _dates(received), "urgent": _pick(rng, ["Y", "N"], k, [0.15, 0.85]),
        "source": _pick(rng, ["Care provider", "Police", "Ambulance", "Health", "Family", "Other"], k),
        "team": team, "locality": locality, "triage_completed_date": _dates(triage),
        "decision": _labels([None, "s42_enquiry", "other_enquiry", "no_enquiry"], decision),
        "enquiry_id": enquiry_id, "closed_date": _dates(_censor(concern_closed, last)),
    })

    e_start = np.minimum(triage[chosen] + _lag(rng, ke, 1), last)
    allocated = e_start + _lag(rng, ke, 4, 0.1, 10, 40)
    allocated[rng.random(ke) < 0.02] = np.nan
    allocated = _censor(allocated, last)
    e_done = _censor(allocated + _lag(rng, ke, 15, 0.3, 20, 120), last)
    done = ~np.isnan(e_done)
    asked = rng.choice(3, ke, p=[0.85, 0.1, 0.05])  # Y, N, blank
    msp = np.where(done & (asked == 0), rng.choice(4, ke, p=[0.55, 0.3, 0.05, 0.1]), 4)
    risk = np.where(done, rng.choice(4, ke, p=[0.3, 0.45, 0.1, 0.15]), 4)
    write("safeguarding_enquiries", {
        "enquiry_id": enquiry_id.gather(chosen), "concern_id": concern_id.gather(chosen),
        "person_id": concern_person.gather(chosen), "nhs_number": _blank(ke),
        "enquiry_type": _labels(["s42_enquiry", "other_enquiry"], decision[chosen] - 1),
        "team": team.gather(chosen).fill_null(TEAMS[2]),
        "abuse_type": _pick(rng, ["Neglect", "Financial", "Physical", "Psychological", "Self-neglect"], ke),
        "location_of_risk": _pick(rng, ["Own home", "Care home", "Hospital", "Community"], ke),
        "start_date": _dates(e_start), "allocated_date": _dates(allocated), "completed_date": _dates(e_done),
        "msp_asked": _labels(["Y", "N", None], asked),
        "msp_outcome": _labels(["fully", "partially", "not_achieved", "not_expressed", None], msp),
        "risk_outcome": _labels(["removed", "reduced", "remains", "not_applicable", None], risk),
    })
    del received, triage, concern_closed, e_start, allocated, e_done

    # DoLS: a long backlog of standard applications; an outcome exactly when decided.
    k = n["dols_applications"]
    received = _arrivals(rng, k, HISTORY_FROM, AS_OF)
    urgent = rng.random(k) < 0.3
    decided = received + np.where(urgent, _lag(rng, k, 5, 0.3, 8, 60), _lag(rng, k, 14, 0.6, 22, 500))
    decided[rng.random(k) < 0.05] = np.nan
    decided = _censor(decided, last)
    has = ~np.isnan(decided)
    outcome = np.where(has, rng.choice(3, k, p=[0.7, 0.1, 0.2]), 3)
    allocated = _censor(received + np.floor(rng.random(k) * (np.where(has, decided - received, 60.0) + 1)), last)
    allocated[rng.random(k) < 0.2] = np.nan
    write("dols_applications", {
        "application_id": _ids("D", np.arange(k)), "person_id": person(k), "nhs_number": _blank(k),
        "received_date": _dates(received), "urgent": _labels(["N", "Y"], urgent.astype(np.int64)),
        "urgent_extended": _labels(["Y", "N", None], np.where(urgent, (rng.random(k) >= 0.2).astype(np.int64), 2)),
        "setting": _pick(rng, ["care_home", "hospital"], k, [0.75, 0.25]),
        "managing_authority": _ids("Home ", rng.integers(0, 400, k)),
        "screening_priority": _pick(rng, ["high", "medium", "low", None], k, [0.2, 0.4, 0.3, 0.1]),
        "allocated_date": _dates(allocated), "completed_date": _dates(decided),
        "outcome": _labels(["granted", "not_granted", "withdrawn", None], outcome),
        "authorisation_end_date": _dates(np.where(outcome == 0, decided + rng.integers(90, 366, k), np.nan)),
    })
    del received, decided, allocated

    # Reviews of long-term services started over the last twelve years.
    k = n["reviews"]
    s_start = _arrivals(rng, k, dt.date(2013, 4, 1), AS_OF)
    s_end = s_start + rng.integers(30, 4000, k)
    s_end[rng.random(k) < 0.4] = np.nan
    s_end = _censor(s_end, last)
    last_review = s_start + np.floor(rng.random(k) * (np.fmin(s_end, last) - s_start + 1))
    last_review[rng.random(k) < 0.25] = np.nan
    due = np.where(np.isnan(last_review), s_start, last_review) + 365
    review_done = _censor(np.maximum(due + rng.integers(-60, 120, k), s_start), last)
    review_done[rng.random(k) < 0.4] = np.nan
    write("reviews", {
        "service_id": _ids("S", np.arange(k)), "person_id": person(k), "nhs_number": _blank(k),
        "team": _teams(rng, k, 0.01)[0],
        "service_type": _pick(rng, ["Community", "Residential", "Nursing", "Direct payment"], k),
        "service_start_date": _dates(s_start), "service_end_date": _dates(s_end),
        "last_review_date": _dates(last_review), "review_due_date": _dates(due),
        "review_completed_date": _dates(review_done),
    })
    del s_start, s_end, last_review, due, review_done

    # Brokerage: home care mostly found within days, care homes take longer, a few cancelled.
    k = n["brokerage"]
    requested = _arrivals(rng, k, HISTORY_FROM, AS_OF)
    home = rng.random(k) < 0.7
    cancelled = rng.random(k) < 0.06
    sourced = requested + np.where(home, _lag(rng, k, 1.5, 0.3, 3, 30), _lag(rng, k, 4, 0.25, 6, 40))
    sourced[cancelled | (rng.random(k) < 0.01)] = np.nan
    write("brokerage", {
        "request_id": _ids("B", np.arange(k)), "person_id": person(k), "nhs_number": _blank(k),
        "service_type": _labels(["care_home", "home_care"], home.astype(np.int64)),
        "locality": _pick(rng, [*LOCALITIES, None], k, [0.99 / 8] * 8 + [0.01]),
        "hours_per_week": pl.Series(np.where(home, np.round(rng.uniform(3, 40, k), 1), np.nan), nan_to_null=True),
        "requested_date": _dates(requested), "sourced_date": _dates(_censor(sourced, last)),
        "cancelled_date": _dates(_censor(np.where(cancelled, requested + _lag(rng, k, 5), np.nan), last)),
    })
    del requested, sourced

    # Workforce: month-end snapshots per team and role. Targets: the registry's defaults, and two more.
    months = _month_ends()
    k = n["workforce"]
    headcount = rng.integers(2, 30, k)
    vacancies = np.where(rng.random(k) < 0.05, np.nan, np.round(rng.uniform(0, 5, k), 1))
    agency = np.where(rng.random(k) < 0.05, np.nan, np.round(rng.uniform(0, 3, k), 1))
    write("workforce", {
        "snapshot_date": _dates(np.repeat([_day(d) for d in months], len(TEAMS) * len(ROLES)).astype(np.float64)),
        "team": pl.Series(np.tile(np.repeat(TEAMS, len(ROLES)), len(months))),
        "role": pl.Series(np.tile(ROLES, len(months) * len(TEAMS))),
        "headcount": headcount, "fte": np.round(headcount * rng.uniform(0.7, 1.0, k), 1),
        "vacancies_fte": pl.Series(vacancies, nan_to_null=True), "agency_fte": pl.Series(agency, nan_to_null=True),
        "leavers_12m": rng.integers(0, 8, k), "sickness_days_12m": np.round(rng.uniform(0, 200, k), 1),
        "open_cases": rng.integers(0, 500, k),
    })
    targets = pl.DataFrame(_targets(), schema=get_contract("targets").column_names, orient="row")
    write("targets", targets.to_dict())
    return written


# -- children: make the files, load each, rebuild the snapshots --------------------------------------

def _child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def load_one(path: Path, store: Path) -> dict:
    """Ingest one CSV (in a child process of its own, so each file's peak RSS is its own)."""
    from asc_assure.data.ingest import ingest_file

    with PeakRSS() as mem:
        t0 = time.perf_counter()
        r = ingest_file(store, path, as_of=AS_OF, key=KEY)
        seconds = time.perf_counter() - t0
    return {"kind": r.kind, "status": r.status, "rows_read": r.rows_read, "rows_loaded": r.rows_loaded,
            "rows_quarantined": r.rows_quarantined, "warnings": r.warnings_total, "seconds": seconds,
            "peak_rss": mem.peak, "first_errors": r.errors[:3]}


def rebuild(store: Path) -> dict:
    """``rebuild_snapshots`` for the weekly snapshots ending on the as-of date (in a child process)."""
    first = AS_OF - dt.timedelta(weeks=SNAPSHOTS - 1)
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        paths = rebuild_snapshots(store, first, AS_OF)
        seconds = time.perf_counter() - t0
    return {"first": first.isoformat(), "snapshots": len(paths), "seconds": seconds, "peak_rss": mem.peak,
            "start_rss": mem.start_rss, "last": str(paths[-1]) if paths else None}


# -- comparing ours with the baseline ----------------------------------------------------------------

def _close(a: float | None, b: float | None, tol: float = 0.1) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, abs_tol=tol + 1e-9)


def compare(ours: list[dict], figures: Figures, dates: dict[str, dt.date], breakdowns: bool) -> list[str]:
    """Where ours and the baseline disagree (empty when they agree everywhere)."""
    problems = []
    results = {r["id"]: r for r in ours}
    missing = set(results) - {s.id for s in SPECS}
    if missing:
        problems.append(f"the baseline lacks measures {sorted(missing)}")
    for spec in SPECS:
        r = results.get(spec.id)
        if r is None:
            problems.append(f"{spec.id}: not in our results")
            continue
        for field, day in dates.items():
            base = figures.overall[spec.id][day]
            if not _close(r[field], base):
                problems.append(f"{spec.id} {field} ({day}): ours {r[field]}, baseline {base}")
        if not breakdowns:
            continue
        for dim, items in r["breakdowns"].items():
            mine = {i["key"]: i["value"] for i in items}
            theirs = figures.breakdowns[spec.id][dates["value"]][dim]
            if set(mine) != set(theirs):
                problems.append(f"{spec.id} by {dim}: keys differ {sorted(set(mine) ^ set(theirs))[:5]}")
            bad = [k for k in mine if k in theirs and not _close(mine[k], theirs[k])]
            if bad:
                problems.append(f"{spec.id} by {dim}: {len(bad)} keys differ, e.g. {bad[0]}: ours "
                                f"{mine[bad[0]]}, baseline {theirs[bad[0]]}")
    return problems


# -- main --------------------------------------------------------------------------------------------

def _mib(x: int) -> str:
    return f"{x / 2**20:,.0f} MiB"


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[Any, list[float], PeakRSS]:
    """Run ``fn`` ``repeat`` times: its last result, every wall time, and the peak RSS over all runs."""
    times = []
    with PeakRSS() as mem:
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t0)
    return result, times, mem


def _phase(label: str, times: list[float], mem: PeakRSS | None = None, peak: int | None = None,
           extra: str = "") -> None:
    runs = f"  (runs: {', '.join(f'{t:.2f}' for t in times)})" if len(times) > 1 else ""
    peak = mem.peak if mem else peak
    grew = f" (+{_mib(mem.peak - mem.start_rss)})" if mem else ""
    print(f"{label:<40}{min(times):8.2f}s  peak RSS {_mib(peak):>10}{grew}{extra}{runs}", flush=True)


def build(workdir: Path, rows: int) -> Path:
    """Make the files and load them (each in a child process); or reuse a store built before."""
    store = workdir / "store"
    if (store / "store.json").exists():
        counts = {m["kind"]: m["rows_loaded"] for m in Store(store).manifests()}
        print(f"reusing the store in {store}: {sum(counts.values()):,} rows")
        return store
    csv_dir = workdir / "csv"
    csv_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    made = _child("--make", str(csv_dir), "--rows", str(rows))
    size = sum(p.stat().st_size for p in csv_dir.glob("*.csv"))
    print(f"made {sum(made.values()):,} rows in {len(made)} CSV files ({size / 1e6:,.0f} MB) in "
          f"{time.perf_counter() - t0:.1f}s (child process)")
    total_s, total_rows, peak, lines = 0.0, 0, 0, []
    t0 = time.perf_counter()
    for path in sorted(csv_dir.glob("*.csv")):
        f = _child("--ingest", str(path), "--store", str(store))
        assert f["status"] == "loaded" and f["rows_quarantined"] == 0, (path.name, f)
        total_s += f["seconds"]
        total_rows += f["rows_read"]
        peak = max(peak, f["peak_rss"])
        lines.append(f"    {f['kind']:<24}{f['rows_read']:>11,} rows {f['seconds']:7.2f}s  peak RSS "
                     f"{_mib(f['peak_rss']):>10}  quarantined {f['rows_quarantined']}, warnings {f['warnings']}")
    print(f"ingest_file, a child process per file {total_s:8.2f}s  peak RSS {_mib(peak):>10}  "
          f"{total_rows / total_s:,.0f} rows/s ({time.perf_counter() - t0:.1f}s wall with process starts)")
    print("\n".join(lines))
    assert total_rows == sum(made.values()), (total_rows, made)
    return store


def show(ours: list[dict], figures: Figures) -> None:
    print(f"    {'measure':<48}{'ours':>10}{'baseline':>12}{'previous':>10}{'last year':>10}")
    for r in ours:
        base = figures.overall[r["id"]][AS_OF]
        print(f"    {r['id']:<48}{r['value']!s:>10}{'-' if base is None else f'{base:.2f}':>12}"
              f"{r['previous']!s:>10}{r['last_year']!s:>10}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows across all extracts")
    parser.add_argument("--repeat", type=int, default=1, help="runs of ours and of the baseline (best counts)")
    parser.add_argument("--workdir", type=Path, help="keep files here, and reuse a store already built here")
    parser.add_argument("--skip-rebuild", action="store_true", help=f"leave out the {SNAPSHOTS}-snapshot rebuild")
    parser.add_argument("--show", action="store_true", help="print every measure's figures")
    parser.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--ingest", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--rebuild", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        print(json.dumps(make_council(args.make, args.rows)))
        return 0
    if args.ingest:
        print(json.dumps(load_one(args.ingest, args.store)))
        return 0
    if args.rebuild:
        print(json.dumps(rebuild(args.rebuild)))
        return 0

    tmp = None if args.workdir else tempfile.mkdtemp(prefix="bench_measures_")
    workdir = args.workdir or Path(tmp)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        store = build(workdir, args.rows)
        shutil.rmtree(store / "results", ignore_errors=True)
        dates = {"value": AS_OF, "previous": AS_OF - dt.timedelta(days=7),
                 "last_year": AS_OF - dt.timedelta(weeks=52)}
        print(f"as of {AS_OF}, weekly periods. trend_points=1 still computes the previous week "
              f"({dates['previous']}) and the same week last year ({dates['last_year']}): 3 dates")

        ours, ours_t, mem1 = _timed(lambda: run_measures(store, AS_OF, trend_points=1), args.repeat)
        _phase(f"ours: {len(ours)} measures, 3 dates", ours_t, mem1)
        ours52, ours52_t, mem52 = _timed(lambda: run_measures(store, AS_OF), 1)
        _phase("ours: 52-week trend, 54 dates", ours52_t, mem52)
        assert [r["value"] for r in ours52] == [r["value"] for r in ours]

        base, base_t, bmem = _timed(lambda: run_baseline(store, list(dates.values())), args.repeat)
        _phase("baseline pandas: overall figures", base_t, bmem)
        base_bd, base_bd_t, bbmem = _timed(lambda: run_baseline(store, list(dates.values()), breakdowns=True),
                                           args.repeat)
        _phase("baseline pandas: + every breakdown", base_bd_t, bbmem)

        problems = list(dict.fromkeys(compare(ours, base, dates, breakdowns=False)
                                      + compare(ours, base_bd, dates, breakdowns=True)))
        if args.show:
            show(ours, base)
        if problems:
            print("DISAGREEMENTS:\n  " + "\n  ".join(problems))
        else:
            print(f"agree: all {len(SPECS)} measures' overall figures at all 3 dates (to 0.1), and every "
                  f"breakdown at {AS_OF}")
        best = min(ours_t)
        print(f"ratio (baseline time / ours, trend_points=1): {min(base_bd_t) / best:.1f}x like for like "
              f"(with breakdowns), {min(base_t) / best:.1f}x against overall figures only   target >= 5x")
        peak = max(mem1.peak, mem52.peak)
        print(f"ours' peak RSS {_mib(peak)}: target < 2 GiB {'met' if peak < 2 * GiB else 'NOT met'}")

        if not args.skip_rebuild:
            r = _child("--rebuild", str(store))
            assert r["snapshots"] == SNAPSHOTS, r
            _phase(f"rebuild {SNAPSHOTS} weekly snapshots (child)", [r["seconds"]], peak=r["peak_rss"],
                   extra=f"  {r['seconds'] / SNAPSHOTS:.2f}s a snapshot, {r['first']}..{AS_OF}")
            saved = json.loads(Path(r["last"]).read_text())["measures"]
            assert [m["value"] for m in saved] == [m["value"] for m in ours]
        return 1 if problems else 0
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

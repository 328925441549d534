"""Turn replications into what a council reads: the projected list with its band, waits, the target week.

* Per week: the median waiting list across replications and its 5th and 95th percentiles (the band
  that nine in ten replications fall inside), the median weekly arrivals, assessments started and
  drop-outs, and the share of replications with the list below the target.
* Waits: for everyone whose assessment starts within the horizon, days from referral to start
  (median, 90th percentile and longest, pooled over replications), and the longest wait on the list
  at the end (median across replications).
* Target: the first week the median list is below the target, and the first week at least half,
  and at least nine in ten, of the replications are below it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from asc_assure.operations.simulation.calibrate import Calibration, calibrate
from asc_assure.operations.simulation.model import Plan, Replication, simulate
from asc_assure.operations.simulation.scenarios import Scenario


def _q(values: np.ndarray, q: float) -> float:
    return round(float(np.percentile(values, q)), 1)


def _first_week(flags: list[bool]) -> int | None:
    """The first week (0 = already at the start) a condition holds."""
    return next((k for k, f in enumerate(flags) if f), None)


def summarise(cal: Calibration, scenario: Scenario, plan: Plan, reps: list[Replication], *, seed: int,
              cut_short: bool) -> dict[str, Any]:
    """The JSON-able result of a run (see the module docstring for what each part means)."""
    waiting = np.array([r.waiting for r in reps], dtype=float)
    flows = {k: np.diff(np.array([getattr(r, k) for r in reps], dtype=float), axis=1)
             for k in ("arrivals", "served", "left", "completed")}
    longest = np.array([r.longest_wait for r in reps], dtype=float)
    target = scenario.target if scenario.target is not None else cal.target
    target_source = "scenario" if scenario.target is not None else ("store" if cal.target is not None else None)
    weeks = []
    for k in range(plan.weeks + 1):
        col = waiting[:, k]
        row = {"week": k, "week_ending": (cal.as_of + dt.timedelta(weeks=k)).isoformat(),
               "median": _q(col, 50), "p5": _q(col, 5), "p95": _q(col, 95),
               "longest_wait_days": round(float(np.median(longest[:, k]))),
               "fte": None if plan.fte is None else round(float(plan.fte[max(7 * k - 1, 0)]), 1)}
        for name, values in flows.items():
            row[name] = None if k == 0 else _q(values[:, k - 1], 50)
        row["probability_below_target"] = (None if target is None
                                           else round(float(np.mean(col < target)), 3))
        weeks.append(row)
    pooled = np.array([w for r in reps for w in r.waits], dtype=float)
    waits = {"assessed": round(float(np.mean([len(r.waits) for r in reps]))),
             "median_days": round(float(np.median(pooled)), 1) if pooled.size else None,
             "p90_days": round(float(np.percentile(pooled, 90)), 1) if pooled.size else None,
             "max_days": round(float(pooled.max()), 1) if pooled.size else None,
             "longest_on_list_at_end_days": weeks[-1]["longest_wait_days"]}
    target_info: dict[str, Any] = {"value": target, "source": target_source}
    if target is not None:
        probs = [w["probability_below_target"] for w in weeks]
        median_week = _first_week([w["median"] < target for w in weeks])
        target_info.update({
            "below_at_start": weeks[0]["median"] < target,
            "median_week": median_week,
            "median_week_ending": weeks[median_week]["week_ending"] if median_week is not None else None,
            "week_50pct": _first_week([p >= 0.5 for p in probs]),
            "week_90pct": _first_week([p >= 0.9 for p in probs]),
        })
    return {
        "scenario": scenario.describe(),
        "as_of": cal.as_of.isoformat(),
        "weeks_projected": plan.weeks,
        "replications": len(reps),
        "seed": seed,
        "cut_short": cut_short,
        "start": {"waiting": cal.start_waiting, "as_of": cal.as_of.isoformat()},
        "end": weeks[-1],
        "weeks": weeks,
        "waits": waits,
        "target": target_info,
        "conservation": {"holds": all(r.conserved() for r in reps),
                         "rule": "starting list + arrivals = assessments started + still waiting + left, every week"},
        "calibration": cal.summary(),
        "history": cal.history,
    }


def run_simulation(store_dir: Path | str, scenario: Scenario, weeks: int = 52, replications: int = 20,
                   seed: int = 1, as_of: dt.date | None = None, time_limit_s: float | None = None,
                   calibration: Calibration | None = None) -> dict[str, Any]:
    """Calibrate from the store as at ``as_of`` (default: the newest referrals extract) and project."""
    cal = calibration or calibrate(store_dir, as_of)
    plan, reps, cut = simulate(cal, scenario, weeks, replications, seed, time_limit_s)
    return summarise(cal, scenario, plan, reps, seed=seed, cut_short=cut)

"""Back-test: calibrate on one year, forecast the next, and compare with the list the council actually had.

The calibration sees only what was known on the split date (every later date is blanked), the
baseline scenario is run for the weeks up to the newest extract, and each week's projected median
and band are set against the actual waiting list that week by the measure's own rule. Reported:

* MAE, mean absolute error in people;
* MAPE, mean absolute error as a percentage of the actual list;
* bias, mean of (projected - actual): positive means the model over-states the list;
* the share of weeks whose actual list lies inside the 5th-95th percentile band;
* the same for weekly referrals, since demand is the first thing to check when the list is off.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from asc_assure.operations.simulation.calibrate import (
    CalibrationError,
    calibrate,
    latest_referrals_date,
    open_store,
    weekly_waiting,
)
from asc_assure.operations.simulation.results import run_simulation
from asc_assure.operations.simulation.scenarios import Scenario


def _actual_arrivals(store_dir: Path | str, as_of: dt.date, weeks: int, latest: dt.date) -> list[int]:
    con = open_store(store_dir, latest)
    try:
        rows = con.execute(
            "SELECT (datediff('day', $as_of, received_date) - 1) // 7 AS w, count(*) FROM referrals "
            "WHERE received_date > $as_of AND received_date <= $end GROUP BY w",
            {"as_of": as_of, "end": as_of + dt.timedelta(weeks=weeks)}).fetchall()
    finally:
        con.close()
    found = {int(w): int(n) for w, n in rows}
    return [found.get(k, 0) for k in range(weeks)]


def _errors(projected: np.ndarray, actual: np.ndarray) -> dict[str, float | None]:
    diff = projected - actual
    nonzero = actual > 0
    return {"mae": round(float(np.mean(np.abs(diff))), 1),
            "mape_pct": round(float(np.mean(np.abs(diff[nonzero]) / actual[nonzero]) * 100), 1)
            if nonzero.any() else None,
            "bias": round(float(np.mean(diff)), 1)}


def backtest(store_dir: Path | str, split: dt.date | None = None, weeks: int = 52, replications: int = 20,
             seed: int = 1, scenario: Scenario | None = None) -> dict[str, Any]:
    """Calibrate on the data up to ``split`` (default: 52 weeks before the newest extract) and score
    the projection against what happened in the ``weeks`` after it."""
    latest = latest_referrals_date(store_dir)
    split = split or latest - dt.timedelta(weeks=weeks)
    available = (latest - split).days // 7
    if available < 1:
        raise CalibrationError(f"There is no full week of data after {split:%d/%m/%Y} to compare a forecast "
                               f"with (the newest referrals extract is dated {latest:%d/%m/%Y}).")
    weeks = min(weeks, available)
    cal = calibrate(store_dir, split)
    result = run_simulation(store_dir, scenario or Scenario(name="Baseline"), weeks=weeks,
                            replications=replications, seed=seed, calibration=cal)
    dates = [split + dt.timedelta(weeks=k) for k in range(1, weeks + 1)]
    con = open_store(store_dir, latest)
    try:
        actual_list = weekly_waiting(con, dates)
    finally:
        con.close()
    rows = []
    for w, d in zip(result["weeks"][1:], dates, strict=True):
        actual = actual_list[d]
        rows.append({"week": w["week"], "week_ending": d.isoformat(), "actual": actual, "median": w["median"],
                     "p5": w["p5"], "p95": w["p95"], "inside_band": w["p5"] <= actual <= w["p95"],
                     "projected_arrivals": w["arrivals"]})
    arrivals = _actual_arrivals(store_dir, split, weeks, latest)
    for row, n in zip(rows, arrivals, strict=True):
        row["actual_arrivals"] = n
    actual = np.array([r["actual"] for r in rows], dtype=float)
    median = np.array([r["median"] for r in rows], dtype=float)
    return {
        "split": split.isoformat(), "data_to": latest.isoformat(), "weeks": weeks,
        "replications": result["replications"], "seed": seed,
        "waiting_list": {**_errors(median, actual),
                         "inside_band_pct": round(100 * float(np.mean([r["inside_band"] for r in rows])), 1),
                         "start": result["start"]["waiting"], "actual_end": int(actual[-1]),
                         "projected_end": float(median[-1])},
        "arrivals": _errors(np.array([r["projected_arrivals"] for r in rows], dtype=float),
                            np.array(arrivals, dtype=float)),
        "calibration": result["calibration"],
        "rows": rows,
    }

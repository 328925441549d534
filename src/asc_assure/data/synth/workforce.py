"""The monthly workforce snapshot: one row per team and role at each month end in the range.

Staffing comes from ``staffing`` (the same vacancies that set queue capacity). Leavers are the
trailing 12 months of monthly leavers at the internal turnover rate (13.9% a year); sickness is
about 9.5 working days per FTE a year; open cases are the team's live work at the snapshot
(assessments in progress, open enquiries, allocated DoLS, open brokerage requests, people held)
shared between the case-holding roles by FTE.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .calibration import ANNUAL_TURNOVER, SICKNESS_DAYS_PER_FTE
from .context import Context
from .workdays import month_ends

NON_CASEHOLDING = ("Team manager", "DoLS administrator")


def workforce_frame(ctx: Context, workload: dict[str, np.ndarray]) -> pl.DataFrame:
    """Snapshot rows; ``workload[team]`` holds open work items at each month end in the range."""
    rng = ctx.rng("workforce")
    st = ctx.staffing
    assert st is not None
    snaps = month_ends(ctx.start, ctx.end)
    snap_month = np.searchsorted(st.month_starts, snaps, side="right") - 1
    rows: dict[str, list] = {k: [] for k in ("snapshot_date", "team", "role", "headcount", "fte", "vacancies_fte",
                                             "agency_fte", "leavers_12m", "sickness_days_12m", "open_cases")}
    for team, ts in st.teams.items():
        n_months = len(st.month_starts)
        fte = ts.establishment[None, :] - ts.vacancy_fte
        part_time = rng.uniform(0.82, 0.95, len(ts.roles))
        headcount = np.maximum(np.ceil(fte - 1e-9), np.round(fte / part_time[None, :])).astype(np.int64)
        monthly_leavers = rng.poisson(np.maximum(headcount, 0) * ANNUAL_TURNOVER / 12.0)
        cum = np.concatenate([np.zeros((1, len(ts.roles)), dtype=np.int64), np.cumsum(monthly_leavers, axis=0)])
        lo = np.maximum(np.arange(n_months) - 11, 0)
        leavers = cum[np.arange(n_months) + 1] - cum[lo]
        sick_rate = SICKNESS_DAYS_PER_FTE * np.exp(rng.normal(0, 0.25, len(ts.roles)))
        sickness = np.round(fte * sick_rate[None, :] * np.exp(rng.normal(0, 0.1, fte.shape)), 1)
        holders = np.array([r not in NON_CASEHOLDING for r in ts.roles])
        load = workload.get(team, np.zeros(len(snaps)))
        for k, m in enumerate(snap_month):
            f = fte[m]
            share = np.where(holders, f, 0.0)
            share = share / share.sum() if share.sum() > 0 else share
            cases = np.floor(load[k] * share + rng.random(len(share))).astype(np.int64)
            for r, role in enumerate(ts.roles):
                rows["snapshot_date"].append(int(snaps[k]))
                rows["team"].append(team)
                rows["role"].append(role)
                rows["headcount"].append(int(headcount[m, r]))
                rows["fte"].append(round(float(f[r]), 1))
                rows["vacancies_fte"].append(round(float(ts.vacancy_fte[m, r]), 1))
                rows["agency_fte"].append(round(float(ts.agency_fte[m, r]), 1))
                rows["leavers_12m"].append(int(leavers[m, r]))
                rows["sickness_days_12m"].append(float(sickness[m, r]))
                rows["open_cases"].append(int(cases[r]) if holders[r] else 0)
    df = pl.DataFrame(rows, schema_overrides={"snapshot_date": pl.Int32})
    return df.with_columns(pl.col("snapshot_date").cast(pl.Date)).sort(["snapshot_date", "team", "role"])

"""The staff roster and booked leave: one row per assessing worker, consistent with the workforce file.

Every social worker and occupational therapist counted in the last workforce snapshot (headcount, by
team) becomes one worker, so the roster and the workforce return never disagree about how many
people a team has. Locality teams visit their own locality; central teams (hospital, learning
disability, mental health, ...) visit every locality from a base. Part-time staff (the gap between
headcount and FTE) work three or four days a week. Leave is what a council would have booked on the
extract date: periods from a few weeks before it to four months after, thicker in August and at
Christmas, plus a few training days.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .context import Context
from .staffing import leave_factor
from .workdays import day_date

#: Workforce role -> roster discipline (only these roles carry out Care Act assessment visits).
DISCIPLINE_OF = {"Social worker": "social_worker", "Occupational therapist": "occupational_therapist"}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")
#: Leave is booked from this many days before the extract date to this many days after it.
LEAVE_BEFORE, LEAVE_AFTER = 30, 120
REASONS = ("annual_leave", "training", "sickness")


def _pattern(rng: np.random.Generator, part_time: bool) -> str:
    if not part_time:
        return ";".join(WEEKDAYS)
    days = int(rng.choice([3, 4]))
    keep = np.sort(rng.choice(5, size=days, replace=False))
    return ";".join(WEEKDAYS[i] for i in keep)


def roster_frames(ctx: Context, workforce: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(staff_roster, staff_leave) frames built from the workforce snapshot at the extract date."""
    rng = ctx.rng("staff_roster")
    geo = ctx.geo
    last = workforce["snapshot_date"].max()
    snap = workforce.filter((pl.col("snapshot_date") == last) & pl.col("role").is_in(list(DISCIPLINE_OF)))
    snap = snap.sort(["team", "role"])
    rows: dict[str, list] = {k: [] for k in ("worker_id", "discipline", "team", "localities", "working_days",
                                             "assessments_per_day", "start_date", "end_date")}
    number = 0
    for team, role, headcount, fte in snap.select("team", "role", "headcount", "fte").iter_rows():
        t = geo.team_index(team)
        home = geo.team_locality[t]
        part_share = float(np.clip((headcount - fte) / max(0.4 * headcount, 1e-9), 0.0, 1.0)) if headcount else 0.0
        for _ in range(int(headcount)):
            number += 1
            if home is not None:
                localities = [home]
            else:
                base = geo.localities[int(rng.integers(len(geo.localities)))]
                localities = [base, *[loc for loc in geo.localities if loc != base]]
            discipline = DISCIPLINE_OF[role]
            per_day = 2 if discipline == "occupational_therapist" else int(rng.choice([1, 2], p=[0.6, 0.4]))
            leaving = rng.random() < 0.03
            rows["worker_id"].append(f"W{number:06d}")
            rows["discipline"].append(discipline)
            rows["team"].append(team)
            rows["localities"].append(";".join(localities))
            rows["working_days"].append(_pattern(rng, bool(rng.random() < part_share)))
            rows["assessments_per_day"].append(per_day)
            rows["start_date"].append(None)
            rows["end_date"].append(day_date(ctx.end + int(rng.integers(20, 90))) if leaving else None)
    roster = pl.DataFrame(rows, schema_overrides={"start_date": pl.Date, "end_date": pl.Date})
    return roster, _leave(ctx, rng, rows["worker_id"])


def _leave(ctx: Context, rng: np.random.Generator, workers: list[str]) -> pl.DataFrame:
    """Booked leave: about five periods a year per worker, more of them in the summer and at Christmas."""
    days = np.arange(ctx.end - LEAVE_BEFORE, ctx.end + LEAVE_AFTER + 1)
    weight = 1.0 / leave_factor(days)  # leave is more likely where capacity is thin
    weight = weight / weight.sum()
    out: dict[str, list] = {"worker_id": [], "leave_start": [], "leave_end": [], "reason": []}
    expected = 5.0 * len(days) / 365.25
    for worker in workers:
        starts = np.unique(rng.choice(days, size=int(rng.poisson(expected)), p=weight))
        taken_until = -1
        for start in starts:
            if start <= taken_until:
                continue
            reason = REASONS[int(rng.choice(3, p=[0.82, 0.13, 0.05]))]
            if reason == "sickness" and start > ctx.end:
                reason = "annual_leave"  # nobody books sickness ahead
            length = 1 if reason == "training" else int(rng.integers(1, 11))
            end = int(start) + length - 1
            out["worker_id"].append(worker)
            out["leave_start"].append(day_date(int(start)))
            out["leave_end"].append(day_date(end))
            out["reason"].append(reason)
            taken_until = end
    return pl.DataFrame(out, schema_overrides={"leave_start": pl.Date, "leave_end": pl.Date})

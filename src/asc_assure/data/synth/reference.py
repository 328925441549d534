"""Reference files: teams, targets and areas.

Targets are council-wide (team blank) and effective from the start of the range. Count targets scale
with the council's size so a large council is not set the reference council's numbers.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .context import Context

#: measure id -> (target at the reference council, amber tolerance, scales with size, note)
TARGETS = {
    "waiting_list.count": (450.0, 100.0, True, "Assessment waiting list no larger than this."),
    "waiting_list.longest_wait_days": (42.0, 14.0, False, "Nobody waits more than six weeks for assessment."),
    "assessment.request_to_assessment_median_days": (28.0, 7.0, False,
                                                     "Appointment within 28 days of reaching the team."),
    "safeguarding.triage_within_2wd_pct": (90.0, 5.0, False, "Local timescale: triage within 2 working days."),
    "safeguarding.allocation_within_10wd_pct": (85.0, 5.0, False,
                                                "Local timescale: allocation within 10 working days of triage."),
    "safeguarding.enquiry_within_20wd_pct": (70.0, 10.0, False,
                                             "Local timescale: enquiry within 20 working days of allocation."),
    "safeguarding.open_over_12_weeks": (20.0, 10.0, True, "Few enquiries open longer than 12 weeks."),
    "safeguarding.msp_asked_pct": (90.0, 5.0, False, "Making Safeguarding Personal: desired outcomes asked."),
    "dols.standard_within_21d_pct": (30.0, 10.0, False, "Standard authorisations decided within 21 days."),
    "reviews.reviewed_in_12_months_pct": (70.0, 5.0, False, "People in long-term support reviewed each year."),
    "brokerage.median_days_to_source": (3.0, 2.0, False, "Care sourced within a few days."),
}


def teams_frame(ctx: Context) -> pl.DataFrame:
    geo = ctx.geo
    return pl.DataFrame({
        "team": geo.teams, "locality": geo.team_locality, "team_type": geo.team_type,
        "manager": geo.team_manager, "active": ["Y"] * len(geo.teams),
    })


def targets_frame(ctx: Context) -> pl.DataFrame:
    size = ctx.scale * ctx.spec.backlog_factor ** 0.5
    rows = []
    for measure, (target, amber, scales, note) in TARGETS.items():
        t = max(1.0, round(target * size)) if scales else target
        a = max(1.0, round(amber * size)) if scales else amber
        rows.append({"measure_id": measure, "team": None, "effective_from": ctx.start, "target": float(t),
                     "amber_tolerance": float(a), "notes": note})
    df = pl.DataFrame(rows, schema_overrides={"team": pl.Utf8, "effective_from": pl.Int32})
    return df.with_columns(pl.col("effective_from").cast(pl.Date))


def areas_frame(ctx: Context) -> pl.DataFrame:
    geo = ctx.geo
    return pl.DataFrame({
        "lsoa_code": geo.lsoa_code.astype(str), "lsoa_name": geo.lsoa_name.astype(str),
        "district": np.array(geo.districts, dtype=object)[geo.lsoa_district].astype(str),
        "locality": np.array(geo.localities, dtype=object)[geo.lsoa_locality].astype(str),
        "rural_urban": np.where(geo.lsoa_rural, "rural", "urban"),
        "imd_decile": geo.lsoa_imd.astype(np.int64), "population_18_plus": geo.lsoa_adults.astype(np.int64),
    }).sort("lsoa_code")

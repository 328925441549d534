"""The reference population and the hospital episodes ASCOF needs beyond the CLD.

``population_frame`` writes the council's ONS-style mid-year estimates in the ASCOF bands, from the same
resident population and age mix the council's demand is generated from (denominators of ASCOF 2B/2C).
``hospital_frame`` writes admitted-patient-care episodes for ASCOF 2D: the discharge before every
reablement episode that followed a hospital referral, emergency readmissions for some of those people,
and other discharges of older people known to the council who did not go on to reablement. Only people
with an NHS number appear, as only they can be linked.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .context import Context
from .rng import lognormal_days
from .tables import dates
from .workdays import day_date

#: Of the older people discharged from hospital, how many did not go on to reablement for each one who did.
OTHER_DISCHARGES_PER_REABLEMENT = 6
READMISSION_SHARE = 0.12
MALE_SHARE = {"18 to 64": 0.495, "65 and above": 0.455}
GROWTH = {"18 to 64": 0.004, "65 and above": 0.018}


def population_frame(ctx: Context) -> pl.DataFrame:
    """Mid-year estimates for each year the extracts touch (the mid-year before the first April on)."""
    spec = ctx.spec
    first, last = day_date(ctx.start).year - 1, day_date(ctx.end).year - 1
    shares = {"18 to 64": spec.share_18_64, "65 and above": spec.share_65}
    rows = []
    for year in range(first, last + 1):
        for band, share in shares.items():
            total = round(spec.population * share * (1 + GROWTH[band] * (year - last)))
            male = round(total * MALE_SHARE[band])
            for sex, count in (("All", total), ("Male", male), ("Female", total - male)):
                rows.append({"la_code": spec.la_code, "ons_code": None, "area_name": spec.name, "year": year,
                             "sex": sex, "age_band": band, "count": count})
    return pl.DataFrame(rows, schema={"la_code": pl.Utf8, "ons_code": pl.Utf8, "area_name": pl.Utf8,
                                      "year": pl.Int64, "sex": pl.Utf8, "age_band": pl.Utf8, "count": pl.Int64})


def hospital_frame(ctx: Context, episodes: dict[str, np.ndarray]) -> pl.DataFrame:
    """Admitted patient care episodes (last and earlier episodes of each spell) for ASCOF 2D."""
    rng = ctx.rng("hospital")
    people = ctx.people
    nhs = people.col("nhs")
    from_hospital = (episodes["source"] == 0) & (nhs[episodes["person"]] >= 0)
    person = episodes["person"][from_hospital]
    discharge = episodes["start"][from_hospital] - rng.integers(0, 3, len(person))
    emergency = rng.random(len(person)) < 0.9
    # readmissions within 12 weeks for some of them
    again = rng.random(len(person)) < READMISSION_SHARE
    re_person = person[again]
    re_admit = discharge[again] + rng.integers(5, 85, len(re_person))
    # other older people discharged who did not go on to reablement
    dob, death = people.col("dob"), people.col("death")
    older = np.flatnonzero((nhs >= 0) & ((ctx.end - dob) / 365.25 >= 66))
    n_other = min(len(older), OTHER_DISCHARGES_PER_REABLEMENT * max(len(person), 1))
    other = older[rng.integers(0, len(older), n_other)] if len(older) else np.zeros(0, dtype=np.int64)
    other_day = rng.integers(ctx.start, ctx.end + 1, len(other))
    spell_person = np.concatenate([person, re_person, other])
    last_day = np.concatenate([discharge, re_admit + 1 + lognormal_days(rng, len(re_person), 6.0, 0.6, cap=60),
                               other_day])
    stay = np.maximum(1, lognormal_days(rng, len(spell_person), 7.0, 0.7, cap=90))
    admit = np.concatenate([discharge - stay[:len(person)], re_admit, other_day - stay[len(person) + len(re_person):]])
    emergency = np.concatenate([emergency, np.ones(len(re_person), dtype=bool),
                                rng.random(len(other)) < 0.7])
    keep = (last_day <= ctx.end) & (admit < last_day) & (last_day < death[spell_person])
    spell_person, admit, last_day, emergency = spell_person[keep], admit[keep], last_day[keep], emergency[keep]
    n = len(spell_person)
    spell_no = np.arange(n) + 1 + int(rng.integers(100_000, 900_000))
    two = rng.random(n) < 0.2  # some spells have an earlier episode under another specialty
    tfc = np.where(rng.random(n) < 0.6, "430", np.where(rng.random(n) < 0.5, "300", "110"))
    tfc = np.where(rng.random(n) < 0.02, "710", tfc)
    destination = np.where(rng.random(n) < 0.97, "19", "51")
    sex_code = np.array(["2", "1", "9", "9"])[people.col("sex")[spell_person]]
    base = {
        "la_code": np.full(n, ctx.spec.la_code), "nhs_number": people.nhs_strings(spell_person),
        "spell_id": pl.Series([f"S{k:07d}" for k in spell_no]), "date_of_birth": dates(dob[spell_person], ctx.end),
        "sex": sex_code, "admission_date": dates(admit, ctx.end), "discharge_date": dates(last_day, ctx.end),
        "admission_method": np.where(emergency, "21", "11"), "discharge_method": np.full(n, "1"),
        "discharge_destination": destination, "management_type": np.where(emergency, "EM", "EL"),
    }
    last = pl.DataFrame({**base, "episode_number": np.where(two, 2, 1), "last_episode_in_spell": np.full(n, "Y"),
                         "treatment_function_code": tfc})
    first = pl.DataFrame({**base, "episode_number": np.ones(n, dtype=np.int64),
                          "last_episode_in_spell": np.full(n, "N"), "treatment_function_code": np.full(n, "180")})
    first = first.filter(pl.Series(two))
    cols = ["la_code", "nhs_number", "spell_id", "episode_number", "last_episode_in_spell", "date_of_birth", "sex",
            "admission_date", "discharge_date", "admission_method", "discharge_method", "discharge_destination",
            "treatment_function_code", "management_type"]
    return pl.concat([first.select(cols), last.select(cols)]).sort(["spell_id", "episode_number"])

"""Staffing: establishment, vacancies, agency cover and leave, month by month and day by day.

The same numbers drive two things, so they cannot disagree: the monthly workforce snapshot
(workforce.csv) and each team's daily working capacity in the queue simulations. Vacancies follow
the council-wide vacancy curve (15.2% on average, improving) with a team-and-role random walk;
agency staff cover part of the gap; August and Christmas leave thin the teams further.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .calibration import VACANCY_RATE
from .geography import Geography
from .workdays import day_of_year, month_of

#: Roles by team type with establishment FTE at the reference council (locality: whole council).
ROLES = {
    "locality": (("Social worker", 55.0), ("Occupational therapist", 22.0),
                 ("Social care practitioner", 28.0), ("Team manager", None)),
    "safeguarding": (("Social worker", 14.0), ("Safeguarding practitioner", 7.0), ("Team manager", None)),
    "dols": (("Best interests assessor", 11.0), ("DoLS administrator", 3.0), ("Team manager", None)),
    "hospital": (("Social worker", 12.0), ("Occupational therapist", 5.0), ("Team manager", None)),
    "learning_disability": (("Social worker", 10.0), ("Social care practitioner", 6.0), ("Team manager", None)),
    "mental_health": (("Social worker", 9.0), ("Social care practitioner", 4.0), ("Team manager", None)),
    "reviewing": (("Review officer", 16.0), ("Social worker", 4.0), ("Team manager", None)),
    "brokerage": (("Brokerage officer", 10.0), ("Team manager", None)),
}


@dataclass
class TeamStaffing:
    """Monthly staffing for one team: arrays are (months, roles)."""

    team: str
    roles: list[str]
    establishment: np.ndarray  # (roles,)
    vacancy_fte: np.ndarray  # (months, roles)
    agency_fte: np.ndarray


@dataclass
class Staffing:
    month_starts: np.ndarray  # day numbers of the first of each month
    teams: dict[str, TeamStaffing]
    daily: dict[str, np.ndarray]  # team -> capacity factor per day (mean 1 over the span)
    first: int


def leave_factor(days: np.ndarray) -> np.ndarray:
    """Share of staff not on annual leave: thin in August and at Christmas."""
    month = month_of(days)
    doy = day_of_year(days)
    f = np.ones(len(days))
    f[month == 8] = 0.80
    f[(month == 7) & (doy >= 200)] = 0.9
    f[(doy >= 354) | (doy <= 1)] = 0.55
    f[(month == 4) & (doy < 105)] = 0.9
    f[(month == 10) & (doy >= 297)] = 0.93
    f[(month == 2) & (doy >= 44) & (doy <= 51)] = 0.93
    return f / 0.955


def build_staffing(rng: np.random.Generator, geo: Geography, first: int, last: int,
                   locality_share: np.ndarray, scale: float, scale_old: float) -> Staffing:
    """Staffing for every team from ``first`` to ``last`` (day numbers)."""
    m0 = np.datetime64(first, "D").astype("datetime64[M]")
    m1 = np.datetime64(last, "D").astype("datetime64[M]")
    month_starts = np.arange(m0, m1 + 1).astype("datetime64[D]").astype(np.int64)
    n_months = len(month_starts)
    base_vacancy = VACANCY_RATE.at(month_starts + 14)
    days = np.arange(first, last + 1)
    leave = leave_factor(days)
    month_of_day = np.searchsorted(month_starts, days, side="right") - 1
    teams: dict[str, TeamStaffing] = {}
    daily: dict[str, np.ndarray] = {}
    for t, (team, kind) in enumerate(zip(geo.teams, geo.team_type, strict=True)):
        spec = ROLES[kind]
        if kind == "locality":
            share = locality_share[geo.localities.index(geo.team_locality[t])]
            factor = scale * share
        elif kind in ("dols",):
            factor = scale_old
        else:
            factor = scale
        est = np.array([1.0 if fte is None else max(1.0, np.round(fte * factor * 2) / 2) for _, fte in spec])
        offset = rng.normal(0.0, 0.04, len(spec))
        noise = np.zeros((n_months, len(spec)))
        for m in range(1, n_months):
            noise[m] = 0.8 * noise[m - 1] + rng.normal(0.0, 0.025, len(spec))
        rate = np.clip(base_vacancy[:, None] + offset[None, :] + noise, 0.0, 0.45)
        is_manager = np.array([fte is None for _, fte in spec])
        rate[:, is_manager] = np.where(rng.random((n_months, int(is_manager.sum()))) < 0.06, 1.0, 0.0)
        vac = np.round(est[None, :] * rate * 2) / 2
        cover = np.clip(rng.uniform(0.25, 0.7, len(spec)) + rng.normal(0, 0.05, (n_months, len(spec))), 0, 1)
        agency = np.round(vac * cover * 2) / 2
        teams[team] = TeamStaffing(team, [r for r, _ in spec], est, vac, agency)
        work = ~is_manager
        avail = ((est[work] - vac[:, work]) + 0.85 * agency[:, work]).sum(axis=1) / est[work].sum()
        sf = avail[month_of_day] * leave * np.exp(rng.normal(0.0, 0.05, len(days)))
        daily[team] = sf / sf.mean()
    return Staffing(month_starts=month_starts, teams=teams, daily=daily, first=first)

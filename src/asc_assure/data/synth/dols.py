"""Deprivation of Liberty Safeguards applications and the DoLS backlog.

Care homes and hospitals apply (about 3,500 a year at the reference council, 15% with an urgent
authorisation). The DoLS team screens each application (ADASS-style high / medium / low) and works
a queue: urgent first, then by screening priority with waiting time, so standard applications
mostly breach the 21-day limit while the backlog (about 1,900 awaiting allocation in early 2024)
is brought down to about 1,300 by autumn 2024. People die or leave hospital while waiting; those
applications are withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .calibration import DOLS_AWAITING, DOLS_PER_YEAR, DOLS_URGENT_SHARE
from .context import Context
from .queueing import run_queue, smoothed_rate
from .rng import lognormal_days, pick
from .workdays import NEVER

WARMUP = 730
SETTINGS = ("care_home", "hospital")
PRIORITIES = ("high", "medium", "low")
OUTCOMES = ("granted", "not_granted", "withdrawn")
BONUS = np.array([5_000, 40, 0])


@dataclass
class Dols:
    num: np.ndarray
    person: np.ndarray
    received: np.ndarray
    urgent: np.ndarray
    urgent_extended: np.ndarray  # -1 blank, 0 N, 1 Y
    setting: np.ndarray
    authority: np.ndarray  # object strings
    priority: np.ndarray
    allocated: np.ndarray
    completed: np.ndarray
    outcome: np.ndarray
    authorisation_end: np.ndarray

    def open_on(self, day: int) -> np.ndarray:
        return (self.received <= day) & (self.completed > day)


def generate_dols(ctx: Context, care_home_spells: tuple[np.ndarray, np.ndarray, np.ndarray]) -> Dols:
    rng = ctx.rng("dols")
    cal, people = ctx.cal, ctx.people
    first, last = ctx.start - WARMUP, ctx.end
    days = np.arange(first, last + 1)
    is_wd = cal.workday_mask(days)
    annual = DOLS_PER_YEAR * ctx.scale_old
    rate = ctx.daily_rate(annual, days, weekend=0.3, bank=0.3, winter=0.05)
    received = np.repeat(days, rng.poisson(rate))
    n = len(received)
    urgent = rng.random(n) < DOLS_URGENT_SHARE
    setting = np.where(rng.random(n) < np.where(urgent, 0.45, 0.12), 1, 0)
    person = np.full(n, -1, dtype=np.int64)
    reuse = (setting == 0) & (rng.random(n) < 0.45)
    sp, sf, st = care_home_spells
    person[reuse] = ctx.reuse_window(rng, sp, sf, st, received[reuse])
    new = person < 0
    age = people.sample_age(int(new.sum()), "dols")
    death = np.empty(n, dtype=np.int64)
    death[~new] = people.col("death")[person[~new]]
    death[new] = people.death_after(received[new], age, "dols")
    hosp_new = new & (setting == 1)
    # hospital patients are less frail than care-home residents on average
    death[hosp_new] = np.maximum(death[hosp_new], received[hosp_new] + rng.integers(20, 200, int(hosp_new.sum())))
    discharged = np.where(setting == 1, received + 1 + np.floor(rng.exponential(18.0, n)).astype(np.int64), NEVER)
    moved = received + 1 + np.floor(rng.exponential(365.25 / 0.02, n)).astype(np.int64)
    leave = np.minimum(np.minimum(death, discharged), moved)
    priority = np.where(urgent, 0, pick(rng, n, (0.15, 0.45, 0.40)))
    bonus = np.where(urgent, 10_000, BONUS[priority])
    target = DOLS_AWAITING.at(days) * ctx.scale_old * ctx.spec.backlog_factor
    staff = ctx.staffing_factor("DoLS Team", first, len(days))
    hazard = 1.4 * (0.28 / 365.0 + 0.02 / 365.0 + 0.01 / 18.0)
    served = run_queue(rng, first, last, is_wd, received, bonus, leave, target, smoothed_rate(rate, is_wd), staff,
                       leave_hazard=hazard)
    dur = np.where(urgent, rng.integers(1, 6, n), np.maximum(3, lognormal_days(rng, n, 10.0, 0.5, cap=60)))
    completed = np.where(served < NEVER, cal.next_workday(served + dur), NEVER)
    outcome = np.where(served < NEVER, pick(rng, n, (0.90, 0.05, 0.05)), -1)
    died = (completed < NEVER) & (death <= completed)
    lapsed = (served >= NEVER) & (leave < NEVER)
    recorded = cal.next_workday(np.minimum(leave + rng.integers(0, 10, n), NEVER))
    completed = np.where(lapsed, recorded, completed)
    completed = np.where(died, cal.next_workday(death + rng.integers(0, 5, n)), completed)
    outcome = np.where(lapsed | died, 2, outcome)
    keep = (received <= last) & ((received >= ctx.start) | (completed >= ctx.start))
    idx = np.flatnonzero(keep)
    person, received, urgent, setting = person[idx], received[idx], urgent[idx], setting[idx]
    new_idx = np.flatnonzero(new[idx])
    person[new_idx] = people.add(received[new_idx], "dols", age=age[np.searchsorted(np.flatnonzero(new), idx[new_idx])],
                                 death=death[idx][new_idx])
    served, completed, outcome, priority = served[idx], completed[idx], outcome[idx], priority[idx]
    k = len(idx)
    granted = outcome == 0
    auth_len = np.where(rng.random(k) < 0.7, 365, rng.integers(90, 366, k))
    auth_end = np.where(granted, completed + auth_len, NEVER)
    extended = np.where(urgent, (np.minimum(completed, NEVER) - received > 7).astype(np.int64), -1)
    authority = _authority(ctx, rng, person, setting)
    served = np.where(served <= np.minimum(completed, NEVER), served, NEVER)
    return Dols(num=np.arange(k) + 1 + int(rng.integers(10_000, 90_000)), person=person, received=received,
                urgent=urgent, urgent_extended=extended, setting=setting, authority=authority, priority=priority,
                allocated=served, completed=completed, outcome=outcome, authorisation_end=auth_end)


def _authority(ctx: Context, rng: np.random.Generator, person: np.ndarray, setting: np.ndarray) -> np.ndarray:
    geo = ctx.geo
    district = geo.lsoa_district[ctx.people.col("lsoa")[person]]
    out = np.empty(len(person), dtype=object)
    for d in range(len(geo.districts)):
        m = np.flatnonzero((district == d) & (setting == 0))
        pool = np.flatnonzero(geo.care_home_district == d)
        if len(pool) == 0:
            pool = np.arange(len(geo.care_home_name))
        out[m] = geo.care_home_name[pool[rng.integers(0, len(pool), len(m))]]
    h = np.flatnonzero(setting == 1)
    out[h] = np.array(geo.hospitals, dtype=object)[pick(rng, len(h), (0.75, 0.15, 0.10))]
    return out

"""Safeguarding concerns, triage decisions and enquiries.

About 6,300 concerns a year reach the reference council before a surge through 2024 (up to about
+36%). Triage is due within 2 working days and mostly meets it, less so at the height of the surge.
About 21% of concerns become section 42 enquiries and 3% other enquiries. Enquiries are allocated
(35% within a week of triage in April 2023, 55% in April 2024) and worked at a pace that was slow in
2023 (a long tail of enquiries open for months: 273 open over 12 weeks in July 2023) and much faster
by July 2024 (13-18), slipping again in the surge (47 in November 2024). Enquiries open at the
start of the range come from concerns simulated before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .calibration import (
    CONCERN_SURGE,
    CONCERNS_PER_YEAR,
    ENQUIRY_ALLOCATED_WITHIN_WEEK,
    ENQUIRY_PACE,
    ENQUIRY_STALLED,
    HISTORIC_BEFORE,
    HISTORIC_CLEARANCE,
    MSP_ASKED,
    OTHER_ENQUIRY_SHARE,
    S42_SHARE,
)
from .context import Context
from .rng import lognormal_days, pick
from .workdays import day_number

WARMUP = 540
SOURCES = ("Care provider", "Police", "Hospital", "GP", "Ambulance service", "Family or friend", "Self",
           "Adult social care staff", "Other professional", "Member of the public")
SOURCE_SHARES = (0.22, 0.13, 0.10, 0.06, 0.05, 0.13, 0.04, 0.11, 0.10, 0.06)
DECISIONS = ("s42_enquiry", "other_enquiry", "no_enquiry")
ABUSE = ("Neglect and acts of omission", "Self-neglect", "Financial or material", "Physical", "Psychological",
         "Organisational", "Sexual", "Domestic abuse", "Discriminatory", "Modern slavery")
ABUSE_SHARES = (0.32, 0.12, 0.15, 0.15, 0.12, 0.05, 0.03, 0.05, 0.005, 0.005)
LOCATIONS = ("Own home", "Care home", "Hospital", "In the community", "Other")
MSP = ("fully", "partially", "not_achieved", "not_expressed")
RISK = ("removed", "reduced", "remains", "not_applicable")


@dataclass
class Safeguarding:
    c_num: np.ndarray
    c_person: np.ndarray
    received: np.ndarray
    urgent: np.ndarray
    source: np.ndarray
    c_team: np.ndarray
    triage: np.ndarray
    decision: np.ndarray
    c_closed: np.ndarray
    c_enquiry: np.ndarray  # row in the enquiry arrays, -1 none
    location: np.ndarray
    e_num: np.ndarray
    e_concern: np.ndarray  # row in the concern arrays
    e_type: np.ndarray
    e_team: np.ndarray
    abuse: np.ndarray
    e_start: np.ndarray
    allocated: np.ndarray
    completed: np.ndarray
    msp_asked: np.ndarray
    msp_outcome: np.ndarray
    risk: np.ndarray

    def open_enquiries(self, day: int, over_days: int = 0) -> int:
        """Enquiries open at the end of ``day`` that started more than ``over_days`` days before."""
        m = (self.e_start <= day - over_days) & (self.completed > day)
        return int(m.sum())


def generate_safeguarding(ctx: Context, lts_spells: tuple[np.ndarray, np.ndarray, np.ndarray],
                          care_home_spells: tuple[np.ndarray, np.ndarray, np.ndarray],
                          known_pool: np.ndarray) -> Safeguarding:
    rng = ctx.rng("safeguarding")
    cal, people, geo = ctx.cal, ctx.people, ctx.geo
    first, last = ctx.start - WARMUP, ctx.end
    days = np.arange(first, last + 1)
    surge = CONCERN_SURGE.at(days)
    rate = ctx.daily_rate(CONCERNS_PER_YEAR * ctx.scale, days, weekend=0.4, bank=0.4, winter=0.05, trend=surge)
    received = np.repeat(days, rng.poisson(rate))
    n = len(received)
    # who: someone supported at home, in a care home, otherwise known, or new to the council
    who = pick(rng, n, (0.22, 0.13, 0.15, 0.50))
    person = np.full(n, -1, dtype=np.int64)
    in_home = who == 1
    person[who == 0] = ctx.reuse_window(rng, *lts_spells, received[who == 0])
    person[in_home] = ctx.reuse_window(rng, *care_home_spells, received[in_home])
    person[who == 2] = ctx.reuse(rng, known_pool, received[who == 2])
    location = pick(rng, n, (0.55, 0.12, 0.06, 0.15, 0.12))
    location = np.where(in_home & (person >= 0), 1, location)
    source = pick(rng, n, SOURCE_SHARES)
    source = np.where((location == 1) & (rng.random(n) < 0.4), 0, source)
    urgent = rng.random(n) < 0.08
    # triage, slower at the height of the surge
    within2 = np.clip(0.93 - 0.3 * (CONCERN_SURGE.at(received) - 1.0), 0.6, 0.97)
    quick = rng.random(n) < within2
    wd = np.where(quick, pick(rng, n, (0.42, 0.35, 0.23)), 2 + rng.geometric(0.35, n))
    wd = np.where(urgent, 0, wd)
    triage = cal.add_workdays(received, wd)
    s42 = S42_SHARE * np.where(received < ctx.start + 365, 1.03, 0.97)
    u = rng.random(n)
    decision = np.where(u < s42, 0, np.where(u < s42 + OTHER_ENQUIRY_SHARE, 1, 2))
    closed = np.where(decision == 2, cal.add_workdays(triage, rng.geometric(0.5, n) - 1), triage)
    # enquiries
    e_rows = np.flatnonzero(decision < 2)
    m = len(e_rows)
    e_start = triage[e_rows]
    fast = rng.random(m) < ENQUIRY_ALLOCATED_WITHIN_WEEK.at(e_start)
    alloc_wd = np.where(fast, rng.integers(0, 6, m), 5 + rng.geometric(0.16, m))
    allocated = cal.add_workdays(e_start, alloc_wd)
    pace = ENQUIRY_PACE.at(e_start)
    work_wd = lognormal_days(rng, m, 13.0 * pace, 0.6, cap=400)
    completed = cal.add_workdays(allocated, work_wd)
    stuck = rng.random(m) < ENQUIRY_STALLED.at(e_start)
    stalled = completed + np.floor(rng.uniform(60, 400, m)).astype(np.int64)
    clearance = day_number(HISTORIC_CLEARANCE)
    historic = e_start < day_number(HISTORIC_BEFORE)
    stalled = np.where(historic & (stalled > clearance), clearance + rng.integers(0, 45, m), stalled)
    completed = np.where(stuck, cal.next_workday(np.maximum(stalled, completed)), completed)
    # what is kept: concerns in range, and earlier ones whose concern or enquiry was still open
    e_keep = (e_start <= last) & ((e_start >= ctx.start) | (completed >= ctx.start))
    c_keep = (received >= ctx.start) | (closed >= ctx.start)
    c_keep[e_rows[e_keep]] = True
    c_idx = np.flatnonzero(c_keep & (received <= last))
    e_sel = np.flatnonzero(e_keep)
    e_concern_old = e_rows[e_sel]
    # create new people for kept concerns
    new = c_idx[person[c_idx] < 0]
    person[new] = people.add(received[new], "concern")
    pos = np.full(n, -1, dtype=np.int64)
    pos[c_idx] = np.arange(len(c_idx))
    c_enquiry = np.full(len(c_idx), -1, dtype=np.int64)
    c_enquiry[pos[e_concern_old]] = np.arange(len(e_sel))
    c_person = person[c_idx]
    # teams
    sg = geo.team_index("Safeguarding Team")
    hdt = geo.team_index("Hospital Discharge Team")
    loc_team = np.array([geo.locality_team(i) for i in range(len(geo.localities))])[people.locality(c_person)]
    tu = rng.random(len(c_idx))
    c_team = np.where(tu < 0.72, sg, loc_team)
    c_team = np.where(location[c_idx] == 2, hdt, c_team)
    eu = rng.random(len(e_sel))
    e_team = np.where(eu < 0.72, sg, loc_team[pos[e_concern_old]])
    e_team = np.where(location[e_concern_old] == 2, hdt, e_team)
    # Making Safeguarding Personal and risk outcomes
    asked = rng.random(len(e_sel)) < MSP_ASKED.at(e_start[e_sel])
    expressed = rng.random(len(e_sel)) < 0.82
    achieved = pick(rng, len(e_sel), (0.73, 0.24, 0.03))
    msp_outcome = np.where(asked, np.where(expressed, achieved, 3), -1)
    risk = pick(rng, len(e_sel), (0.30, 0.60, 0.06, 0.04))
    abuse = pick(rng, len(e_sel), ABUSE_SHARES)
    return Safeguarding(
        c_num=np.arange(len(c_idx)) + 1 + int(rng.integers(100_000, 500_000)), c_person=c_person,
        received=received[c_idx], urgent=urgent[c_idx], source=source[c_idx], c_team=c_team, triage=triage[c_idx],
        decision=decision[c_idx], c_closed=closed[c_idx], c_enquiry=c_enquiry, location=location[c_idx],
        e_num=np.arange(len(e_sel)) + 1 + int(rng.integers(10_000, 90_000)), e_concern=pos[e_concern_old],
        e_type=decision[e_concern_old], e_team=e_team, abuse=abuse, e_start=e_start[e_sel],
        allocated=allocated[e_sel], completed=completed[e_sel], msp_asked=asked, msp_outcome=msp_outcome, risk=risk)

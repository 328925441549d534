"""Front-door requests, reablement (ST-Max), equipment and short-term care-home stays.

Most requests for support are resolved at the front door (information and advice, signposting,
equipment) and appear only in the CLD. Reablement episodes start after a hospital-discharge or
community assessment or straight from the front door, last up to about six weeks, and end with
77% of people independent (the reference council's figure); about one in nine needs long-term
support afterwards. Short-term residential stays (respite, step-down) are brokered care-home places
for people already supported at home.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .brokerage import CARE_HOME, Brokerage
from .calibration import FRONT_DOOR_REQUESTS_PER_YEAR, SHORT_TERM_PLACEMENTS_PER_YEAR
from .context import Context
from .events import COMPONENTS, COST_FREQUENCY, DELIVERY, OUTCOMES, SERVICE_TYPES, Events, code
from .rng import lognormal_days, pick
from .workdays import NEVER

FRONT_DOOR_OUTCOMES = {
    "NFA: Information and advice or signposting": 0.52,
    "NFA: Referral to other service within the local authority": 0.08,
    "NFA: Referral to NHS services or NHS funded social care": 0.06,
    "NFA: Self-funded client or under 12wk disregard": 0.04,
    "NFA: Support declined": 0.06,
    "NFA: Other": 0.04,
    "Progress to reablement/ST-Max": 0.09,
    "Progress to support planning or services": 0.11,
}
REABLEMENT_OUTCOMES = {
    "NFA: Support ended as planned": 0.70,
    "NFA: Information and advice or signposting": 0.07,
    "Progress to support planning or services": 0.11,
    "Admitted to hospital": 0.06,
    "NFA: Support declined": 0.02,
    "NFA: Referral to NHS services or NHS funded social care": 0.02,
    "Progress to assessment, review or reassessment": 0.02,
}


@dataclass
class Decisions:
    """People who should start something on a day (reablement or long-term support)."""

    person: np.ndarray
    day: np.ndarray
    source: np.ndarray  # 0 hospital assessment, 1 community assessment, 2 front door
    setting: np.ndarray


def front_door(ctx: Context) -> tuple[Events, Decisions]:
    """Requests resolved at the front door, equipment provided, and reablement referrals."""
    rng = ctx.rng("front-door")
    people = ctx.people
    arrivals = ctx.arrivals(rng, FRONT_DOOR_REQUESTS_PER_YEAR * ctx.scale, ctx.start, ctx.end,
                            weekend=0.03, bank=0.05, winter=0.06)
    n = len(arrivals)
    person = people.add(arrivals, "front_door")
    death = people.col("death")[person]
    end = np.minimum(ctx.cal.add_workdays(arrivals, rng.integers(0, 3, n)), death)
    end = np.maximum(end, arrivals)
    mix = FRONT_DOOR_OUTCOMES
    outcome = np.array([code(OUTCOMES, o) for o in mix])[pick(rng, n, mix)]
    route = pick(rng, n, (0.9, 0.0, 0.05, 0.0, 0.05))
    requests = Events.make(person, "Request", arrivals, end, ref_kind=1, ref_num=np.arange(n) + 1 +
                           int(rng.integers(100_000, 900_000)), outcome=outcome, route=route, description=0)
    equip = np.flatnonzero(outcome == code(OUTCOMES, "Progress to support planning or services"))
    e_start = end[equip] + rng.integers(2, 15, len(equip))
    ok = e_start < death[equip]
    equip, e_start = equip[ok], e_start[ok]
    e_end = e_start + rng.integers(0, 4, len(equip))
    equipment = Events.make(person[equip], "Service", e_start, e_end, ref_kind=3,
                            ref_num=np.arange(len(equip)) + 1 + 9_000_000, service_type=code(
                                SERVICE_TYPES, "Short term support: Ongoing low level"),
                            component=code(COMPONENTS, "Equipment"),
                            delivery=code(DELIVERY, "CASSR commissioned support"),
                            unit_cost=np.round(40 + 560 * rng.random(len(equip)), 2),
                            cost_frequency=code(COST_FREQUENCY, "One-off"),
                            outcome=code(OUTCOMES, "NFA: Support ended as planned"), description=6)
    reab = np.flatnonzero(outcome == code(OUTCOMES, "Progress to reablement/ST-Max"))
    decisions = Decisions(person[reab], end[reab], np.full(len(reab), 2), np.zeros(len(reab), dtype=np.int64))
    return Events.concat([requests, equipment]), decisions


def reablement(ctx: Context, d: Decisions) -> tuple[Events, Decisions, dict[str, np.ndarray]]:
    """ST-Max reablement episodes; returns events, long-term support decisions and episode data."""
    rng = ctx.rng("reablement")
    n = len(d.person)
    lag = np.where(d.source == 0, rng.integers(0, 3, n), rng.integers(1, 8, n))
    start = ctx.cal.next_workday(d.day + lag)
    death = ctx.people.col("death")[d.person]
    ok = start < death
    person, start, source, death = d.person[ok], start[ok], d.source[ok], death[ok]
    n = len(person)
    planned = start + np.maximum(3, lognormal_days(rng, n, 21.0, 0.4, cap=56))
    mix = REABLEMENT_OUTCOMES
    outcome = np.array([code(OUTCOMES, o) for o in mix])[pick(rng, n, mix)]
    died = death <= planned
    end = np.where(died, death, planned)
    outcome = np.where(died, code(OUTCOMES, "NFA: Deceased"), outcome)
    in_house = rng.random(n) < 0.6
    provider_kind = np.where(in_house, 2, 1)
    provider = np.where(in_house, 0, rng.integers(0, len(ctx.geo.agency_id), n))
    hours = np.clip(np.round(8 * np.exp(0.4 * rng.standard_normal(n))), 2, 25)
    events = Events.make(person, "Service", start, end, ref_kind=3,
                         ref_num=np.arange(n) + 1 + 8_000_000 + int(rng.integers(0, 900_000)),
                         outcome=outcome, service_type=code(SERVICE_TYPES, "Short term support: ST-Max"),
                         component=code(COMPONENTS, "Reablement"),
                         delivery=code(DELIVERY, "CASSR commissioned support"),
                         provider_kind=provider_kind, provider=provider,
                         unit_cost=np.round(31 + rng.normal(0, 1.5, n), 2),
                         cost_frequency=code(COST_FREQUENCY, "Hourly"), units=hours, description=5)
    lts = np.flatnonzero(outcome == code(OUTCOMES, "Progress to support planning or services"))
    setting = np.where(rng.random(len(lts)) < 0.1, 1, 0)
    follow = Decisions(person[lts], end[lts] - 3, source[lts], setting)
    episodes = {"person": person, "start": start, "end": end, "outcome": outcome, "source": source}
    return events, follow, episodes


def short_term_stays(ctx: Context, brokerage: Brokerage,
                     community: tuple[np.ndarray, np.ndarray, np.ndarray]) -> Events:
    """Respite and step-down care-home stays for people supported at home."""
    rng = ctx.rng("short-term-stays")
    days = ctx.arrivals(rng, SHORT_TERM_PLACEMENTS_PER_YEAR * ctx.scale_old, ctx.start - 60, ctx.end,
                        weekend=0.05, bank=0.05, winter=0.1)
    person = ctx.reuse_window(rng, *community, days)
    ok = person >= 0
    person, days = person[ok], days[ok]
    sourced, usable = brokerage.request(ctx, rng, person, days, CARE_HOME)
    death = ctx.people.col("death")[person]
    start = np.where(sourced < NEVER, sourced + rng.integers(0, 3, len(person)), NEVER)
    keep = usable & (start < death) & (start <= ctx.end)
    person, start, death = person[keep], start[keep], death[keep]
    n = len(person)
    end = np.minimum(start + np.maximum(3, lognormal_days(rng, n, 14.0, 0.6, cap=90)), death)
    nursing = rng.random(n) < 0.3
    geo = ctx.geo
    pool_n = np.flatnonzero(geo.care_home_nursing)
    pool_r = np.flatnonzero(~geo.care_home_nursing)
    pool_n = pool_n if len(pool_n) else np.arange(len(geo.care_home_id))
    pool_r = pool_r if len(pool_r) else np.arange(len(geo.care_home_id))
    provider = np.where(nursing, pool_n[rng.integers(0, len(pool_n), n)], pool_r[rng.integers(0, len(pool_r), n)])
    outcome = np.where(end == death, code(OUTCOMES, "NFA: Deceased"), code(OUTCOMES, "NFA: Support ended as planned"))
    return Events.make(person, "Service", start, end, ref_kind=3, ref_num=np.arange(n) + 1 + 7_000_000,
                       outcome=outcome, service_type=code(SERVICE_TYPES, "Short term support: Other short term"),
                       component=np.where(nursing, code(COMPONENTS, "Short term nursing care"),
                                          code(COMPONENTS, "Short term residential care")),
                       delivery=code(DELIVERY, "CASSR commissioned support"), provider_kind=0, provider=provider,
                       unit_cost=np.round(np.where(nursing, 1250, 1050) + rng.normal(0, 60, n), 2),
                       cost_frequency=code(COST_FREQUENCY, "Weekly"), units=np.ones(n), description=12)

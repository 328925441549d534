"""Long-term support packages: the people already supported, new packages, moves into care homes.

About 6,500 people (reference council) are in long-term support at the start of the range: 71%
in the community, the rest in residential or nursing care, with packages that started months or
years before. New packages come from assessments and from reablement that did not restore
independence; home care and care-home places wait for brokerage. Packages end at death, on other
exits (NHS continuing healthcare, moving away, self-funding) or, for older people at home, on a move
into a care home, which starts a new residential or nursing package.

Each package is one or more CLD service rows (a main component such as home care or a direct
payment, sometimes a second such as day support), with delivery mechanism, provider and unit costs.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .brokerage import CARE_HOME, HOME_CARE, Brokerage
from .calibration import LTS_STOCK_AT_START
from .context import Context
from .events import COMPONENTS, COST_FREQUENCY, DELIVERY, OUTCOMES, SERVICE_TYPES, Events, code
from .people import label_list
from .rng import exponential_days, pick
from .workdays import NEVER

COMMUNITY, RESIDENTIAL, NURSING = 0, 1, 2
SETTING_NAMES = ("community", "residential", "nursing")
SETTING_SERVICE = ("Long term support: Community", "Long term support: Residential care",
                   "Long term support: Nursing care")
EXIT_RATE = (0.20, 0.04, 0.08)  # non-death exits a year
TRANSITION_RATE = 0.025  # community 65+ moving into a care home, a year
END_DEATH, END_EXIT, END_TRANSITION = 0, 1, 2
PRIMARY_MIX = {
    "ld": {"Community supported living": 0.45, "Direct payment": 0.25, "Home support or domiciliary care": 0.10,
           "Shared Lives": 0.08, "Day support": 0.12},
    "mh": {"Home support or domiciliary care": 0.35, "Direct payment": 0.25, "Community supported living": 0.25,
           "Day support": 0.15},
    "young": {"Home support or domiciliary care": 0.55, "Direct payment": 0.40, "Day support": 0.05},
    "old": {"Home support or domiciliary care": 0.72, "Direct payment": 0.18, "Extra care housing": 0.06,
            "Day support": 0.04},
}
SECONDARY_MIX = {"none": 0.76, "Day support": 0.12, "Equipment": 0.06, "Meals": 0.03, "Transport": 0.03}


@dataclass
class Packages:
    num: np.ndarray
    person: np.ndarray
    setting: np.ndarray
    start: np.ndarray
    end: np.ndarray
    end_reason: np.ndarray
    primary: np.ndarray  # component code
    secondary: np.ndarray  # component code or -1
    hours: np.ndarray  # home care hours a week (nan if none)
    stock: np.ndarray  # bool: started before the range

    @classmethod
    def concat(cls, parts: list[Packages]) -> Packages:
        return cls(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)})


def _components(ctx: Context, rng: np.random.Generator, person: np.ndarray, setting: np.ndarray,
                day: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(person)
    psr_values = label_list("cld_primary_support_reason")
    psr = ctx.people.col("psr")[person]
    age = ctx.people.age_on(person, day)
    group = np.where(psr == psr_values.index("Learning disability support"), 0,
                     np.where(psr == psr_values.index("Mental health support"), 1, np.where(age < 65, 2, 3)))
    primary = np.full(n, -1, dtype=np.int64)
    for g, name in enumerate(("ld", "mh", "young", "old")):
        m = np.flatnonzero(group == g)
        mix = PRIMARY_MIX[name]
        primary[m] = np.array([code(COMPONENTS, c) for c in mix])[pick(rng, len(m), mix)]
    primary = np.where(setting == RESIDENTIAL, code(COMPONENTS, "Long term residential care"), primary)
    primary = np.where(setting == NURSING, code(COMPONENTS, "Long term nursing care"), primary)
    sec_codes = np.array([-1, *[code(COMPONENTS, c) for c in list(SECONDARY_MIX)[1:]]])
    secondary = sec_codes[pick(rng, n, SECONDARY_MIX)]
    secondary = np.where((setting != COMMUNITY) | (secondary == primary), -1, secondary)
    home = primary == code(COMPONENTS, "Home support or domiciliary care")
    hours = np.where(age < 65, 12.0, 8.0) * np.exp(0.55 * rng.standard_normal(n))
    hours = np.where(home, np.clip(np.round(hours * 4) / 4, 1.5, 60.0), np.nan)
    return primary, secondary, hours


def _ends(ctx: Context, rng: np.random.Generator, person: np.ndarray, setting: np.ndarray,
          from_day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(person)
    death = ctx.people.col("death")[person]
    exit_day = from_day + exponential_days(rng, n, np.asarray(EXIT_RATE)[setting])
    older = ctx.people.age_on(person, from_day) >= 65
    trans = np.where((setting == COMMUNITY) & older, from_day + exponential_days(rng, n, TRANSITION_RATE), NEVER)
    end = np.minimum(np.minimum(death, exit_day), trans)
    reason = np.where(end == death, END_DEATH, np.where(end == trans, END_TRANSITION, END_EXIT))
    return np.minimum(end, NEVER), reason


def stock_packages(ctx: Context) -> Packages:
    """People in long-term support on the first day of the range, with their (older) packages."""
    rng = ctx.rng("lts-stock")
    people = ctx.people
    n = int(rng.poisson(LTS_STOCK_AT_START * ctx.scale))
    setting = pick(rng, n, (0.71, 0.20, 0.09))
    start_day = np.full(n, ctx.start)
    person = np.empty(n, dtype=np.int64)
    years = np.array([3.2, 1.8, 1.2])[setting]
    tenure = np.floor(rng.exponential(years * 365.25)).astype(np.int64) + 1
    for s, profile, mortality in ((COMMUNITY, "lts", "lts"), (RESIDENTIAL, "lts_residential", "lts_residential"),
                                  (NURSING, "lts_residential", "lts_residential")):
        m = np.flatnonzero(setting == s)
        age = people.sample_age(len(m), profile)
        pkg_start = ctx.start - np.minimum(tenure[m], np.floor((age - 18) * 365.25).astype(np.int64))
        person[m] = people.add(start_day[m], profile, age=age, mortality=mortality, known_from=pkg_start)
        tenure[m] = ctx.start - pkg_start
    start = ctx.start - tenure
    primary, secondary, hours = _components(ctx, rng, person, setting, start_day)
    end, reason = _ends(ctx, rng, person, setting, start_day)
    return Packages(num=np.zeros(n, dtype=np.int64), person=person, setting=setting, start=start, end=end,
                    end_reason=reason, primary=primary, secondary=secondary, hours=hours,
                    stock=np.ones(n, dtype=bool))


def new_packages(ctx: Context, brokerage: Brokerage, person: np.ndarray, decided: np.ndarray,
                 setting: np.ndarray, stream: str) -> Packages:
    """Packages agreed on ``decided`` days: sourced through brokerage when home care or a care home."""
    rng = ctx.rng(stream)
    n = len(person)
    primary, secondary, hours = _components(ctx, rng, person, setting, decided)
    planning = rng.integers(2, 15, n)
    home = primary == code(COMPONENTS, "Home support or domiciliary care")
    needs = home | (setting != COMMUNITY)
    start = np.minimum(decided + planning + rng.integers(5, 25, n), NEVER)  # direct payments etc.
    ok = np.ones(n, dtype=bool)
    b = np.flatnonzero(needs)
    sourced, usable = brokerage.request(ctx, rng, person[b], decided[b] + planning[b],
                                        np.where(setting[b] == COMMUNITY, HOME_CARE, CARE_HOME), hours[b])
    start[b] = np.where(sourced < NEVER, sourced + rng.integers(0, 3, len(b)), NEVER)
    ok[b] = usable
    death = ctx.people.col("death")[person]
    ok &= (start < NEVER) & (start < death)
    idx = np.flatnonzero(ok)
    end, reason = _ends(ctx, rng, person[idx], setting[idx], start[idx])
    return Packages(num=np.zeros(len(idx), dtype=np.int64), person=person[idx], setting=setting[idx],
                    start=start[idx], end=end, end_reason=reason, primary=primary[idx], secondary=secondary[idx],
                    hours=hours[idx], stock=np.zeros(len(idx), dtype=bool))


def care_home_moves(ctx: Context, brokerage: Brokerage, pk: Packages) -> Packages:
    """New residential or nursing packages for community packages that ended in a move to a care home."""
    m = np.flatnonzero((pk.end_reason == END_TRANSITION) & (pk.end <= ctx.end + 60))
    rng = ctx.rng("lts-moves")
    setting = np.where(rng.random(len(m)) < 0.3, NURSING, RESIDENTIAL)
    moved = new_packages(ctx, brokerage, pk.person[m], pk.end[m] - 10, setting, "lts-moves-packages")
    return moved


def number_packages(ctx: Context, pk: Packages) -> None:
    """Package references in start order (older packages have lower numbers)."""
    rng = ctx.rng("lts-numbers")
    order = np.lexsort((pk.person, pk.start))
    pk.num[order] = np.arange(len(order)) + 1 + int(rng.integers(100_000, 500_000))


def package_events(ctx: Context, pk: Packages) -> Events:
    """CLD Service rows: one per package component."""
    rng = ctx.rng("lts-events")
    parts = []
    geo = ctx.geo
    for slot, comp in ((0, pk.primary), (1, pk.secondary)):
        m = np.flatnonzero(comp >= 0)
        c = comp[m]
        n = len(m)
        setting = pk.setting[m]
        service_type = np.array([code(SERVICE_TYPES, s) for s in SETTING_SERVICE])[setting]
        dp = code(COMPONENTS, "Direct payment")
        delivery = np.where(c == dp, code(DELIVERY, "Direct payment"),
                            np.where(rng.random(n) < 0.15, code(DELIVERY, "CASSR managed personal budget"),
                                     code(DELIVERY, "CASSR commissioned support")))
        delivery = np.where(setting != COMMUNITY, code(DELIVERY, "CASSR commissioned support"), delivery)
        cost, freq, units = _costs(ctx, rng, c, pk.hours[m], ctx.people.age_on(pk.person[m], pk.start[m]))
        provider_kind = np.full(n, -1)
        provider = np.full(n, -1)
        agency_comps = [code(COMPONENTS, x) for x in ("Home support or domiciliary care", "Community supported living",
                                                      "Extra care housing")]
        is_agency = np.isin(c, agency_comps)
        provider_kind[is_agency] = 1
        provider[is_agency] = rng.integers(0, len(geo.agency_id), int(is_agency.sum()))
        for s, nursing in ((RESIDENTIAL, False), (NURSING, True)):
            w = np.flatnonzero(setting == s)
            pool = np.flatnonzero(geo.care_home_nursing == nursing)
            if len(pool) == 0:
                pool = np.arange(len(geo.care_home_id))
            provider_kind[w] = 0
            provider[w] = pool[rng.integers(0, len(pool), len(w))]
        reason = pk.end_reason[m]
        other = pick(rng, n, (0.5, 0.25, 0.15, 0.10))
        other_codes = np.array([code(OUTCOMES, o) for o in (
            "NFA: Support ended for other reason", "NFA: Referral to NHS services or NHS funded social care",
            "NFA: Responsibility moved to another local authority",
            "NFA: Self-funded client or under 12wk disregard")])[other]
        moved = code(OUTCOMES, "Progress to support planning or services")
        outcome = np.where(reason == END_DEATH, code(OUTCOMES, "NFA: Deceased"),
                           np.where(reason == END_TRANSITION, moved, other_codes))
        description = np.select([c == dp, setting != COMMUNITY, c == code(COMPONENTS, "Day support"),
                                 c == code(COMPONENTS, "Community supported living")], [3, 4, 10, 11], 2)
        parts.append(Events.make(pk.person[m], "Service", pk.start[m], pk.end[m], ref_kind=3,
                                 ref_num=pk.num[m] * 10 + slot, outcome=outcome, service_type=service_type,
                                 component=c, delivery=delivery, provider_kind=provider_kind, provider=provider,
                                 unit_cost=cost, cost_frequency=freq, units=units, description=description))
    return Events.concat(parts)


def _costs(ctx: Context, rng: np.random.Generator, comp: np.ndarray, hours: np.ndarray,
           age: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit cost (GBP), cost frequency and planned units a week for each component."""
    n = len(comp)
    hourly = 27.0 + (ctx.spec.index % 7) * 0.6
    c = {name: code(COMPONENTS, name) for name in COMPONENTS}
    lognormal = np.exp(rng.standard_normal(n))
    table = [
        (c["Home support or domiciliary care"], hourly + rng.normal(0, 1.0, n), "Hourly", hours),
        (c["Direct payment"], 320 * lognormal ** 0.5, "Weekly", np.ones(n)),
        (c["Community supported living"], 1450 * lognormal ** 0.35, "Weekly", np.ones(n)),
        (c["Shared Lives"], 480 + rng.normal(0, 40, n), "Weekly", np.ones(n)),
        (c["Extra care housing"], hourly - 4 + rng.normal(0, 1.0, n), "Hourly", np.round(4 + 8 * rng.random(n))),
        (c["Day support"], 62 + rng.normal(0, 8, n), "Per session", rng.integers(1, 6, n).astype(float)),
        (c["Equipment"], 80 + 600 * rng.random(n), "One-off", np.full(n, np.nan)),
        (c["Meals"], 5.5 + rng.normal(0, 0.4, n), "Per session", np.full(n, 7.0)),
        (c["Transport"], 18 + rng.normal(0, 3, n), "Per session", rng.integers(2, 6, n).astype(float)),
        (c["Long term residential care"], np.where(age < 65, 1650, 980) * lognormal ** 0.2, "Weekly", np.ones(n)),
        (c["Long term nursing care"], np.where(age < 65, 1500, 1180) * lognormal ** 0.15, "Weekly", np.ones(n)),
    ]
    cost = np.full(n, np.nan)
    freq = np.full(n, -1, dtype=np.int64)
    units = np.full(n, np.nan)
    for comp_code, value, frequency, planned in table:
        m = comp == comp_code
        cost[m] = np.round(np.abs(value[m]), 2)
        freq[m] = code(COST_FREQUENCY, frequency)
        units[m] = planned[m]
    return cost, freq, units

"""Unpaid carers: assessments, support and reviews, linked to the people they care for.

Carers appear in the CLD as their own people with client type "Unpaid carer" and the cared-for
person's id in "Adult 1 Linked Person_ID" (a second adult for some), which is how DHSC sets "Has
Unpaid Carer" on the cared-for person. Carers known only through the cared-for person's support
(respite) are "Unpaid carer known by association".
"""

from __future__ import annotations

import numpy as np

from .calibration import CARER_ASSESSMENTS_PER_YEAR
from .context import Context
from .events import ASSESSMENT_TYPES, COMPONENTS, COST_FREQUENCY, DELIVERY, OUTCOMES, SERVICE_TYPES, Events, code
from .people import CARER
from .rng import lognormal_days, pick
from .workdays import NEVER

INVOLVING_CARED_FOR = "Unpaid carer support: Support involving the person cared-for"
CARER_OUTCOMES = {"Progress to support planning or services": 0.55,
                  "NFA: Information and advice or signposting": 0.38, "NFA: Support declined": 0.07}


def carers(ctx: Context, cared_for_pool: np.ndarray) -> tuple[Events, np.ndarray]:
    """Carer events, and the cared-for people who have a carer."""
    rng = ctx.rng("carers")
    people = ctx.people
    days = ctx.arrivals(rng, CARER_ASSESSMENTS_PER_YEAR * ctx.scale, ctx.start, ctx.end, weekend=0.02, bank=0.0,
                        winter=0.0)
    cared = ctx.reuse(rng, cared_for_pool, days)
    ok = cared >= 0
    days, cared = days[ok], cared[ok]
    n = len(days)
    cared_age = people.age_on(cared, days)
    spouse = (cared_age >= 60) & (rng.random(n) < 0.6)
    age = np.where(spouse, np.clip(cared_age + rng.normal(-2, 5, n), 40, 98), rng.uniform(35, 75, n))
    by_association = rng.random(n) < 0.12
    carer = people.add(days, "carer", age=age, kind=CARER, mortality="carer")
    second = np.where(rng.random(n) < 0.08, ctx.reuse(rng, cared_for_pool, days), -1)
    second = np.where(second == cared, -1, second)
    n_adults = np.where(second >= 0, 2, 1)
    hours = pick(rng, n, (0.3, 0.2, 0.15, 0.35))
    death = people.col("death")[carer]
    common = {"caring_hours": hours, "n_adults": n_adults, "adult1": cared, "adult2": second}
    parts = []
    # carers known by association: respite for the cared-for person, no carer assessment
    a = np.flatnonzero(by_association)
    a_start = ctx.cal.next_workday(days[a])
    a_end = np.minimum(a_start + np.maximum(1, lognormal_days(rng, len(a), 7.0, 0.5, cap=28)), death[a])
    parts.append(Events.make(carer[a], "Service", a_start, a_end, ref_kind=6, ref_num=np.arange(len(a)) + 1,
                             client_type=2, service_type=code(SERVICE_TYPES, INVOLVING_CARED_FOR),
                             component=code(COMPONENTS, "Unpaid carer respite"),
                             delivery=code(DELIVERY, "CASSR commissioned support"),
                             unit_cost=np.round(95 + rng.normal(0, 10, len(a)), 2),
                             cost_frequency=code(COST_FREQUENCY, "Daily"), units=np.ones(len(a)) * 2,
                             outcome=code(OUTCOMES, "NFA: Support ended as planned"), description=12,
                             **{k: v[a] for k, v in common.items()}))
    s = np.flatnonzero(~by_association)
    start = ctx.cal.next_workday(days[s])
    end = np.minimum(ctx.cal.add_workdays(start, lognormal_days(rng, len(s), 6.0, 0.7, cap=60)), death[s])
    mix = CARER_OUTCOMES
    outcome = np.array([code(OUTCOMES, o) for o in mix])[pick(rng, len(s), mix)]
    refs = np.arange(len(s)) + 1 + int(rng.integers(10_000, 90_000))
    parts.append(Events.make(carer[s], "Assessment", start, end, ref_kind=5, ref_num=refs, client_type=1,
                             outcome=outcome, assessment_type=code(ASSESSMENT_TYPES, "Long term assessment"),
                             eligible=np.where(outcome == code(OUTCOMES, "NFA: Support declined"), -1,
                                               (outcome == code(OUTCOMES, mix_first(mix))).astype(int)),
                             method=pick(rng, len(s), (0.5, 0.4, 0.05, 0.05, 0.0)), description=8,
                             **{k: v[s] for k, v in common.items()}))
    sup = s[outcome == code(OUTCOMES, "Progress to support planning or services")]
    sup_end_assess = end[outcome == code(OUTCOMES, "Progress to support planning or services")]
    v_start = sup_end_assess + rng.integers(3, 30, len(sup))
    ok = v_start < death[sup]
    sup, v_start = sup[ok], v_start[ok]
    dp = rng.random(len(sup)) < 0.55
    component = np.where(dp, code(COMPONENTS, "Direct payment"),
                         np.where(rng.random(len(sup)) < 0.5, code(COMPONENTS, "Unpaid carer respite"),
                                  code(COMPONENTS, "Other unpaid carer support")))
    v_end = np.where(dp, v_start, np.minimum(v_start + rng.integers(30, 365, len(sup)), death[sup]))
    parts.append(Events.make(carer[sup], "Service", v_start, v_end, ref_kind=6,
                             ref_num=np.arange(len(sup)) + 500_001, client_type=1,
                             service_type=code(SERVICE_TYPES, "Unpaid carer support: Direct to unpaid carer"),
                             component=component, delivery=np.where(dp, code(DELIVERY, "Direct payment"),
                                                                    code(DELIVERY, "CASSR commissioned support")),
                             unit_cost=np.round(np.where(dp, 250 + 350 * rng.random(len(sup)),
                                                         40 + 30 * rng.random(len(sup))), 2),
                             cost_frequency=np.where(dp, code(COST_FREQUENCY, "One-off"),
                                                     code(COST_FREQUENCY, "Per session")),
                             units=np.where(dp, np.nan, rng.integers(1, 4, len(sup)).astype(float)),
                             outcome=code(OUTCOMES, "NFA: Support ended as planned"), description=9,
                             **{k: v[sup] for k, v in common.items()}))
    # annual carer reviews for some supported carers
    r = np.flatnonzero(rng.random(len(sup)) < 0.4)
    r_end = ctx.cal.next_workday(v_start[r] + rng.integers(300, 420, len(r)))
    ok = (r_end < death[sup[r]]) & (r_end < NEVER)
    r, r_end = r[ok], r_end[ok]
    who = sup[r]
    parts.append(Events.make(carer[who], "Review", r_end - rng.integers(0, 10, len(r)), r_end, ref_kind=7,
                             ref_num=np.arange(len(r)) + 1, client_type=1,
                             outcome=code(OUTCOMES, "Continuation of support or services"),
                             review_reason=0, method=pick(rng, len(r), (0.3, 0.6, 0.1, 0.0, 0.0)),
                             review_achieved=pick(rng, len(r), (0.5, 0.4, 0.05, 0.05)), description=7,
                             **{k: v[who] for k, v in common.items()}))
    has_carer = np.unique(np.concatenate([cared, second[second >= 0]]))
    return Events.concat(parts), has_carer


def mix_first(mix: dict[str, float]) -> str:
    return next(iter(mix))

"""Referrals for a Care Act assessment and the assessment waiting list.

Referrals arrive at each team (one locality team per locality, plus the hospital discharge, learning
disability and mental health teams) on working days mostly, with a winter peak. Each team works its
own queue (``queueing.run_queue``) towards the council's waiting-list curve, so the list is large
in 2023 and falls through 2024. While waiting, people may no longer need an assessment, move away,
decline, be signposted or die; those referrals close without an assessment. Assessed people get an
outcome that feeds services: long-term support, reablement, or no further action.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .calibration import PRIORITY_SHARES, REFERRALS_PER_YEAR, WAITING_LIST
from .context import Context
from .events import ASSESSMENT_TYPES, OUTCOMES, Events, code
from .people import label_list
from .queueing import run_queue, smoothed_rate
from .rng import lognormal_days, pick
from .workdays import NEVER

PRIORITIES = ("high", "medium", "low")
PRIORITY_BONUS = np.array([10_000, 21, 0])
DISCIPLINES = ("social_worker", "occupational_therapist", "both")
CLOSURE_REASONS = ("assessed", "no longer required", "moved away", "declined assessment", "signposted",
                   "deceased")
SOURCES = ("Self-referral", "Family or friend", "GP", "Community health", "Hospital",
           "Social and Health Care Team", "Voluntary sector", "Housing", "Police",
           "Children's services (transition)", "Mental health trust", "Other local authority")
TEAM_KINDS = ("locality", "hospital", "learning_disability", "mental_health")
PROFILE_OF = {"locality": "referral", "hospital": "hospital", "learning_disability": "learning_disability",
              "mental_health": "mental_health"}
MORTALITY_OF = {"locality": "default", "hospital": "hospital", "learning_disability": "default",
                "mental_health": "default"}
WAITING_SHARE = {"locality": 0.92, "hospital": 0.01, "learning_disability": 0.04, "mental_health": 0.03}
PRIORITY_MIX = {"locality": PRIORITY_SHARES, "hospital": {"high": 0.6, "medium": 0.35, "low": 0.05},
                "learning_disability": {"high": 0.2, "medium": 0.5, "low": 0.3},
                "mental_health": {"high": 0.25, "medium": 0.5, "low": 0.25}}
SOURCE_MIX = {
    "locality": {"Self-referral": 0.14, "Family or friend": 0.2, "GP": 0.12, "Community health": 0.12,
                 "Hospital": 0.06, "Social and Health Care Team": 0.22, "Voluntary sector": 0.06,
                 "Housing": 0.04, "Police": 0.02, "Other local authority": 0.02},
    "hospital": {"Hospital": 1.0},
    "learning_disability": {"Children's services (transition)": 0.35, "Family or friend": 0.3, "GP": 0.1,
                            "Social and Health Care Team": 0.2, "Other local authority": 0.05},
    "mental_health": {"Mental health trust": 0.6, "GP": 0.15, "Social and Health Care Team": 0.15,
                      "Family or friend": 0.1},
}
DISCIPLINE_MIX = {"locality": (0.55, 0.35, 0.10), "hospital": (0.6, 0.25, 0.15),
                  "learning_disability": (0.9, 0.0, 0.1), "mental_health": (0.9, 0.0, 0.1)}
ASSESS_DAYS = {"locality": 9.0, "hospital": 2.0, "learning_disability": 20.0, "mental_health": 14.0}
LTS = "Progress to support planning or services"
REABLE = "Progress to reablement/ST-Max"
OUTCOME_MIX = {
    "locality": {LTS: 0.33, REABLE: 0.12, "NFA: Information and advice or signposting": 0.12,
                 "NFA: Self-funded client or under 12wk disregard": 0.08, "NFA: Support declined": 0.06,
                 "NFA: No services offered for other reason": 0.14,
                 "NFA: Referral to NHS services or NHS funded social care": 0.04,
                 "NFA: Referral to other service within the local authority": 0.05, "Admitted to hospital": 0.02},
    "hospital": {REABLE: 0.62, LTS: 0.18, "NFA: Information and advice or signposting": 0.06,
                 "NFA: Self-funded client or under 12wk disregard": 0.06,
                 "NFA: Referral to NHS services or NHS funded social care": 0.05, "NFA: Support declined": 0.03},
    "learning_disability": {LTS: 0.60, "NFA: Information and advice or signposting": 0.10,
                            "NFA: No services offered for other reason": 0.10, "NFA: Support declined": 0.05,
                            "NFA: Referral to other service within the local authority": 0.05},
    "mental_health": {LTS: 0.50, "NFA: Information and advice or signposting": 0.15,
                      "NFA: Referral to NHS services or NHS funded social care": 0.15,
                      "NFA: Support declined": 0.10, "NFA: No services offered for other reason": 0.10},
    "existing": {"Continuation of support or services": 0.6, LTS: 0.3,
                 "NFA: Information and advice or signposting": 0.1},
}
#: Residential / nursing share of new long-term support decided at assessment, by team.
CARE_HOME_SHARE = {"locality": (0.06, 0.025), "hospital": (0.15, 0.12), "learning_disability": (0.08, 0.0),
                   "mental_health": (0.08, 0.02)}


@dataclass
class Referrals:
    """Referrals in the extract (received in range, or received earlier and still open at the start)."""

    num: np.ndarray
    person: np.ndarray
    received: np.ndarray
    team: np.ndarray
    kind: np.ndarray  # index into TEAM_KINDS
    priority: np.ndarray
    discipline: np.ndarray
    source: np.ndarray
    first_contact: np.ndarray
    assess_start: np.ndarray
    assess_done: np.ndarray
    closed: np.ndarray
    closure: np.ndarray
    existing: np.ndarray  # bool: person already receiving long-term support
    assessment_type: np.ndarray
    outcome: np.ndarray
    setting: np.ndarray  # -1, 0 community, 1 residential, 2 nursing (when outcome is LTS)
    in_extract: np.ndarray  # False for referrals assessed just before the range (their services follow)

    def take(self, mask: np.ndarray) -> Referrals:
        return Referrals(**{f.name: getattr(self, f.name)[mask] for f in fields(self)})

    def waiting_on(self, day: int) -> np.ndarray:
        """Mask of referrals on the waiting list at the end of ``day``."""
        return (self.received <= day) & (self.assess_start > day) & (self.closed > day)


def generate_referrals(ctx: Context, lts_pool: np.ndarray) -> Referrals:
    """Simulate arrivals, queues and outcomes; create the referred people."""
    rng = ctx.rng("referrals")
    geo, cal, people = ctx.geo, ctx.cal, ctx.people
    first, last = ctx.sim_first, ctx.end
    days = np.arange(first, last + 1)
    is_wd = cal.workday_mask(days)
    target_curve = WAITING_LIST.at(days) * ctx.scale * ctx.spec.backlog_factor
    people_psr = people.col("psr")
    psr_values = label_list("cld_primary_support_reason")
    ld_psr, mh_psr = psr_values.index("Learning disability support"), psr_values.index("Mental health support")
    parts: list[dict[str, np.ndarray]] = []
    for t, (team, kind) in enumerate(zip(geo.teams, geo.team_type, strict=True)):
        if kind not in TEAM_KINDS:
            continue
        if kind == "locality":
            loc = geo.localities.index(geo.team_locality[t])
            share = ctx.locality_share[loc]
        else:
            loc, share = -1, 1.0
        annual = REFERRALS_PER_YEAR[kind] * (ctx.scale_old if kind == "hospital" else ctx.scale) * share
        winter = 0.15 if kind == "hospital" else 0.10
        rate = ctx.daily_rate(annual, days, weekend=0.06 if kind != "hospital" else 0.35, bank=0.1, winter=winter)
        received = np.repeat(days, rng.poisson(rate))
        n = len(received)
        k = TEAM_KINDS.index(kind)
        prio = pick(rng, n, PRIORITY_MIX[kind])
        # who: an existing long-term support client (reassessment) or someone new
        reuse_share = {"locality": 0.15, "hospital": 0.12, "learning_disability": 0.25, "mental_health": 0.2}[kind]
        pool = lts_pool
        if kind == "locality":
            pool = lts_pool[people.locality(lts_pool) == loc]
        elif kind == "learning_disability":
            pool = lts_pool[people_psr[lts_pool] == ld_psr]
        elif kind == "mental_health":
            pool = lts_pool[people_psr[lts_pool] == mh_psr]
        person = np.full(n, -1, dtype=np.int64)
        want = rng.random(n) < reuse_share
        person[want] = ctx.reuse(rng, pool, received[want])
        new = person < 0
        age = people.sample_age(int(new.sum()), PROFILE_OF[kind])
        death = np.full(n, NEVER, dtype=np.int64)
        death[new] = people.death_after(received[new], age, MORTALITY_OF[kind])
        death[~new] = people.col("death")[person[~new]]
        # leaving the list without an assessment
        mean_stay = 30.0 if kind == "hospital" else 450.0
        dropout = cal.next_workday(received + np.floor(rng.exponential(mean_stay, n)).astype(np.int64))
        reason = pick(rng, n, (0.7, 0.1, 0.2)) + 1  # no longer required, moved away, declined
        early = rng.random(n) < 0.05
        dropout = np.where(early, cal.add_workdays(received, rng.integers(1, 10, n)), dropout)
        reason = np.where(early, 4, reason)
        leave = np.minimum(dropout, death)
        reason = np.where(death <= dropout, 5, reason)
        target = target_curve * WAITING_SHARE[kind] * (share if kind == "locality" else 1.0)
        planned = smoothed_rate(rate, is_wd)
        served = run_queue(rng, first, last, is_wd, received, PRIORITY_BONUS[prio], leave, target, planned,
                           ctx.staffing_factor(team, first, len(days)),
                           tau=20.0, leave_hazard=1.4 * (1.0 / mean_stay + 0.1 / 365.0))
        parts.append({"received": received, "team": np.full(n, t), "kind": np.full(n, k), "priority": prio,
                      "person": person, "new_age": _spread(age, new),
                      "death": death, "leave": leave, "reason": reason, "served": served, "loc": np.full(n, loc)})
    cols = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    return _finish(ctx, rng, cols)


def _spread(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.zeros(len(mask))
    out[mask] = values
    return out


def _finish(ctx: Context, rng: np.random.Generator, c: dict[str, np.ndarray]) -> Referrals:
    cal, people = ctx.cal, ctx.people
    order = np.lexsort((c["team"], c["received"]))
    c = {k: v[order] for k, v in c.items()}
    n = len(c["received"])
    kind = c["kind"]
    received, served, leave, death = c["received"], c["served"], c["leave"], c["death"]
    dur = np.zeros(n, dtype=np.int64)
    for k, name in enumerate(TEAM_KINDS):
        m = kind == k
        dur[m] = lognormal_days(rng, int(m.sum()), ASSESS_DAYS[name], 0.8, cap=150)
    done = np.where(served < NEVER, cal.next_workday(served + dur), NEVER)
    died_during = (done < NEVER) & (death <= done)
    done = np.where(died_during, NEVER, done)
    death_recorded = cal.next_workday(np.minimum(death + rng.integers(0, 5, n), NEVER))
    closed = np.where(done < NEVER, done, NEVER)
    closure = np.where(done < NEVER, 0, -1)
    unassessed = served >= NEVER
    by_leave = unassessed & (leave < NEVER)
    leave_close = np.where(c["reason"] == 5, death_recorded, leave)
    closed = np.where(by_leave, leave_close, closed)
    closure = np.where(by_leave, c["reason"], closure)
    closed = np.where(died_during, death_recorded, closed)
    closure = np.where(died_during, 5, closure)
    keep = (received >= ctx.start) | (closed >= ctx.start)
    keep &= received <= ctx.end
    # assessed shortly before the range: not in the extract, but their services start in it
    pipeline = ~keep & (done < NEVER) & (done >= ctx.start - 90)
    idx = np.flatnonzero(keep | pipeline)
    in_extract = keep[idx]
    c = {k: v[idx] for k, v in c.items()}
    done, closed, closure, served = done[idx], closed[idx], closure[idx], served[idx]
    n = len(idx)
    kind = c["kind"]
    received = c["received"]
    # create the new people now that we know who is in the extract
    person = c["person"].copy()
    new = person < 0
    for k, name in enumerate(TEAM_KINDS):
        m = np.flatnonzero(new & (kind == k))
        loc = c["loc"][m] if name == "locality" else None
        person[m] = people.add(received[m], PROFILE_OF[name], age=c["new_age"][m], death=c["death"][m],
                               locality=loc)
    first_contact = np.minimum(cal.add_workdays(received, rng.geometric(0.45, n) - 1), np.minimum(served, closed))
    discipline = np.zeros(n, dtype=np.int64)
    source = np.zeros(n, dtype=np.int64)
    assessment_type = np.full(n, -1, dtype=np.int64)
    outcome = np.full(n, -1, dtype=np.int64)
    setting = np.full(n, -1, dtype=np.int64)
    long_t, short_t = code(ASSESSMENT_TYPES, "Long term assessment"), code(ASSESSMENT_TYPES, "Short term assessment")
    ages = people.age_on(person, received)
    for k, name in enumerate(TEAM_KINDS):
        m = np.flatnonzero(kind == k)
        discipline[m] = pick(rng, len(m), DISCIPLINE_MIX[name])
        mix = SOURCE_MIX[name]
        source[m] = np.array([SOURCES.index(s) for s in mix])[pick(rng, len(m), mix)]
        short_share = {"locality": 0.08, "hospital": 0.75}.get(name, 0.0)
        assessment_type[m] = np.where(rng.random(len(m)) < short_share, short_t, long_t)
        mix = OUTCOME_MIX[name]
        outcome[m] = np.array([code(OUTCOMES, o) for o in mix])[pick(rng, len(m), mix)]
        res, nur = CARE_HOME_SHARE[name]
        old = ages[m] >= 85
        u = rng.random(len(m))
        res_p = np.where(old, res * 1.5, res)
        nur_p = np.where(old, nur * 1.6, nur)
        setting[m] = np.where(u < nur_p, 2, np.where(u < nur_p + res_p, 1, 0))
    existing = ~new
    mix = OUTCOME_MIX["existing"]
    outcome[existing] = np.array([code(OUTCOMES, o) for o in mix])[pick(rng, int(existing.sum()), mix)]
    assessment_type[existing] = long_t
    setting = np.where(outcome == code(OUTCOMES, LTS), setting, -1)
    setting[existing] = -1
    # short-term assessments lead to reablement or home; long-term ones not to reablement in hospital
    outcome = np.where((assessment_type == long_t) & (kind == 1) & (outcome == code(OUTCOMES, REABLE)),
                       code(OUTCOMES, LTS), outcome)
    outcome = np.where(done < NEVER, outcome, -1)
    assessment_type = np.where(served < NEVER, assessment_type, -1)
    blank_prio = _not_yet_prioritised(ctx, received, served, closed)
    priority = np.where(blank_prio, -1, c["priority"])
    return Referrals(
        num=np.arange(n) + 1 + int(rng.integers(10_000, 90_000)), person=person, received=received,
        team=c["team"], kind=kind, priority=priority, discipline=discipline, source=source,
        first_contact=first_contact, assess_start=served, assess_done=done, closed=closed, closure=closure,
        existing=existing, assessment_type=assessment_type, outcome=outcome, setting=setting, in_extract=in_extract)


def _not_yet_prioritised(ctx: Context, received: np.ndarray, served: np.ndarray, closed: np.ndarray) -> np.ndarray:
    """The newest ~5% of the waiting list at the extract date have not been prioritised yet."""
    waiting = np.flatnonzero((served > ctx.end) & (closed > ctx.end))
    out = np.zeros(len(received), dtype=bool)
    if len(waiting) == 0:
        return out
    k = max(1, round(0.05 * len(waiting)))
    newest = waiting[np.argsort(-received[waiting], kind="stable")[:k]]
    out[newest] = True
    return out


def referral_events(ctx: Context, r: Referrals) -> list[Events]:
    """CLD Request and Assessment events for the referrals."""
    rng = ctx.rng("referral-events")
    people = ctx.people
    n = len(r.num)
    req_end = np.minimum(ctx.cal.next_workday(r.received) + rng.integers(0, 2, n), r.first_contact)
    req_end = np.maximum(req_end, r.received)
    ages = people.age_on(r.person, r.received)
    route = np.where(r.kind == 1, 1, 0)
    route = np.where((r.kind == 2) & (ages < 25), 3, route)
    u = rng.random(n)
    route = np.where((r.kind == 0) & (u < 0.05), 2, np.where((r.kind == 0) & (u > 0.97), 4, route))
    request = Events.make(r.person, "Request", r.received, req_end, ref_kind=0, ref_num=r.num,
                          outcome=code(OUTCOMES, "Progress to assessment, review or reassessment"),
                          route=route, description=0)
    done = np.flatnonzero(r.assess_done < NEVER)
    out = r.outcome[done]
    positive = np.isin(out, [code(OUTCOMES, LTS), code(OUTCOMES, "Continuation of support or services")])
    nfa = np.array([OUTCOMES[o].startswith("NFA") for o in out], dtype=bool) if len(out) else np.zeros(0, bool)
    eligible = np.where(positive, 1, np.where(nfa, 0, -1))
    method = pick(rng, len(done), (0.7, 0.2, 0.05, 0.05))
    assessment = Events.make(r.person[done], "Assessment", r.assess_start[done], r.assess_done[done],
                             ref_kind=2, ref_num=r.num[done], outcome=out, assessment_type=r.assessment_type[done],
                             eligible=eligible, method=method, description=1)
    return [request, assessment]

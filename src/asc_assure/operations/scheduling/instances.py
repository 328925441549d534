"""Random scheduling problems: for the property tests and the benchmark, not for real plans.

A made-up service with locality teams (one locality each) and a central team covering every
locality, a waiting list with a long tail of old low-priority referrals (as real waiting lists
have), part-time workers and booked leave. The same seed gives the same instance.
"""

from __future__ import annotations

import datetime as dt
import random

from .model import Instance, Person, Worker, plan_days, waits_at
from .settings import Settings

#: High-priority referrals are new (they are triaged and seen fast); low-priority ones gather a long tail.
AGE_FACTOR = {"high": 0.15, "medium": 0.8, "low": 1.6}


def random_instance(seed: int, people: int, staff: int, days: int, settings: Settings,
                    localities: int = 4, start: dt.date = dt.date(2025, 4, 1), slots_per_person: float = 1.3,
                    mean_age: float = 35.0, max_age: int = 250) -> Instance:
    """A problem with about ``slots_per_person`` assessment visits in the horizon for each person waiting.

    Workers make assessment visits on some of their working days only (the rest goes on reviews,
    write-ups and duty), which is what makes capacity tight. Referral ages (calendar days waited at
    the start) are exponential with ``mean_age``, capped at ``max_age``.
    """
    rng = random.Random(seed)
    locs = [f"Locality {chr(65 + i)}" for i in range(localities)]
    teams = [f"{loc} Team" for loc in locs] + ["Central Team"]
    horizon = plan_days(start, days)
    workers = []
    # share of working days spent on assessment visits, by discipline, so supply meets demand x slots_per_person
    demand = {"social_worker": 0.72, "occupational_therapist": 0.38}
    staff_share = {"social_worker": 0.7, "occupational_therapist": 0.3}
    per_day_mean = {"social_worker": 4 / 3, "occupational_therapist": 2.0}
    visit_share = {d: min(1.0, slots_per_person * people * demand[d]
                          / max(1.0, staff * staff_share[d] * days * 0.85 * per_day_mean[d])) for d in demand}
    for i in range(staff):
        team = teams[i % len(teams)] if i >= len(teams) else teams[i]
        discipline = "occupational_therapist" if rng.random() < 0.3 else "social_worker"
        if team == "Central Team":
            base = rng.choice(locs)
            mine = (base, *[x for x in locs if x != base])
        else:
            mine = (locs[teams.index(team)],)
        per_day = rng.choice((1, 1, 2)) if discipline == "social_worker" else 2
        pattern = set(range(5)) if rng.random() < 0.75 else set(rng.sample(range(5), rng.choice((3, 4))))
        leave_from = rng.randrange(days) if rng.random() < 0.4 else None
        leave_len = rng.randint(1, 10)
        cap = []
        for t, day in enumerate(horizon):
            on_leave = leave_from is not None and leave_from <= t < leave_from + leave_len
            visits = rng.random() < visit_share[discipline]
            cap.append(0 if on_leave or day.weekday() not in pattern or not visits else per_day)
        workers.append(Worker(f"W-{i:04d}", discipline, team, mine, tuple(cap)))
    received_dates = []
    rows = []
    for i in range(people):
        priority = rng.choices(("high", "medium", "low"), weights=(0.12, 0.43, 0.45))[0]
        age = int(min(max_age, rng.expovariate(1 / (mean_age * AGE_FACTOR[priority]))))
        received = start - dt.timedelta(days=age)
        need = rng.choices(("social_worker", "occupational_therapist", "both"), weights=(0.62, 0.28, 0.10))[0]
        team = rng.choice(teams)
        locality = locs[teams.index(team)] if team != "Central Team" else rng.choice(locs)
        rows.append((f"C-{i:06d}", f"P-{i:06d}", priority, need, team, locality, received))
        received_dates.append(received)
    waits = waits_at(received_dates, horizon[0])
    persons = tuple(Person(k, p, pr, need, team, loc, rec, waits[rec])
                    for k, p, pr, need, team, loc, rec in rows)
    return Instance(horizon, persons, tuple(workers), settings)

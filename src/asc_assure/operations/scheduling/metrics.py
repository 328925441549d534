"""Plan metrics a manager compares: mean, 95th percentile and longest wait, breaches, not scheduled.

Waits are working days from referral to appointment. People the plan could not schedule are counted
separately and, for the wait figures, taken as waiting to the day after the horizon (the least they
will wait), so that leaving someone out never makes a plan look better.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from .model import Instance, Plan
from .settings import PRIORITIES


def waits(inst: Instance, plan: Plan) -> dict[str, int]:
    """Wait per referral key: at the appointment, or at least to the end of the horizon if unscheduled."""
    out = {}
    for p in inst.people:
        a = plan.appointments.get(p.key)
        out[p.key] = p.base_wait + (a.day if a is not None else inst.horizon)
    return out


def is_breach(inst: Instance, plan: Plan, key: str, wait: int, target: int) -> bool:
    """Seen after target; or not seen and the target day falls within (or before) the horizon."""
    if key in plan.appointments:
        return wait > target
    return wait - 1 >= target  # the person was still unseen on the horizon's last day


def percentile(values: list[int], pct: float) -> int | None:
    """Nearest-rank percentile (the value at least pct% of people are at or below)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def summarise(inst: Instance, plan: Plan) -> dict[str, Any]:
    w = waits(inst, plan)
    values = list(w.values())
    breaches: Counter[str] = Counter()
    for p in inst.people:
        if is_breach(inst, plan, p.key, w[p.key], inst.target(p)):
            breaches[p.priority] += 1
    reasons = Counter(plan.unscheduled.values())
    return {
        "method": plan.method,
        "people": len(inst.people),
        "scheduled": len(plan.appointments),
        "unscheduled": len(plan.unscheduled),
        "unscheduled_reasons": dict(sorted(reasons.items())),
        "mean_wait": round(sum(values) / len(values), 2) if values else None,
        "p95_wait": percentile(values, 95),
        "max_wait": max(values, default=None),
        "breaches": sum(breaches.values()),
        "breaches_by_priority": {p: breaches.get(p, 0) for p in PRIORITIES},
        "travel_visits": _travel(inst, plan),
    }


def _travel(inst: Instance, plan: Plan) -> int:
    bases = {w.key: w.base for w in inst.workers}
    people = {p.key: p for p in inst.people}
    return sum(1 for key, a in plan.appointments.items() for wk in a.workers
               if people[key].locality is not None and people[key].locality != bases[wk])

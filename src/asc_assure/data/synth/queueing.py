"""A day-by-day waiting-list simulation: FIFO within priority, capacity that follows staffing.

Each team's queue is worked every working day. Capacity is what managers plan (expected arrivals
plus a correction towards the backlog they are aiming for, as a weekly "Meaningful Measures"
meeting does, with a slow integral term so a lasting bias is worked off) multiplied by how much of
the team is actually at work that day (vacancies, agency cover, August and Christmas leave), with
Poisson noise. Waiting items are taken in order of
priority bonus plus days waited, so high priority goes first, medium has a head start over low,
and within a priority the queue is first in, first out. Items can leave the queue unserved on their
``leave`` day (no longer required, deceased, moved away).

The loop is per day, not per item: each day's work is a few numpy operations on the current
waiting list (hundreds to a few thousand items).
"""

from __future__ import annotations

import numpy as np

from .workdays import NEVER


def run_queue(rng: np.random.Generator, first: int, last: int, is_workday: np.ndarray, arrival: np.ndarray,
              bonus: np.ndarray, leave: np.ndarray, target: np.ndarray, planned_rate: np.ndarray,
              staff: np.ndarray, tau: float = 30.0, leave_hazard: float = 0.0) -> np.ndarray:
    """Day each item is taken off the waiting list (``NEVER`` if still waiting on ``last``).

    ``is_workday``, ``target``, ``planned_rate`` (expected arrivals per working day) and ``staff``
    (fraction of capacity at work) are indexed by ``day - first``. ``leave_hazard`` is the expected
    share of the list leaving unserved per working day, which managers allow for when planning. An
    item that leaves on the same day it would be served counts as leaving.
    """
    n = len(arrival)
    served = np.full(n, NEVER, dtype=np.int64)
    if n == 0:
        return served
    order = np.lexsort((np.arange(n), arrival))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    arrived_by = np.searchsorted(arrival[order], np.arange(first, last + 1), side="right")
    bonus = np.asarray(bonus, dtype=np.int64)
    waiting = np.zeros(0, dtype=np.int64)
    ptr = 0
    integral = 0.0  # slow correction for persistent bias (staffing trend, unplanned leavers)
    for i in range(last - first + 1):
        day = first + i
        hi = arrived_by[i]
        if hi > ptr:
            waiting = np.concatenate((waiting, order[ptr:hi]))
            ptr = hi
        if waiting.size:
            waiting = waiting[leave[waiting] > day]
        if not is_workday[i] or waiting.size == 0:
            continue
        q = waiting.size
        error = (q - target[i]) / tau
        integral = float(np.clip(integral + error / 15.0, -0.5 * planned_rate[i], 0.5 * planned_rate[i]))
        # teams never stop assessing altogether, even while a backlog is allowed to build
        cap = max(0.5 * planned_rate[i], planned_rate[i] - q * leave_hazard + error + integral) * staff[i]
        c = int(rng.poisson(cap))
        if c <= 0:
            continue
        if c >= q:
            served[waiting] = day
            waiting = waiting[:0]
            continue
        key = (bonus[waiting] + (day - arrival[waiting])) * (n + 1) + (n - rank[waiting])
        top = np.argpartition(-key, c - 1)[:c]
        served[waiting[top]] = day
        keep = np.ones(q, dtype=bool)
        keep[top] = False
        waiting = waiting[keep]
    return served


def smoothed_rate(daily_rate: np.ndarray, is_workday: np.ndarray) -> np.ndarray:
    """Expected arrivals per working day: a centred four-week average of the daily rate x 7/5."""
    kernel = np.ones(28) / 28.0
    padded = np.concatenate((np.full(14, daily_rate[0]), daily_rate, np.full(13, daily_rate[-1])))
    weekly = np.convolve(padded, kernel, mode="valid")[: len(daily_rate)]
    share = max(is_workday.mean(), 0.5)
    return weekly / share

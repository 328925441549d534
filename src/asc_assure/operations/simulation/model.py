"""The discrete-event model (SimPy): referral -> prioritisation -> waiting -> assessment -> completed.

Each referral is a SimPy process. It arrives, is triaged and given a priority after its first-contact
delay, then waits in the team's queue until either a worker starts its assessment or the person drops
out (no longer needs one, moves away, dies) at a time drawn from the calibrated drop-out hazard. An
assessment takes a duration drawn from the council's own durations. A daily allocation process starts
as many assessments on each working day as that day's capacity allows (calibrated starts per FTE x
the FTE then in post, with Poisson noise, plus any backlog push), taking waiting referrals in the
order the scenario's prioritisation rule gives. A weekly monitor records the list.

Replications use independent random streams spawned from one seed, so a run is reproducible, and
within a replication arrivals, capacity and each person's own draws come from separate streams, so
two scenarios run with the same seed differ mainly by what the scenario changed.

People are conserved by construction and checked every week: everyone on the starting list plus
every arrival is either waiting, has started an assessment ("served") or has left without one.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from asc_assure.domain.working_days import is_working_day
from asc_assure.operations.simulation.calibrate import DROPOUT_BANDS, PRIORITIES, Calibration
from asc_assure.operations.simulation.scenarios import Scenario, ScenarioError

ALLOCATE_AT = 0.6  # the daily allocation runs part-way through the day, after the morning's referrals


@dataclass(frozen=True)
class Plan:
    """The scenario turned into expected arrivals and capacity for every day of the horizon."""

    start: dt.date  # day 0 of the simulation (the day after the calibration date)
    weeks: int
    arrivals: np.ndarray  # (days, 3): expected referrals per day by priority (high, medium, low)
    capacity: np.ndarray  # (days,): expected assessment starts per day (0 on weekends and bank holidays)
    fte: np.ndarray | None  # (days,): assessing FTE in post, when the store gives FTE

    @property
    def days(self) -> int:
        return 7 * self.weeks


def _active(start: dt.date | None, day: dt.date) -> bool:
    return start is None or day >= start


def build_plan(cal: Calibration, scenario: Scenario, weeks: int) -> Plan:
    """Expected arrivals and capacity per day; raises ScenarioError where the scenario cannot apply."""
    first = cal.as_of + dt.timedelta(days=1)
    days = [first + dt.timedelta(days=i) for i in range(7 * weeks)]
    trend = (cal.annual_trend_pct if scenario.annual_trend_pct is None else scenario.annual_trend_pct) / 100
    share = np.array([cal.priority_share[p] for p in PRIORITIES])
    arrivals = np.zeros((len(days), 3))
    for i, d in enumerate(days):
        woy = min((d.timetuple().tm_yday - 1) // 7, 52)
        level = cal.weekly_arrivals * cal.season[woy] * cal.weekday_share[d.weekday()]
        level *= (1 + trend) ** ((d - cal.as_of).days / 365.25)
        if scenario.demand_growth_pct and _active(scenario.demand_from, d):
            level *= 1 + scenario.demand_growth_pct / 100
        arrivals[i] = level * share
    fte = _fte_by_day(cal, scenario, days)
    capacity = np.zeros(len(days))
    for i, d in enumerate(days):
        if not is_working_day(d):
            continue
        if fte is not None and cal.starts_per_fte_day is not None:
            base = cal.starts_per_fte_day * fte[i]
        else:
            pct = sum(s.change_pct for s in scenario.staff if _active(s.start, d))
            base = cal.starts_per_working_day * max(0.0, 1 + pct / 100)
        for p in scenario.pushes:
            begin = p.start or first
            if begin <= d < begin + dt.timedelta(weeks=p.weeks):
                base = base * (1 + p.extra_pct / 100) + p.extra_per_week / 5
        capacity[i] = base
    return Plan(start=first, weeks=weeks, arrivals=arrivals, capacity=capacity, fte=fte)


def _fte_by_day(cal: Calibration, scenario: Scenario, days: list[dt.date]) -> np.ndarray | None:
    if cal.fte is None:
        for i, s in enumerate(scenario.staff):
            if s.change_fte:
                raise ScenarioError(f"staff[{i}].change_fte needs the assessing FTE, but the store has no workforce "
                                    "or staff roster extract: use change_pct instead")
        return None
    out = np.empty(len(days))
    for i, d in enumerate(days):
        active = [s for s in scenario.staff if _active(s.start, d)]
        value = cal.fte * (1 + sum(s.change_pct for s in active) / 100) + sum(s.change_fte for s in active)
        if value < 0:
            raise ScenarioError(f"The staff changes take assessing FTE below zero on {d:%d/%m/%Y} "
                                f"({value:.1f} from {cal.fte:g} now)")
        out[i] = value
    return out


def _patience(rng: np.random.Generator, hazard: list[float], waited: float) -> float:
    """Further days until this person drops out, from the piecewise-constant hazard (inf: never)."""
    need = rng.exponential()
    edges = [*DROPOUT_BANDS, math.inf]
    t = waited
    for lo, hi, h in zip(edges[:-1], edges[1:], hazard, strict=True):
        if t >= hi:
            continue
        span = hi - max(t, lo)
        if h > 0 and need <= h * span:
            return max(t, lo) + need / h - waited
        need -= h * span
        t = hi
    return math.inf


@dataclass(eq=False)
class _Person:
    received: float  # simulation day (negative for those already waiting at the start)
    priority: int
    started: Any = None
    gone: bool = False


@dataclass
class Replication:
    """Weekly counts for one replication; index 0 is the start (week 0)."""

    waiting: list[int] = field(default_factory=list)
    arrivals: list[int] = field(default_factory=list)  # cumulative
    served: list[int] = field(default_factory=list)  # cumulative assessments started
    left: list[int] = field(default_factory=list)  # cumulative drop-outs without assessment
    completed: list[int] = field(default_factory=list)  # cumulative assessments completed
    longest_wait: list[float] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)  # days waited by each person whose assessment started
    initial: int = 0

    def conserved(self) -> bool:
        return all(self.initial + a == s + w + x for a, s, w, x in
                   zip(self.arrivals, self.served, self.waiting, self.left, strict=True))


class _Run:
    """One replication: the SimPy environment and its processes."""

    def __init__(self, cal: Calibration, scenario: Scenario, plan: Plan, seed: np.random.SeedSequence):
        arrivals, capacity, people, start_list = (np.random.default_rng(s) for s in seed.spawn(4))
        self.cal, self.plan, self.scenario = cal, plan, scenario
        self.env = simpy.Environment()
        self.rng_arrivals, self.rng_capacity, self.rng_people = arrivals, capacity, people
        self.rng_start = start_list
        self.queue: list[tuple[tuple[float, ...], int, _Person]] = []
        self.waiting: set[int] = set()
        self.seq = 0
        self.received_by_id: dict[int, float] = {}
        self.arrived = self.served = self.left = self.completed = 0
        self.out = Replication()
        self.share = np.array([cal.priority_share[p] for p in PRIORITIES])
        self.head = [float(scenario.head_start_days[p]) for p in PRIORITIES]
        self.durations = np.array(cal.duration_days or [0])
        self.contact = np.array(cal.first_contact_days or [0])

    def key(self, person: _Person) -> tuple[float, ...]:
        rule = self.scenario.rule
        if rule == "strict_priority":
            return (person.priority, person.received)
        if rule == "head_start":
            return (person.received - self.head[person.priority],)
        return (person.received,)

    def join(self, received: float, priority: int, delay: float, waited: float) -> None:
        """Put someone on the list now (counted at once) and start their process."""
        ident = self.seq
        self.seq += 1
        self.waiting.add(ident)
        self.received_by_id[ident] = received
        self.env.process(self.person(ident, received, priority, delay, waited))

    def person(self, ident: int, received: float, priority: int, delay: float, waited: float) -> Any:
        """A referral's life: triage, wait (or drop out), assessment."""
        env = self.env
        p = _Person(received=received, priority=priority)
        patience = _patience(self.rng_people, self.cal.dropout_hazard, waited)
        duration = float(self.rng_people.choice(self.durations))
        if delay > 0:
            if patience <= delay:
                yield env.timeout(patience)
                self._leave(ident)
                return
            yield env.timeout(delay)
            patience -= delay
        p.started = env.event()
        heapq.heappush(self.queue, (self.key(p), ident, p))
        if math.isinf(patience):
            yield p.started
        else:
            yield p.started | env.timeout(patience)
            if not p.started.triggered:
                p.gone = True
                self._leave(ident)
                return
        yield env.timeout(duration)
        self.completed += 1

    def _leave(self, ident: int) -> None:
        self.waiting.discard(ident)
        self.left += 1

    def source(self) -> Any:
        """New referrals each day, by priority, at random times in the day."""
        env = self.env
        for day in range(self.plan.days):
            counts = self.rng_arrivals.poisson(self.plan.arrivals[day])
            times = []
            for pr, n in enumerate(counts):
                times.extend((day + float(u), pr) for u in self.rng_arrivals.random(int(n)))
            for at, pr in sorted(times):
                if at > env.now:
                    yield env.timeout(at - env.now)
                self.arrived += 1
                self.join(at, pr, float(self.rng_people.choice(self.contact)), 0.0)
            if day + 1 > env.now:
                yield env.timeout(day + 1 - env.now)

    def allocate(self) -> Any:
        """Each working day, start as many assessments as the day's capacity allows, in rule order."""
        env = self.env
        draws = self.rng_capacity.poisson(self.plan.capacity)
        for day in range(self.plan.days):
            yield env.timeout(day + ALLOCATE_AT - env.now)
            c = int(draws[day])
            while c > 0 and self.queue:
                _, ident, p = heapq.heappop(self.queue)
                if p.gone or p.started.triggered:
                    continue
                p.started.succeed()
                self.waiting.discard(ident)
                self.served += 1
                self.out.waits.append(env.now - p.received)
                c -= 1

    def monitor(self) -> Any:
        env = self.env
        people: dict[int, float] = self.received_by_id
        for _ in range(self.plan.weeks + 1):
            o = self.out
            o.waiting.append(len(self.waiting))
            o.arrivals.append(self.arrived)
            o.served.append(self.served)
            o.left.append(self.left)
            o.completed.append(self.completed)
            o.longest_wait.append(max((env.now - people[i] for i in self.waiting), default=0.0))
            yield env.timeout(7)

    def run(self) -> Replication:
        cal = self.cal
        # Those already waiting: they have been triaged (or are given a priority now, by the mix seen).
        for received, prio in zip(cal.start_received, cal.start_priority, strict=True):
            waited = float((cal.as_of - received).days) + 0.5  # received part-way through its day
            pr = PRIORITIES.index(prio) if prio else int(self.rng_start.choice(3, p=self.share))
            self.join(-waited, pr, 0.0, waited)
        self.out.initial = len(cal.start_received)
        self.env.process(self.source())
        self.env.process(self.allocate())
        self.env.process(self.monitor())
        self.env.run(until=self.plan.days + 1e-9)
        return self.out


def simulate(cal: Calibration, scenario: Scenario, weeks: int = 52, replications: int = 20, seed: int = 1,
             time_limit_s: float | None = None) -> tuple[Plan, list[Replication], bool]:
    """Run the replications; returns the plan, the replications and whether the time limit cut it short.

    At least two replications always run (a band needs more than one); the time limit is checked
    between replications.
    """
    if not 1 <= weeks <= 156:
        raise ScenarioError(f"weeks must be between 1 and 156 (not {weeks})")
    if not 1 <= replications <= 500:
        raise ScenarioError(f"replications must be between 1 and 500 (not {replications})")
    plan = build_plan(cal, scenario, weeks)
    seeds = np.random.SeedSequence(seed).spawn(replications)
    began, reps, cut = time.monotonic(), [], False
    for s in seeds:
        reps.append(_Run(cal, scenario, plan, s).run())
        if time_limit_s is not None and len(reps) >= 2 and time.monotonic() - began > time_limit_s:
            cut = len(reps) < replications
            break
    return plan, reps, cut

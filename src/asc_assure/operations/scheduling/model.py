"""What a scheduling problem and a plan are: people waiting, workers with daily capacity, planned days.

Waits are counted with ``asc_assure.domain.working_days`` (the one working-day rule): a person's wait
at an appointment is the working days from the day their referral was received to the appointment
day. Because the plan's days are consecutive working days, the wait on plan day ``t`` is the wait at
the first plan day plus ``t``; ``Person.base_wait`` holds that first-day wait.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import product

from asc_assure.domain.working_days import next_working_day, working_days_between

from .settings import DISCIPLINES, PRIORITIES, Settings

PRIORITY_RANK = {p: i for i, p in enumerate(PRIORITIES)}


@dataclass(frozen=True)
class Person:
    """One referral on the waiting list (keys are pseudonyms, never the council's references)."""

    key: str
    person: str
    priority: str
    need: str  # social_worker, occupational_therapist or both (a joint visit on one day)
    team: str
    locality: str | None
    received: dt.date
    base_wait: int  # working days waited by the first plan day

    @property
    def disciplines(self) -> tuple[str, ...]:
        return DISCIPLINES if self.need == "both" else (self.need,)


@dataclass(frozen=True)
class Worker:
    """One assessing worker; ``capacity[t]`` is 0 on days they do not work, are on leave or have left."""

    key: str
    discipline: str
    team: str
    localities: tuple[str, ...]
    capacity: tuple[int, ...]

    @property
    def base(self) -> str | None:
        return self.localities[0] if self.localities else None


@dataclass(frozen=True)
class Instance:
    days: tuple[dt.date, ...]
    people: tuple[Person, ...]
    workers: tuple[Worker, ...]
    settings: Settings

    @property
    def horizon(self) -> int:
        return len(self.days)

    def target(self, person: Person) -> int:
        return self.settings.targets[person.priority]

    def due_index(self, person: Person) -> int:
        """Last plan day on which the person is still within target (negative: already late)."""
        return self.target(person) - person.base_wait


@dataclass(frozen=True)
class Appointment:
    day: int  # index into Instance.days
    workers: tuple[str, ...]  # one per discipline needed


@dataclass
class Plan:
    """Appointments by referral key, and the people who could not be given one, with the reason."""

    method: str
    appointments: dict[str, Appointment] = field(default_factory=dict)
    unscheduled: dict[str, str] = field(default_factory=dict)
    solver: dict[str, object] = field(default_factory=dict)


NO_WORKER = "no worker with the discipline needed covers this team and locality"
NO_CAPACITY = "no appointment free in the planning horizon"


def plan_days(start: dt.date, n: int) -> tuple[dt.date, ...]:
    """``n`` consecutive working days from ``start`` (or the next working day after it)."""
    days: list[dt.date] = []
    day = next_working_day(start)
    while len(days) < n:
        days.append(day)
        day = next_working_day(day + dt.timedelta(days=1))
    return tuple(days)


def waits_at(received: Iterable[dt.date], first_day: dt.date) -> dict[dt.date, int]:
    """Working days waited by ``first_day`` for each distinct received date (computed once per date)."""
    return {d: working_days_between(d, first_day) for d in set(received)}


def serves(worker: Worker, person: Person, discipline: str, same_team_only: bool) -> bool:
    """May this worker see this person for this discipline (skills, team, locality)?"""
    if worker.discipline != discipline:
        return False
    if same_team_only and worker.team != person.team:
        return False
    return person.locality is None or person.locality in worker.localities


def travel(worker: Worker, person: Person) -> int:
    """1 for a visit outside the worker's base locality, else 0."""
    return int(person.locality is not None and person.locality != worker.base)


@dataclass(frozen=True)
class Group:
    """Workers who are interchangeable for scheduling: same discipline, team and localities."""

    discipline: str
    team: str
    localities: tuple[str, ...]
    members: tuple[int, ...]  # indexes into Instance.workers

    def capacity(self, inst: Instance, day: int) -> int:
        return sum(inst.workers[w].capacity[day] for w in self.members)


def groups_of(inst: Instance) -> list[Group]:
    by_key: dict[tuple[str, str, tuple[str, ...]], list[int]] = {}
    for i, w in enumerate(inst.workers):
        by_key.setdefault((w.discipline, w.team, w.localities), []).append(i)
    return [Group(d, t, locs, tuple(m)) for (d, t, locs), m in sorted(by_key.items())]


def options_for(inst: Instance, groups: list[Group], person: Person) -> list[tuple[tuple[int, ...], int]]:
    """Ways to staff the person's visit: (group per discipline, travel), cheapest travel first."""
    per_discipline = []
    for disc in person.disciplines:
        fits = [g for g, grp in enumerate(groups)
                if serves(inst.workers[grp.members[0]], person, disc, inst.settings.same_team_only)]
        per_discipline.append(fits)
    out = []
    for combo in product(*per_discipline):
        cost = sum(travel(inst.workers[groups[g].members[0]], person) for g in combo)
        out.append((tuple(combo), cost))
    out.sort(key=lambda o: (o[1], o[0]))
    return out


def priority_order(people: Iterable[Person]) -> list[Person]:
    """First in, first out within priority: the order the greedy baseline (and urgent placing) uses."""
    return sorted(people, key=lambda p: (PRIORITY_RANK[p.priority], p.received, p.key))


class Slots:
    """Capacity left per worker and day (and per group, kept in step) while a plan is being filled in."""

    def __init__(self, inst: Instance, groups: list[Group]) -> None:
        self.left = [list(w.capacity) for w in inst.workers]
        self.groups = groups
        self.by_group = [[g.capacity(inst, d) for d in range(inst.horizon)] for g in groups]

    def group_left(self, group: int, day: int) -> int:
        return self.by_group[group][day]

    def take(self, inst: Instance, group: int, day: int) -> str:
        """Book one visit with the group's worker who has most left that day (ties: first listed)."""
        members = self.groups[group].members
        best = max(members, key=lambda w: (self.left[w][day], -w))
        if self.left[best][day] <= 0:
            raise ValueError("no capacity left in this group on this day")
        self.left[best][day] -= 1
        self.by_group[group][day] -= 1
        return inst.workers[best].key

"""The baseline: first in, first out within priority, each person at the earliest free appointment.

This is what a duty desk does by hand, and it is what the optimiser must beat. It also places the
high-priority people for the optimiser, so urgent people are always placed first, in referral order.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import NO_CAPACITY, NO_WORKER, Appointment, Instance, Person, Plan, Slots, groups_of, options_for
from .model import priority_order as fifo_within_priority


def place(inst: Instance, people: Iterable[Person], slots: Slots, plan: Plan) -> None:
    """Give each person, in the order given, the earliest day any way of staffing them has room."""
    groups = slots.groups
    for person in people:
        options = options_for(inst, groups, person)
        if not options:
            plan.unscheduled[person.key] = NO_WORKER
            continue
        booked = False
        for day in range(inst.horizon):
            for combo, _cost in options:
                if all(slots.group_left(g, day) > 0 for g in combo):
                    keys = tuple(slots.take(inst, g, day) for g in combo)
                    plan.appointments[person.key] = Appointment(day, keys)
                    booked = True
                    break
            if booked:
                break
        if not booked:
            plan.unscheduled[person.key] = NO_CAPACITY


def greedy_plan(inst: Instance) -> Plan:
    plan = Plan(method="greedy")
    place(inst, fifo_within_priority(inst.people), Slots(inst, groups_of(inst)), plan)
    return plan

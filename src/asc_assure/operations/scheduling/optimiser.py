"""The optimiser: a mixed-integer model over person x day x worker pool, solved by OR-Tools (HiGHS).

Why this shape (a naive person x day x worker model of 1,500 x 60 x 80 has 7.2 million booleans):

1. High-priority people are placed first, first in first out, each at their earliest possible
   appointment (the baseline's rule). Urgent people are never delayed to make room for anyone else.
2. Workers who are interchangeable (same discipline, team and localities) form a pool with one daily
   capacity. Each remaining person gets a yes/no variable for each day and each way of staffing the
   visit from the pools that may see them (usually one; two pools for a joint visit), plus one for
   "not in this plan": about people x days x 1.3 variables, 80,000 at benchmark size.
3. The objective is priority-weighted waiting plus a weight on the longest wait, then travel. Breaches
   (seen after the target, or not seen when the target falls inside the horizon) are kept either to
   the fewest possible (first solve, then the objective with breaches held there) or to no more than
   the baseline's, as the settings say.
4. Each chosen (pool, day) becomes a worker: the pool's worker with most capacity left that day.

Everything in the model is linear without big-M terms (lateness is a sum of the late days' variables,
the longest wait is at least each person's wait), so the LP relaxation is tight and the solver proves
optimality or reports a small gap. HiGHS is deterministic for a seed; the time limit only matters if
it is reached, and the result then falls back to the best plan found (or the baseline, if none).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp

from .greedy import greedy_plan, place
from .model import (
    NO_CAPACITY,
    NO_WORKER,
    Appointment,
    Group,
    Instance,
    Person,
    Plan,
    Slots,
    groups_of,
    options_for,
    priority_order,
)

STATUS = {pywraplp.Solver.OPTIMAL: "optimal", pywraplp.Solver.FEASIBLE: "feasible",
          pywraplp.Solver.INFEASIBLE: "infeasible", pywraplp.Solver.UNBOUNDED: "unbounded",
          pywraplp.Solver.ABNORMAL: "abnormal", pywraplp.Solver.NOT_SOLVED: "not solved"}


@dataclass
class _Row:
    person: Person
    options: list[tuple[tuple[int, ...], int]]
    x: dict[tuple[int, int], pywraplp.Variable] = field(default_factory=dict)  # (option, day) -> var
    out: pywraplp.Variable | None = None  # not in this plan
    late: list[pywraplp.Variable] = field(default_factory=list)


class _Model:
    def __init__(self, inst: Instance, groups: list[Group], people: list[Person], slots: Slots,
                 plan: Plan) -> None:
        self.inst = inst
        s = self.solver = pywraplp.Solver.CreateSolver("HIGHS")
        if s is None:  # pragma: no cover - OR-Tools is built with HiGHS
            raise RuntimeError("OR-Tools was built without the HiGHS solver")
        T = inst.horizon
        self.rows: list[_Row] = []
        use: dict[tuple[int, int], list[pywraplp.Variable]] = {}
        for p in people:
            options = options_for(inst, groups, p)
            if not options:
                plan.unscheduled[p.key] = NO_WORKER
                continue
            row = _Row(p, options)
            due = inst.due_index(p)
            for o, (combo, _cost) in enumerate(options):
                for t in range(T):
                    if all(slots.group_left(g, t) > 0 for g in combo):
                        v = s.BoolVar(f"x{len(self.rows)}_{o}_{t}")
                        row.x[o, t] = v
                        for g in combo:
                            use.setdefault((g, t), []).append(v)
                        if 0 <= due < t:
                            row.late.append(v)
            row.out = s.BoolVar(f"out{len(self.rows)}")
            if 0 <= due < T:
                row.late.append(row.out)
            s.Add(sum(row.x.values()) + row.out == 1)
            self.rows.append(row)
        for (g, t), vs in use.items():
            s.Add(sum(vs) <= slots.group_left(g, t))
        self.breach_cost = sum(inst.settings.breach_weight[r.person.priority] * sum(r.late)
                               for r in self.rows if r.late)
        self.breaches = sum(sum(r.late) for r in self.rows if r.late)
        lo = max((r.person.base_wait for r in self.rows), default=0)
        self.W = s.IntVar(lo, lo + T, "longest_wait")
        waiting, travel = [], []
        for r in self.rows:
            days = sum(t * v for (_o, t), v in r.x.items()) + T * r.out
            waiting.append(inst.settings.wait_weight[r.person.priority] * days)
            if r.person.base_wait + T > lo:
                s.Add(r.person.base_wait + days <= self.W)
            travel += [r.options[o][1] * v for (o, _t), v in r.x.items() if r.options[o][1]]
        st = inst.settings
        self.objective = (sum(waiting) + st.longest_wait_weight * self.W + st.travel_weight * sum(travel))
        self.seen = len(self.rows) - sum(r.out for r in self.rows)
        self.size = sum(len(r.x) + 1 for r in self.rows)

    def solve(self, seconds: float) -> tuple[str, float | None, float | None]:
        s = self.solver
        s.SetTimeLimit(max(1, int(seconds * 1000)))
        s.SetNumThreads(self.inst.settings.workers)
        s.SetSolverSpecificParametersAsString(f"random_seed={self.inst.settings.seed}\noutput_flag=false\n")
        status = s.Solve()
        if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return STATUS.get(status, str(status)), None, None
        return STATUS[status], s.Objective().Value(), s.Objective().BestBound()

    def choices(self) -> dict[str, tuple[int, int]]:
        """Referral key -> (option, day) chosen."""
        out = {}
        for r in self.rows:
            for (o, t), v in r.x.items():
                if v.solution_value() > 0.5:
                    out[r.person.key] = (o, t)
                    break
        return out


def _late_count(inst: Instance, plan: Plan, people: list[Person]) -> int:
    """Breaches the model can influence (target day inside the horizon), weighted as in the settings."""
    total = 0
    for p in people:
        due = inst.due_index(p)
        if not 0 <= due < inst.horizon:
            continue
        a = plan.appointments.get(p.key)
        if a is None or a.day > due:
            total += inst.settings.breach_weight[p.priority]
    return total


def _gap(obj: float | None, bound: float | None) -> float | None:
    if obj is None or bound is None:
        return None
    return 0.0 if abs(obj - bound) < 1e-9 else abs(obj - bound) / max(1.0, abs(obj))


def optimised_plan(inst: Instance, baseline: Plan | None = None) -> Plan:
    """Plan every person: urgent first in referral order, the rest by the mixed-integer model."""
    started = time.perf_counter()
    groups = groups_of(inst)
    slots = Slots(inst, groups)
    plan = Plan(method="optimiser")
    ordered = priority_order(inst.people)
    place(inst, [p for p in ordered if p.priority == "high"], slots, plan)
    rest = [p for p in ordered if p.priority != "high"]
    baseline = baseline or greedy_plan(inst)
    model = _Model(inst, groups, rest, slots, plan)
    mode = inst.settings.breaches
    allowed = _late_count(inst, baseline, rest)
    info: dict[str, object] = {"solver": "HiGHS (OR-Tools MIP)", "variables": model.size, "pools": len(groups),
                               "breach_rule": mode, "baseline_breach_cost": allowed,
                               "build_seconds": round(time.perf_counter() - started, 3)}
    budget = inst.settings.time_limit
    s = model.solver
    if model.rows:
        can_breach = any(r.late for r in model.rows)
        if mode == "fewest" and can_breach:
            s.Minimize((len(model.rows) + 1) * model.breach_cost - model.seen)
            status1, obj1, bound1 = model.solve(budget / 3)
            info.update(step1_status=status1, step1_gap=_gap(obj1, bound1))
            if obj1 is not None:
                allowed = min(allowed, round(model.breach_cost.solution_value()))
        if can_breach:
            s.Add(model.breach_cost <= allowed)
        s.Minimize(model.objective)
        left = budget - (time.perf_counter() - started)
        status, obj, bound = model.solve(max(1.0, left))
        info.update(status=status, objective=obj, bound=bound, gap=_gap(obj, bound), breach_cost=allowed)
        if obj is None:
            info["fallback"] = "the solver found no plan in time: the baseline's plan is used"
            place(inst, rest, slots, plan)
        else:
            _book(inst, model, slots, plan)
    else:
        info.update(status="optimal", objective=0.0, bound=0.0, gap=0.0)
    info["solve_seconds"] = round(time.perf_counter() - started, 3)
    plan.solver = info
    return plan


def _book(inst: Instance, model: _Model, slots: Slots, plan: Plan) -> None:
    """Chosen (pool, day) pairs become appointments with the pool's least-booked worker that day."""
    chosen = model.choices()
    for r in model.rows:
        pick = chosen.get(r.person.key)
        if pick is None:
            plan.unscheduled[r.person.key] = NO_CAPACITY
            continue
        o, t = pick
        plan.appointments[r.person.key] = Appointment(t, tuple(slots.take(inst, g, t) for g in r.options[o][0]))


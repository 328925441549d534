"""An independent check of a plan: written separately from the planners, sharing none of their code.

It re-derives every rule from the instance's raw facts (worker rows, referral rows, plan days) and
lists each broken rule in plain words. Tests run it on random problems; the CLI runs it on every
plan it writes. The rules:

- every person on the list appears exactly once: with an appointment, or unscheduled with a reason;
- an appointment is on a plan day, with one worker per discipline needed (both: one social worker and
  one occupational therapist on the same day), each worker having that discipline, working in the
  person's team (when the settings require it) and visiting the person's locality;
- no worker has more appointments on a day than their capacity that day (0 when off or on leave);
- urgent first: no high-priority person waits while a slot they could have used, on an earlier day
  than their appointment (or any day, if unscheduled), was left free or given to someone of lower
  priority.
"""

from __future__ import annotations

from collections import defaultdict

from asc_assure.domain.working_days import working_days_between

from .model import Instance, Plan


def _ok(worker, person, discipline: str, same_team: bool) -> bool:
    locality_ok = person.locality is None or person.locality in worker.localities
    team_ok = (not same_team) or worker.team == person.team
    return worker.discipline == discipline and locality_ok and team_ok


def check(inst: Instance, plan: Plan) -> list[str]:
    """Problems found (empty when the plan keeps every rule)."""
    problems: list[str] = []
    people = {p.key: p for p in inst.people}
    workers = {w.key: w for w in inst.workers}
    same_team = inst.settings.same_team_only
    for key in set(plan.appointments) | set(plan.unscheduled):
        if key not in people:
            problems.append(f"{key}: not on the waiting list")
    for key, p in people.items():
        booked, left = key in plan.appointments, key in plan.unscheduled
        if booked == left:
            problems.append(f"{key}: {'both booked and unscheduled' if booked else 'neither booked nor unscheduled'}")
        if left and not plan.unscheduled[key]:
            problems.append(f"{key}: unscheduled without a reason")
        if p.base_wait != working_days_between(p.received, inst.days[0]):
            problems.append(f"{key}: starting wait {p.base_wait} does not match its received date")
    used: dict[tuple[str, int], list[str]] = defaultdict(list)
    for key, a in plan.appointments.items():
        p = people.get(key)
        if p is None:
            continue
        if not 0 <= a.day < len(inst.days):
            problems.append(f"{key}: appointment day {a.day} is outside the plan")
            continue
        needed = ["social_worker", "occupational_therapist"] if p.need == "both" else [p.need]
        if len(a.workers) != len(needed) or len(set(a.workers)) != len(a.workers):
            problems.append(f"{key}: {len(a.workers)} workers booked for {p.need}")
            continue
        given = sorted(workers[w].discipline for w in a.workers if w in workers)
        if given != sorted(needed):
            problems.append(f"{key}: needs {p.need} but was booked with {', '.join(given) or 'unknown workers'}")
        for wk in a.workers:
            w = workers.get(wk)
            if w is None:
                problems.append(f"{key}: unknown worker {wk}")
                continue
            if w.team != p.team and same_team:
                problems.append(f"{key}: worker {wk} is in {w.team}, not {p.team}")
            if p.locality is not None and p.locality not in w.localities:
                problems.append(f"{key}: worker {wk} does not visit {p.locality}")
            used[wk, a.day].append(key)
    for (wk, day), keys in used.items():
        cap = workers[wk].capacity[day]
        if len(keys) > cap:
            problems.append(f"worker {wk} has {len(keys)} appointments on {inst.days[day]} but capacity {cap}")
    problems += _urgent_first(inst, plan, used)
    return problems


def _urgent_first(inst: Instance, plan: Plan, used: dict[tuple[str, int], list[str]]) -> list[str]:
    people = {p.key: p for p in inst.people}

    def open_to_urgent(w, day: int) -> bool:
        """A slot a high-priority person could have had: free, or held by someone of lower priority."""
        holders = used.get((w.key, day), [])
        return len(holders) < w.capacity[day] or any(people[h].priority != "high" for h in holders)

    out = []
    for p in inst.people:
        if p.priority != "high":
            continue
        a = plan.appointments.get(p.key)
        until = a.day if a is not None else len(inst.days)
        needed = ["social_worker", "occupational_therapist"] if p.need == "both" else [p.need]
        for day in range(until):
            if all(any(_ok(w, p, d, inst.settings.same_team_only) and open_to_urgent(w, day)
                       for w in inst.workers) for d in needed):
                out.append(f"{p.key}: high priority but a slot on {inst.days[day]} was free or given to "
                           "someone of lower priority")
                break
    return out

"""Run a plan end to end: build the problem, plan with the baseline and the optimiser, check, report.

This is what the CLI and the web page call. It returns the two plans' metrics side by side, the
checker's findings for both (a plan that breaks a rule is an error, never a silent result) and the
plan rows for the CSV, which carry pseudonymised keys only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .checker import check
from .greedy import greedy_plan
from .inputs import load_instance
from .metrics import is_breach, summarise, waits
from .model import Instance, Plan
from .optimiser import optimised_plan
from .settings import ScheduleError, Settings, load_settings

CSV_COLUMNS = ("referral_key", "person_key", "priority", "discipline_needed", "team", "locality", "received_date",
               "appointment_date", "worker_keys", "wait_working_days", "target_working_days", "breach", "status",
               "reason")


@dataclass
class ScheduleResult:
    instance: Instance
    optimiser: Plan
    baseline: Plan

    def metrics(self) -> dict[str, Any]:
        inst = self.instance
        opt, base = summarise(inst, self.optimiser), summarise(inst, self.baseline)
        return {
            "from": inst.days[0].isoformat() if inst.days else None,
            "to": inst.days[-1].isoformat() if inst.days else None,
            "working_days": inst.horizon,
            "people": len(inst.people),
            "workers": len(inst.workers),
            "targets": dict(inst.settings.targets),
            "optimiser": opt,
            "baseline": base,
            "solver": self.optimiser.solver,
            "comparison": _compare(opt, base),
        }

    def rows(self) -> list[dict[str, str]]:
        inst, plan = self.instance, self.optimiser
        w = waits(inst, plan)
        out = []
        for p in sorted(inst.people, key=lambda p: (plan.appointments[p.key].day if p.key in plan.appointments
                                                     else inst.horizon, p.team, p.key)):
            a = plan.appointments.get(p.key)
            target = inst.target(p)
            out.append({
                "referral_key": p.key, "person_key": p.person, "priority": p.priority, "discipline_needed": p.need,
                "team": p.team, "locality": p.locality or "", "received_date": p.received.isoformat(),
                "appointment_date": inst.days[a.day].isoformat() if a else "",
                "worker_keys": ";".join(a.workers) if a else "",
                "wait_working_days": str(w[p.key]) if a else "",
                "target_working_days": str(target),
                "breach": "yes" if is_breach(inst, plan, p.key, w[p.key], target) else "no",
                "status": "scheduled" if a else "unscheduled",
                "reason": plan.unscheduled.get(p.key, ""),
            })
        return out

    def csv_text(self) -> str:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows())
        return buf.getvalue()


def _compare(opt: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    def ratio(key: str) -> float | None:
        return round(opt[key] / base[key], 3) if opt[key] is not None and base[key] else None

    return {"max_wait_ratio": ratio("max_wait"), "mean_wait_ratio": ratio("mean_wait"),
            "breaches_difference": opt["breaches"] - base["breaches"]}


def plan_instance(inst: Instance) -> ScheduleResult:
    """Both plans for a problem, each checked by the independent checker."""
    base = greedy_plan(inst)
    opt = optimised_plan(inst, base)
    for plan in (base, opt):
        problems = check(inst, plan)
        if problems:  # a bug, not bad input: never hand out a plan that breaks a rule
            raise RuntimeError(f"{plan.method} plan failed its check: " + "; ".join(problems[:5]))
    return ScheduleResult(inst, opt, base)


def run_schedule(store_dir: Path | str, start: dt.date, days: int, teams: list[str] | None = None,
                 settings: Settings | None = None) -> ScheduleResult:
    settings = settings or load_settings()
    inst = load_instance(store_dir, start, days, settings, teams)
    if not inst.people:
        raise ScheduleError(f"nobody is waiting for an assessment on {inst.days[0]:%d/%m/%Y}"
                            + (f" in {', '.join(teams)}" if teams else ""))
    return plan_instance(inst)

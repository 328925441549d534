"""The appointment scheduler: plans keep every rule (checked independently), are repeatable and beat
first-in first-out where they can, and the store, CLI and plan file behave as a manager expects."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from asc_assure.cli import app
from asc_assure.data.ingest import ingest_file
from asc_assure.domain.working_days import working_days_between
from asc_assure.operations.scheduling import ScheduleError, load_settings, plan_instance, run_schedule
from asc_assure.operations.scheduling.checker import check
from asc_assure.operations.scheduling.greedy import greedy_plan
from asc_assure.operations.scheduling.instances import random_instance
from asc_assure.operations.scheduling.metrics import summarise
from asc_assure.operations.scheduling.model import (
    NO_WORKER,
    Appointment,
    Instance,
    Person,
    Plan,
    Worker,
    plan_days,
)
from asc_assure.operations.scheduling.optimiser import optimised_plan
from extracts import write_extract

FAST = load_settings().with_solver(time_limit=5)
START = dt.date(2025, 4, 1)
LOCALITIES = ("North", "South", "City")
TEAMS = ("North Team", "South Team", "Central Team")


# ----------------------------------------------------------------------------- random instances
@st.composite
def instances(draw: st.DrawFn) -> Instance:
    """Small problems with every awkward feature: joint visits, leave, part-time, overload, no cover."""
    days = plan_days(START, draw(st.integers(1, 8)))
    workers = []
    for i in range(draw(st.integers(1, 6))):
        team = draw(st.sampled_from(TEAMS))
        locs = tuple(draw(st.lists(st.sampled_from(LOCALITIES), min_size=1, max_size=3, unique=True)))
        cap = tuple(draw(st.lists(st.integers(0, 2), min_size=len(days), max_size=len(days))))
        workers.append(Worker(f"W{i}", draw(st.sampled_from(("social_worker", "occupational_therapist"))), team,
                              locs, cap))
    people = []
    for i in range(draw(st.integers(0, 25))):
        received = START - dt.timedelta(days=draw(st.integers(0, 120)))
        people.append(Person(
            f"C{i}", f"P{i}", draw(st.sampled_from(("high", "medium", "low"))),
            draw(st.sampled_from(("social_worker", "occupational_therapist", "both"))), draw(st.sampled_from(TEAMS)),
            draw(st.sampled_from((*LOCALITIES, None))), received, working_days_between(received, days[0])))
    team_rule = draw(st.booleans())
    rule = draw(st.sampled_from(("fewest", "baseline")))
    return Instance(days, tuple(people), tuple(workers), replace(FAST, same_team_only=team_rule, breaches=rule))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_both_plans_keep_every_rule_on_random_problems(inst: Instance) -> None:
    base = greedy_plan(inst)
    opt = optimised_plan(inst, base)
    assert check(inst, base) == []
    assert check(inst, opt) == []
    # nobody dropped: every person is booked or listed with a reason
    for plan in (base, opt):
        assert set(plan.appointments) | set(plan.unscheduled) == {p.key for p in inst.people}
    b, o = summarise(inst, base), summarise(inst, opt)
    assert o["breaches"] <= b["breaches"]
    assert o["breaches_by_priority"]["high"] == b["breaches_by_priority"]["high"]


# ----------------------------------------------------------------------------- the checker itself
def _tiny() -> Instance:
    days = plan_days(START, 3)
    workers = (Worker("SW", "social_worker", "North Team", ("North",), (1, 1, 1)),
               Worker("OT", "occupational_therapist", "North Team", ("North",), (1, 0, 1)))
    people = tuple(Person(f"C{i}", f"P{i}", prio, need, "North Team", "North", START, 0)
                   for i, (prio, need) in enumerate([("high", "social_worker"), ("low", "social_worker"),
                                                     ("medium", "occupational_therapist")]))
    return Instance(days, people, workers, FAST)


@pytest.mark.parametrize(
    ("appointments", "message"),
    [
        ({"C0": Appointment(0, ("SW",)), "C1": Appointment(0, ("SW",)), "C2": Appointment(0, ("OT",))},
         "capacity 1"),
        ({"C0": Appointment(0, ("SW",)), "C1": Appointment(1, ("SW",)), "C2": Appointment(1, ("OT",))},
         "capacity 0"),
        ({"C0": Appointment(0, ("SW",)), "C1": Appointment(1, ("OT",)), "C2": Appointment(2, ("OT",))},
         "needs social_worker"),
        ({"C0": Appointment(1, ("SW",)), "C1": Appointment(0, ("SW",)), "C2": Appointment(0, ("OT",))},
         "high priority"),
        ({"C0": Appointment(0, ("SW",)), "C2": Appointment(0, ("OT",))}, "neither booked nor unscheduled"),
    ],
)
def test_checker_names_each_broken_rule(appointments, message) -> None:
    inst = _tiny()
    problems = check(inst, Plan("hand", appointments=appointments))
    assert any(message in p for p in problems), problems


def test_checker_accepts_a_good_hand_made_plan() -> None:
    plan = Plan("hand", appointments={"C0": Appointment(0, ("SW",)), "C1": Appointment(1, ("SW",)),
                                      "C2": Appointment(0, ("OT",))})
    assert check(_tiny(), plan) == []


# ----------------------------------------------------------------------------- behaviour
def test_optimiser_sees_the_longest_waiting_person_sooner_than_first_in_first_out() -> None:
    """One worker, one visit a day: first-in first-out within priority sees two new medium referrals
    before someone who has waited 30 working days, who then breaches; the optimiser need not."""
    days = plan_days(START, 3)
    worker = Worker("SW", "social_worker", "North Team", ("North",), (1, 1, 1))
    old = START - dt.timedelta(days=42)
    people = (Person("OLD", "P1", "low", "social_worker", "North Team", "North", old,
                     working_days_between(old, days[0])),
              Person("NEW1", "P2", "medium", "social_worker", "North Team", "North", START, 0),
              Person("NEW2", "P3", "medium", "social_worker", "North Team", "North", START, 0))
    inst = Instance(days, people, (worker,), FAST)
    assert people[0].base_wait == 30  # six weeks: 30 working days, exactly on the low-priority target
    base, opt = greedy_plan(inst), optimised_plan(inst)
    assert base.appointments["OLD"].day == 2 and opt.appointments["OLD"].day == 0
    b, o = summarise(inst, base), summarise(inst, opt)
    assert o["max_wait"] < b["max_wait"] and o["breaches"] < b["breaches"]
    assert o["mean_wait"] <= b["mean_wait"] + 1


def test_same_seed_same_plan_and_the_solver_reports_its_gap() -> None:
    inst = random_instance(7, people=150, staff=12, days=15, settings=FAST)
    first, again = optimised_plan(inst), optimised_plan(inst)
    assert first.appointments == again.appointments and first.unscheduled == again.unscheduled
    assert first.solver["status"] in {"optimal", "feasible"} and first.solver["gap"] is not None
    assert first.solver["gap"] >= 0


def test_people_nobody_can_see_are_reported_with_the_reason_not_dropped() -> None:
    days = plan_days(START, 2)
    worker = Worker("SW", "social_worker", "North Team", ("North",), (1, 1))
    people = (Person("C1", "P1", "medium", "occupational_therapist", "North Team", "North", START, 0),
              Person("C2", "P2", "low", "social_worker", "North Team", "North", START, 0),
              Person("C3", "P3", "low", "social_worker", "North Team", "North", START, 0),
              Person("C4", "P4", "low", "social_worker", "North Team", "North", START, 0))
    result = plan_instance(Instance(days, people, (worker,), FAST))
    m = result.metrics()["optimiser"]
    assert m["scheduled"] == 2 and m["unscheduled"] == 2
    assert result.optimiser.unscheduled["C1"] == NO_WORKER
    assert set(m["unscheduled_reasons"]) == {NO_WORKER, "no appointment free in the planning horizon"}
    # the unscheduled wait at least to the end of the horizon, so leaving people out never flatters a plan
    assert m["max_wait"] == 2


def test_bad_settings_name_the_field_and_value(tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text("targets:\n  high: soon\n")
    with pytest.raises(ScheduleError, match=r"targets.high.*soon"):
        load_settings(bad)
    bad.write_text("breaches: never\n")
    with pytest.raises(ScheduleError, match=r"breaches.*never"):
        load_settings(bad)
    good = tmp_path / "g.yaml"
    good.write_text("targets:\n  high: 3\n")
    assert load_settings(good).targets == {"high": 3, "medium": 20, "low": 30}


# ----------------------------------------------------------------------------- from the store
KEY = bytes(range(32))
AS_OF = dt.date(2025, 3, 31)


def _store(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    ref = {"person_id": "P100", "team": "North Team", "locality": "North", "discipline_needed": "social_worker"}
    referrals = [
        {**ref, "referral_id": "R1", "nhs_number": "9434765919", "received_date": "2025-02-03", "priority": "low"},
        {**ref, "referral_id": "R2", "received_date": "2025-03-24", "priority": "high"},
        {**ref, "referral_id": "R3", "received_date": "2025-03-03", "priority": "medium",
         "assessment_start_date": "2025-03-10"},  # started: not waiting
        {**ref, "referral_id": "R4", "received_date": "2025-01-06", "closed_date": "2025-02-01",
         "closure_reason": "no longer required"},  # closed: not waiting
        {**ref, "referral_id": "R5", "received_date": "2025-03-28", "discipline_needed": "both"},
        {**ref, "referral_id": "R6", "received_date": "2025-03-28", "team": "South Team", "locality": "South",
         "priority": "medium"},
    ]
    roster = [
        {"worker_id": "W1", "discipline": "social_worker", "team": "North Team", "localities": "North",
         "working_days": "Mon;Tue;Wed;Thu;Fri", "assessments_per_day": "1"},
        {"worker_id": "W2", "discipline": "occupational_therapist", "team": "North Team", "localities": "North;City",
         "working_days": "Tue;Thu", "assessments_per_day": "2"},
        {"worker_id": "W3", "discipline": "social_worker", "team": "South Team", "localities": "South",
         "working_days": "Mon", "assessments_per_day": "1", "end_date": "2025-03-31"},  # has left
    ]
    leave = [{"worker_id": "W1", "leave_start": "2025-04-01", "leave_end": "2025-04-02", "reason": "annual_leave"}]
    for kind, rows in (("referrals", referrals), ("staff_roster", roster), ("staff_leave", leave)):
        result = ingest_file(store, write_extract(tmp_path / f"{kind}.csv", kind, rows), as_of=AS_OF, key=KEY)
        assert result.rows_quarantined == 0, result.errors
    return store


def test_plan_from_the_store_follows_the_waiting_list_roster_leave_and_bank_holidays(tmp_path: Path) -> None:
    result = run_schedule(_store(tmp_path), dt.date(2025, 4, 1), 20, settings=FAST)
    inst = result.instance
    assert dt.date(2025, 4, 18) not in inst.days and dt.date(2025, 4, 21) not in inst.days  # Easter
    assert inst.days[-1] == dt.date(2025, 4, 30)
    assert len(inst.people) == 4  # R3 started, R4 closed
    w1 = next(w for w in inst.workers if w.discipline == "social_worker" and w.team == "North Team")
    assert w1.capacity[:3] == (0, 0, 1)  # on leave 1-2 April
    assert [w for w in inst.workers if w.team == "South Team"] == []  # W3 left on 31 March
    plan = result.optimiser
    reasons = set(plan.unscheduled.values())
    assert reasons == {NO_WORKER} or "no appointment free in the planning horizon" in reasons
    booked = {inst.days[a.day] for a in plan.appointments.values()}
    assert all(d >= dt.date(2025, 4, 3) or d.weekday() in (1, 3) for d in booked)
    high = next(p for p in inst.people if p.priority == "high")
    assert inst.days[plan.appointments[high.key].day] == dt.date(2025, 4, 3)  # first day W1 is back


def test_schedule_command_prints_both_plans_and_writes_a_pseudonymised_csv(tmp_path: Path) -> None:
    store = _store(tmp_path)
    out = tmp_path / "plan.csv"
    result = CliRunner().invoke(app, ["schedule", "--store", str(store), "--from", "2025-04-01", "--days", "10",
                                      "--out", str(out), "--json", "--time-limit", "5"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"mean_wait", "p95_wait", "max_wait", "breaches", "unscheduled"} <= set(data["optimiser"])
    assert data["optimiser"].keys() == data["baseline"].keys()
    assert data["people"] == 4 and data["solver"]["gap"] is not None
    text = out.read_text()
    for local in ("R1", "R2", "P100", "W1", "9434765919"):
        assert f",{local}," not in text and f",{local}\n" not in text and local not in text.split(",")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 4
    assert all(r["referral_key"].startswith("C-") and r["person_key"].startswith("P-") for r in rows)
    assert all(k.startswith("P-") for r in rows for k in r["worker_keys"].split(";") if k)
    south = next(r for r in rows if r["team"] == "South Team")
    assert south["status"] == "unscheduled" and south["reason"] and south["appointment_date"] == ""
    text_run = CliRunner().invoke(app, ["schedule", "--store", str(store), "--from", "2025-04-01", "--days", "10",
                                        "--time-limit", "5"])
    assert "optimiser" in text_run.output and "longest wait" in text_run.output


def test_schedule_command_fails_clearly_without_a_roster_or_with_bad_input(tmp_path: Path) -> None:
    store = tmp_path / "store"
    ingest_file(store, write_extract(tmp_path / "referrals.csv", "referrals", [
        {"referral_id": "R1", "person_id": "P1", "received_date": "2025-03-03", "team": "North Team"}]),
        as_of=AS_OF, key=KEY)
    runner = CliRunner()
    result = runner.invoke(app, ["schedule", "--store", str(store), "--from", "2025-04-01"])
    assert result.exit_code == 2 and "staff_roster" in result.output
    result = runner.invoke(app, ["schedule", "--store", str(store), "--from", "1 April"])
    assert result.exit_code == 2 and "--from" in result.output
    result = runner.invoke(app, ["schedule", "--store", str(store), "--from", "2025-04-01", "--days", "0"])
    assert result.exit_code == 2 and "days" in result.output
    assert runner.invoke(app, ["schedule", "--help"]).exit_code == 0

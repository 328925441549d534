"""Safeguarding work queues: due dates in working days, queue membership at the boundaries, extensions
signed off with reasons, and agreement with the timeliness and open-enquiry measures."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError
from asc_assure.cli import app
from asc_assure.data.ingest import ingest_file
from asc_assure.domain import timescales as ts
from asc_assure.domain.working_days import add_working_days
from asc_assure.measures.engine import run_measures
from asc_assure.operations import safeguarding_queues as sg
from extracts import write_extract

KEY = bytes(range(32))
AS_OF = dt.date(2024, 12, 23)  # the Monday before Christmas 2024 (25 and 26 December are bank holidays)
TEAM = "North Team"
D = dt.date.fromisoformat


def _concern(cid: str, received: str, triaged: str = "", urgent: str = "no", team: str = TEAM) -> dict:
    return {"concern_id": cid, "person_id": f"P{cid}", "received_date": received, "urgent": urgent, "team": team,
            "locality": "North", "triage_completed_date": triaged,
            "decision": "s42_enquiry" if triaged else "", "enquiry_id": f"E{cid}" if triaged else ""}


def _enquiry(cid: str, start: str, allocated: str = "", completed: str = "", team: str = TEAM) -> dict:
    return {"enquiry_id": f"E{cid}", "concern_id": cid, "person_id": f"P{cid}", "enquiry_type": "s42_enquiry",
            "team": team, "start_date": start, "allocated_date": allocated, "completed_date": completed,
            "risk_outcome": "reduced" if completed else ""}


def _store(folder: Path, concerns: list[dict], enquiries: list[dict], as_of: dt.date = AS_OF) -> Path:
    store = folder / "store"
    ingest_file(store, write_extract(folder / "c.csv", "safeguarding_concerns", concerns), as_of=as_of, key=KEY)
    ingest_file(store, write_extract(folder / "e.csv", "safeguarding_enquiries", enquiries), as_of=as_of, key=KEY)
    return store


@pytest.fixture
def christmas(tmp_path) -> Path:
    concerns = [
        _concern("K5", "2024-12-17"),                # triage due Thu 19 Dec: overdue on the 23rd
        _concern("K1", "2024-12-19"),                # due Mon 23 Dec: due today
        _concern("K2", "2024-12-20"),                # due Tue 24 Dec: due within 2 working days
        _concern("K3", "2024-12-23"),                # due Fri 27 Dec (over Christmas): the last day of "soon"
        _concern("K4", "2024-12-24"),                # received the next day: not open yet
        _concern("K6", "2024-12-23", urgent="yes"),  # urgent, received today: screening due today
        _concern("K7", "2024-09-01", triaged="2024-09-02"),
        _concern("K8", "2024-09-27", triaged="2024-09-30"),
        _concern("K9", "2024-09-27", triaged="2024-09-27"),
        _concern("K10", "2024-12-09", triaged="2024-12-10"),
    ]
    enquiries = [
        _enquiry("K7", "2024-09-02", allocated="2024-09-10"),  # completion long overdue, open 112 days
        _enquiry("K8", "2024-09-30", allocated="2024-10-01"),  # open exactly 84 days: not over 12 weeks
        _enquiry("K9", "2024-09-29", allocated="2024-10-01"),  # open 85 days: over 12 weeks
        _enquiry("K10", "2024-12-10"),                         # allocation due 10 working days from triage
    ]
    return _store(tmp_path, concerns, enquiries, as_of=D("2024-12-31"))


def test_due_dates_follow_working_days_across_christmas():
    assert ts.triage_due(D("2024-12-23")) == D("2024-12-27")
    assert ts.triage_due(D("2024-12-24")) == D("2024-12-30")
    assert ts.allocation_due(D("2024-12-20")) == D("2025-01-08")  # 10 working days, 3 bank holidays skipped
    assert ts.completion_due(D("2025-04-14")) == D("2025-05-15")  # Easter and early May bank holidays
    assert ts.on_time(D("2024-12-24"), D("2024-12-30"), 2) and not ts.on_time(D("2024-12-24"), D("2024-12-31"), 2)


def test_queue_membership_at_the_boundaries(christmas):
    ws = Workspace.for_store(christmas)
    items = sg.items_on(ws, christmas, AS_OF)
    states = {i["item_id"]: i for i in items}
    concerns = [i for i in items if i["kind"] == "concern"]
    assert len(concerns) == 5  # K4 arrives the next day
    soon = add_working_days(AS_OF, 2)
    assert soon == D("2024-12-27")
    by_due = {i["due"]: i for i in concerns if not i["urgent"]}
    assert by_due[D("2024-12-19")]["state"] == "overdue" and by_due[D("2024-12-19")]["days_overdue"] == 4
    assert by_due[D("2024-12-23")]["state"] == "due_today"
    assert by_due[D("2024-12-24")]["state"] == "due_in_2_days"
    assert by_due[D("2024-12-27")]["state"] == "due_in_2_days"
    urgent = next(i for i in concerns if i["urgent"])
    assert urgent["state"] == "due_today" and urgent["urgent_screening"] and urgent["due"] == D("2024-12-27")
    enquiries = sorted((i for i in items if i["kind"] == "enquiry"), key=lambda i: i["opened"])
    assert [i["open_days"] for i in enquiries] == [112, 85, 84, 13]
    assert [i["open_over_12_weeks"] for i in enquiries] == [True, True, False, False]
    assert enquiries[0]["step"] == "completion" and enquiries[0]["state"] == "overdue"
    alloc = enquiries[3]
    assert alloc["step"] == "allocation" and alloc["due"] == ts.allocation_due(D("2024-12-10")) == D("2024-12-24")
    assert alloc["state"] == "due_in_2_days"
    assert len(states) == len(items)


def test_the_next_day_moves_items_along(christmas):
    ws = Workspace.for_store(christmas)
    items = sg.items_on(ws, christmas, D("2024-12-24"))
    triage = {i["due"]: i["state"] for i in items if i["kind"] == "concern" and not i["urgent"]}
    assert triage[D("2024-12-23")] == "overdue"
    assert triage[D("2024-12-24")] == "due_today"
    assert triage[D("2024-12-27")] == "due_in_2_days"  # 27 Dec is 1 working day after Christmas Eve
    assert triage[D("2024-12-30")] == "due_in_2_days"  # K4, received on the 24th
    urgent = next(i for i in items if i["urgent"])
    assert urgent["state"] == "due_in_2_days" and urgent["urgent_screening"] is None


def test_queues_per_team_and_limits(christmas):
    ws = Workspace.for_store(christmas)
    q = sg.queues(ws, christmas, AS_OF)
    (team,) = q["teams"]
    assert team["team"] == TEAM
    assert team["counts"] == {"overdue": 4, "due_today": 2, "due_in_2_days": 3, "open_over_12_weeks": 2}
    assert team["open_enquiries"] == 4 and team["enquiries_over_12_weeks"] == 2
    assert sg.queues(ws, christmas, AS_OF, teams={"Other Team"})["teams"][0]["open"] == 0
    with pytest.raises(WorkspaceError, match="not one of the teams you manage"):
        sg.queues(ws, christmas, AS_OF, team=TEAM, teams={"Other Team"})


def test_extension_needs_a_reason_and_a_later_date_and_is_audited(christmas):
    ws = Workspace.for_store(christmas)
    item = next(i for i in sg.items_on(ws, christmas, AS_OF) if i["state"] == "overdue" and i["kind"] == "concern")
    with pytest.raises(WorkspaceError, match="reason"):
        sg.extend(ws, christmas, item["item_id"], D("2025-01-06"), "short", "tm", AS_OF)
    with pytest.raises(WorkspaceError, match="after the current due date"):
        sg.extend(ws, christmas, item["item_id"], item["due"], "Waiting for the police to agree", "tm", AS_OF)
    with pytest.raises(WorkspaceError, match="more than 60 working days"):
        sg.extend(ws, christmas, item["item_id"], D("2026-01-01"), "Waiting for the police to agree", "tm", AS_OF)
    with pytest.raises(NotFound):
        sg.extend(ws, christmas, "C-unknown", D("2025-01-06"), "Waiting for the police to agree", "tm", AS_OF)
    done = sg.extend(ws, christmas, item["item_id"], D("2025-01-06"), "Waiting for the police to agree", "tm", AS_OF)
    assert done["due"] == D("2025-01-06") and done["extended"] and done["state"] is None
    assert done["extension"]["due_before"] == "2024-12-19" and done["extension"]["signed_off_by"] == "tm"
    team = sg.queues(ws, christmas, AS_OF)["teams"][0]
    assert team["counts"]["overdue"] == 3 and team["extended"] == 1
    log = ws.changes("safeguarding_extension", item["item_id"])
    assert log[0]["actor"] == "tm" and log[0]["detail"]["new_due"] == "2025-01-06"
    assert log[0]["detail"]["reason"] == "Waiting for the police to agree"
    # a second extension builds on the first; history keeps both
    sg.extend(ws, christmas, item["item_id"], D("2025-01-08"), "Interpreter only available later", "tm", AS_OF)
    history = sg.extension_history(ws, item["item_id"])
    assert [h["new_due"] for h in history] == ["2025-01-08", "2025-01-06"]
    assert history[0]["due_before"] == "2025-01-06"


def _random_store(folder: Path) -> tuple[Path, dt.date]:
    """A few hundred concerns and enquiries over winter 2024/25, with triage, allocation and completion on
    either side of their deadlines, so the measures and the queue rules are compared on real edges."""
    rng = random.Random(8)
    as_of = D("2025-02-28")
    concerns, enquiries = [], []
    for n in range(400):
        received = D("2024-10-01") + dt.timedelta(days=rng.randrange(140))
        team = rng.choice(["North Team", "South Team", "Hospital Team"])
        triaged = received + dt.timedelta(days=rng.choice([0, 1, 2, 3, 4, 5, 6, 9]))
        if triaged > as_of or rng.random() < 0.1:
            concerns.append(_concern(f"R{n}", received.isoformat(), team=team, urgent=rng.choice(["yes", "no"])))
            continue
        concerns.append(_concern(f"R{n}", received.isoformat(), triaged.isoformat(), team=team))
        if rng.random() < 0.5:
            continue
        allocated = triaged + dt.timedelta(days=rng.choice([1, 5, 10, 14, 15, 20, 30]))
        completed = allocated + dt.timedelta(days=rng.choice([10, 20, 27, 28, 29, 40, 80]))
        enquiries.append(_enquiry(
            f"R{n}", triaged.isoformat(), allocated.isoformat() if allocated <= as_of else "",
            completed.isoformat() if completed <= as_of and allocated <= as_of else "", team=team))
    return _store(folder, concerns, enquiries, as_of), as_of


@pytest.fixture(scope="module")
def winter(tmp_path_factory) -> tuple[Path, dt.date]:
    return _random_store(tmp_path_factory.mktemp("winter"))


@pytest.mark.parametrize("as_of", ["2024-12-29", "2025-01-05", "2025-01-12", "2025-02-28"])
@pytest.mark.parametrize("period", ["week", "month"])
def test_timeliness_from_the_queue_rules_equals_the_measures(winter, as_of, period):
    store, _ = winter
    ids = list(sg.timeliness(store, D(as_of), period))
    measures = {m["id"]: m for m in run_measures(store, D(as_of), period, ids=ids, trend_points=1)}
    for measure_id, mine in sg.timeliness(store, D(as_of), period).items():
        m = measures[measure_id]
        assert (mine["value"], mine["numerator"], mine["denominator"] or None) == (
            m["value"], m["numerator"], m["denominator"] or None), measure_id


@pytest.mark.parametrize("as_of", ["2024-12-24", "2025-01-31", "2025-02-28"])
def test_open_enquiries_per_team_equal_the_measures(winter, as_of):
    store, _ = winter
    ws = Workspace.for_store(store)
    q = {t["team"]: t for t in sg.queues(ws, store, D(as_of))["teams"]}
    measures = {m["id"]: m for m in run_measures(store, D(as_of), "week", ids=[
        "safeguarding.open_enquiries", "safeguarding.open_over_12_weeks"], trend_points=1)}
    open_by_team = {b["key"]: b["value"] for b in measures["safeguarding.open_enquiries"]["breakdowns"]["team"]}
    long_by_team = {b["key"]: b["value"] for b in measures["safeguarding.open_over_12_weeks"]["breakdowns"]["team"]}
    assert sum(t["open_enquiries"] for t in q.values()) == measures["safeguarding.open_enquiries"]["value"]
    for team, value in open_by_team.items():
        assert q[team]["open_enquiries"] == value
        assert q[team]["enquiries_over_12_weeks"] == long_by_team[team]


runner = CliRunner()


def test_cli_queues_and_extend(christmas):
    r = runner.invoke(app, ["safeguarding", "queues", "--store", str(christmas), "--as-of", "2024-12-23", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["teams"][0]["counts"]["due_today"] == 2
    overdue = data["teams"][0]["queues"]["overdue"][0]["item_id"]
    r = runner.invoke(app, ["safeguarding", "extend", overdue, "--store", str(christmas), "--as-of", "2024-12-23",
                            "--to", "2025-01-06", "--reason", "x", "--actor", "sam"])
    assert r.exit_code == 2 and "reason" in r.output
    r = runner.invoke(app, ["safeguarding", "extend", overdue, "--store", str(christmas), "--as-of", "2024-12-23",
                            "--to", "2024-12-31", "--reason", "Adult in hospital until the new year", "--actor", "sam"])
    assert r.exit_code == 0, r.output
    assert "now due 31/12/2024" in r.output
    r = runner.invoke(app, ["safeguarding", "queues", "--store", str(christmas), "--as-of", "2024-12-23",
                            "--team", TEAM, "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["teams"][0]["extended"] == 1
    r = runner.invoke(app, ["safeguarding", "queues", "--store", str(christmas), "--as-of", "23/13/2024"])
    assert r.exit_code == 2 and "not a date" in r.output


def test_seed_demo_is_deterministic(christmas):
    ws = Workspace.for_store(christmas)
    sg.seed_demo(ws, christmas, AS_OF)
    first = [(e["item_id"], e["new_due"]) for e in sg.latest_extensions(ws).values()]
    assert first and all(e["signed_off_by"] == "team-manager" for e in sg.latest_extensions(ws).values())
    sg.seed_demo(ws, christmas, AS_OF)
    assert [(e["item_id"], e["new_due"]) for e in sg.latest_extensions(ws).values()] == first

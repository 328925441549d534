"""DoLS screening and queue: the tool's scoring, recorded screenings with overrides, the queue order,
deadlines and breach warnings across bank holidays, and the report agreeing with the measures."""

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
from asc_assure.measures.engine import run_measures
from asc_assure.operations import dols
from extracts import write_extract

KEY = bytes(range(32))
D = dt.date.fromisoformat
LOW = {"objection": "none", "restraint": "none", "dispute": "none", "medication": "not_given",
       "placement": "renewal", "safeguarding": "none", "representation": "someone"}


def _app(aid: str, received: str, priority: str = "", urgent: str = "no", extended: str = "", completed: str = "",
         outcome: str = "") -> dict:
    return {"application_id": aid, "person_id": f"P{aid}", "received_date": received, "urgent": urgent,
            "urgent_extended": extended, "setting": "care_home", "managing_authority": "Elm House",
            "screening_priority": priority, "completed_date": completed, "outcome": outcome}


TEAMS = [{"team": "DoLS Team", "team_type": "dols", "active": "yes"},
         {"team": "North Team", "team_type": "locality", "locality": "North", "active": "yes"}]


def _store(folder: Path, apps: list[dict], as_of: dt.date) -> Path:
    store = folder / "store"
    ingest_file(store, write_extract(folder / "dols.csv", "dols_applications", apps), as_of=as_of, key=KEY)
    ingest_file(store, write_extract(folder / "teams.csv", "teams", TEAMS), as_of=as_of, key=KEY)
    return store


@pytest.fixture
def store(tmp_path) -> Path:
    apps = [
        _app("A1", "2024-12-05", "low"),                     # due Thu 26 Dec (Boxing Day): act by Christmas Eve
        _app("A2", "2024-11-01", "medium"),
        _app("A3", "2024-12-10", "high"),
        _app("A4", "2024-12-12"),                            # not screened anywhere
        _app("A5", "2024-10-01", "high", completed="2024-12-01", outcome="granted"),
        _app("A6", "2024-12-16", "medium", urgent="yes", extended="yes"),
    ]
    return _store(tmp_path, apps, D("2024-12-31"))


def _by_received(items: list[dict]) -> dict[dt.date, dict]:
    return {i["received_date"]: i for i in items}


# -- the tool ---------------------------------------------------------------------------------------------
def test_tool_scores_answers_into_bands():
    tool = dols.load_tool()
    assert tool.based_on_date == "2024-04-11" and "own" in tool.wording
    assert dols.score_answers(tool, LOW) == (0, "low")
    assert dols.score_answers(tool, {**LOW, "objection": "sometimes"}) == (4, "medium")
    assert dols.score_answers(tool, {**LOW, "objection": "persistent"}) == (10, "high")
    assert dols.score_answers(tool, {**LOW, "medication": "given", "placement": "new"}) == (9, "medium")
    with pytest.raises(WorkspaceError, match="not answered: restraint"):
        dols.score_answers(tool, {k: v for k, v in LOW.items() if k != "restraint"})
    with pytest.raises(WorkspaceError, match="'maybe' is not one of the answers to 'objection'"):
        dols.score_answers(tool, {**LOW, "objection": "maybe"})
    with pytest.raises(WorkspaceError, match="unknown screening question"):
        dols.score_answers(tool, {**LOW, "mood": "low"})


def test_a_councils_own_tool_is_validated(tmp_path):
    bad = tmp_path / "tool.yaml"
    bad.write_text("tool: {version: '1'}\nbands: [{priority: high, min_score: 5}]\n"
                   "criteria: [{id: a, question: Q, answers: [{id: x, label: X, score: 1}]}]\n")
    with pytest.raises(ValueError, match="bands"):
        dols.load_tool(str(bad))


# -- deadlines ------------------------------------------------------------------------------------------
def test_deadlines_are_calendar_days_and_bank_holidays_move_only_the_day_to_act():
    assert ts.dols_due(D("2024-12-05"), urgent=False) == D("2024-12-26")  # Boxing Day: not moved
    assert ts.act_by(D("2024-12-26")) == D("2024-12-24")
    assert ts.dols_due(D("2025-04-17"), urgent=True) == D("2025-04-24")  # over Good Friday and Easter Monday
    assert ts.dols_due(D("2025-04-17"), urgent=True, urgent_extended=True) == D("2025-05-01")
    assert ts.act_by(D("2025-04-21")) == D("2025-04-17")  # Easter Monday, Good Friday, weekend
    assert ts.act_by(D("2025-04-24")) == D("2025-04-24")


@pytest.mark.parametrize(("as_of", "warning"), [
    ("2024-12-18", None),          # 4 working days left to Christmas Eve
    ("2024-12-19", "due_soon"),    # 3 working days left
    ("2024-12-24", "due_soon"),    # the last working day
    ("2024-12-26", "due_soon"),    # the due date itself, a bank holiday
    ("2024-12-27", "breached"),    # a day late
])
def test_breach_warning_counts_down_to_the_last_working_day(store, as_of, warning):
    ws = Workspace.for_store(store)
    item = _by_received(dols.queue(ws, store, D(as_of)))[D("2024-12-05")]
    assert item["due_date"] == D("2024-12-26") and item["act_by"] == D("2024-12-24")
    assert item["warning"] == warning
    if warning == "breached":
        assert "1 day past" in item["warning_text"]


def test_urgent_extended_applications_get_14_days(store):
    ws = Workspace.for_store(store)
    item = _by_received(dols.queue(ws, store, D("2024-12-20")))[D("2024-12-16")]
    assert item["urgent"] and item["days_allowed"] == 14 and item["due_date"] == D("2024-12-30")


# -- screenings and the queue -------------------------------------------------------------------------------
def test_queue_order_labels_and_screening_override(store):
    ws = Workspace.for_store(store)
    as_of = D("2024-12-20")
    items = dols.queue(ws, store, as_of)
    assert [i["received_date"] for i in items] == [D("2024-12-12"), D("2024-12-10"), D("2024-11-01"),
                                                    D("2024-12-16"), D("2024-12-05")]
    assert items[0]["priority_label"] == "Not screened" and items[0]["position"] == 1
    assert items[1]["priority_label"] == "High (from the extract, not screened here)"
    assert all(i["team"] == "DoLS Team" for i in items)
    low = items[-1]["application_id"]
    with pytest.raises(WorkspaceError, match="give a reason"):
        dols.record_screening(ws, store, low, LOW, "dee", priority="high", as_of=as_of)
    s = dols.record_screening(ws, store, low, LOW, "dee", priority="high",
                              reason="Family say he is distressed every evening", as_of=as_of)
    assert s["score"] == 0 and s["tool_priority"] == "low" and s["priority"] == "high" and s["overridden"]
    assert s["screened_by"] == "dee" and s["screened_at"]
    items = dols.queue(ws, store, as_of)
    moved = next(i for i in items if i["application_id"] == low)
    assert moved["priority"] == "high" and moved["priority_source"] == "screened"
    assert moved["priority_label"].startswith("High (screened here") and "overridden" in moved["priority_label"]
    assert [i["received_date"] for i in items][:3] == [D("2024-12-12"), D("2024-12-05"), D("2024-12-10")]
    log = ws.changes("dols_screening", low)
    assert log[0]["actor"] == "dee" and log[0]["detail"]["override_reason"].startswith("Family")
    # a later screening replaces it; the history keeps both
    dols.record_screening(ws, store, low, LOW, "sam", as_of=as_of)
    assert [h["screened_by"] for h in dols.screening_history(ws, low)] == ["sam", "dee"]
    assert dols.screening(ws, low)["priority"] == "low"


def test_only_open_applications_in_the_store_can_be_screened(store):
    ws = Workspace.for_store(store)
    with pytest.raises(NotFound):
        dols.record_screening(ws, store, "C-nothing", LOW, "dee")
    decided = next(a for a in dols.open_applications(store, D("2024-11-30")) if a["received_date"] == D("2024-10-01"))
    with pytest.raises(WorkspaceError, match="decided on 01/12/2024"):
        dols.record_screening(ws, store, decided["application_id"], LOW, "dee", as_of=D("2024-12-20"))


def test_team_filter_names_a_dols_team(store):
    ws = Workspace.for_store(store)
    assert len(dols.queue(ws, store, D("2024-12-20"), team="DoLS Team")) == 5
    with pytest.raises(WorkspaceError, match="not a DoLS team"):
        dols.queue(ws, store, D("2024-12-20"), team="North Team")


# -- agreement with the measures ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def backlog(tmp_path_factory) -> Path:
    rng = random.Random(21)
    apps = []
    for n in range(300):
        received = D("2024-06-01") + dt.timedelta(days=rng.randrange(270))
        urgent = rng.random() < 0.2
        decided = received + dt.timedelta(days=rng.choice([3, 7, 8, 14, 15, 20, 21, 22, 60, 200]))
        done = decided <= D("2025-02-28") and rng.random() < 0.6
        apps.append(_app(f"B{n}", received.isoformat(), rng.choice(["high", "medium", "low", ""]),
                         urgent="yes" if urgent else "no", extended="yes" if urgent and rng.random() < 0.5 else "",
                         completed=decided.isoformat() if done else "",
                         outcome=rng.choice(["granted", "not_granted", "withdrawn"]) if done else ""))
    folder = tmp_path_factory.mktemp("backlog")
    return _store(folder, apps, D("2025-02-28"))


@pytest.mark.parametrize("as_of", ["2024-09-30", "2024-12-25", "2025-02-28"])
def test_report_matches_the_open_measures(backlog, as_of):
    ws = Workspace.for_store(backlog)
    r = dols.report(ws, backlog, D(as_of))
    ms = {m["id"]: m for m in run_measures(backlog, D(as_of), "week", ids=["dols.open", "dols.open_by_priority"],
                                           trend_points=1)}
    assert r["total"] == ms["dols.open"]["value"]
    by_measure = {b["key"]: b["value"] for b in ms["dols.open_by_priority"]["breakdowns"]["priority"]}
    mine = {row["priority"]: row["total"] for row in r["by_extract_priority"] if row["priority"] != "all"}
    assert {k: v for k, v in mine.items() if v} == by_measure
    for row in r["by_extract_priority"]:
        assert sum(row["bands"].values()) == row["total"]


@pytest.mark.parametrize("as_of", ["2024-10-06", "2024-12-29", "2025-01-26"])
def test_due_dates_give_the_timeliness_measures(backlog, as_of):
    from asc_assure.data.store import Store
    from asc_assure.measures.periods import window

    as_of_d = D(as_of)
    first = window(as_of_d, "month").start
    con = Store(backlog).connect(as_of_d, first_if_later=True)
    decided = con.execute("SELECT received_date, urgent, urgent_extended, completed_date FROM dols_applications "
                          "WHERE outcome IN ('granted', 'not_granted') AND completed_date BETWEEN ? AND ?",
                          [first, as_of_d]).fetchall()
    con.close()
    ms = {m["id"]: m for m in run_measures(backlog, as_of_d, "month", ids=[
        "dols.standard_within_21d_pct", "dols.urgent_within_7d_pct"], trend_points=1)}
    for measure_id, urgent in (("dols.standard_within_21d_pct", False), ("dols.urgent_within_7d_pct", True)):
        flags = [c <= ts.dols_due(r, u, e) for r, u, e, c in decided if bool(u) == urgent]
        if flags:
            assert (ms[measure_id]["numerator"], ms[measure_id]["denominator"]) == (sum(flags), len(flags))
        else:
            assert ms[measure_id]["value"] is None


# -- CLI and demo -------------------------------------------------------------------------------------------
runner = CliRunner()


def test_cli_queue_screen_and_report(store):
    r = runner.invoke(app, ["dols", "queue", "--store", str(store), "--as-of", "2024-12-20", "--json"])
    assert r.exit_code == 0, r.output
    items = json.loads(r.output)
    target = items[0]["application_id"]
    args = ["dols", "screen", target, "--store", str(store), "--as-of", "2024-12-20", "--actor", "dee"]
    r = runner.invoke(app, [*args, "--answer", "objection=none"])
    assert r.exit_code == 2 and "not answered" in r.output
    r = runner.invoke(app, [*args, "--answer", "objection"])
    assert r.exit_code == 2 and "QUESTION=ANSWER" in r.output
    answers = [x for k, v in {**LOW, "objection": "persistent"}.items() for x in ("--answer", f"{k}={v}")]
    r = runner.invoke(app, [*args, *answers])
    assert r.exit_code == 0, r.output
    assert "score 10, tool says high, recorded high" in r.output
    r = runner.invoke(app, ["dols", "report", "--store", str(store), "--as-of", "2024-12-20", "--json"])
    assert r.exit_code == 0
    report = json.loads(r.output)
    assert report["total"] == 5 and report["screened_here"] == 1 and report["differs_from_extract"] == 1
    r = runner.invoke(app, ["dols", "queue", "--store", str(store), "--as-of", "2024-12-20", "--team", "North Team"])
    assert r.exit_code == 2 and "not a DoLS team" in r.output
    r = runner.invoke(app, ["dols", "tool"])
    assert r.exit_code == 0 and "objection" in r.output


def test_seed_demo_records_a_handful_deterministically(backlog, tmp_path):
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(backlog, copy, ignore=shutil.ignore_patterns("workspace"))
    ws = Workspace.for_store(copy)
    dols.seed_demo(ws, copy, D("2025-02-28"))
    seeded = dols.latest_screenings(ws)
    assert 3 <= len(seeded) <= 9
    assert sum(s["overridden"] for s in seeded.values()) == 1
    dols.seed_demo(ws, copy, D("2025-02-28"))
    assert dols.latest_screenings(ws).keys() == seeded.keys()

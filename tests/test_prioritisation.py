"""Referral prioritisation and waiting well: the tool's scoring and override rules, where the priority shown
comes from, supervisor verification, re-prioritisation, check-ins and overdue contact, the waiting list
agreeing with the measure, the CLI and the demo seed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError
from asc_assure.cli import app
from asc_assure.data.ingest import ingest_file
from asc_assure.data.pseudonymise import Pseudonymiser
from asc_assure.measures.engine import run_measures
from asc_assure.operations import prioritisation as pr
from extracts import write_extract

KEY = bytes(range(32))
TODAY = dt.date(2025, 3, 31)
LOW = dict(pr.DEMO_ANSWERS["low"])  # every answer weighted 0


def ref(raw: str) -> str:
    """The pseudonym the store keeps for a council referral reference."""
    return Pseudonymiser(KEY).one(raw, "case_ref")


def _referral(rid: str, received: str, team: str, priority: str = "", **extra: str) -> dict:
    return {"referral_id": rid, "person_id": f"P{rid}", "received_date": received, "team": team,
            "locality": team.split()[0], "priority": priority, "referral_source": "GP", **extra}


ROWS = [
    _referral("R1", "2025-03-03", "North Team", "low", first_contact_date="2025-03-04"),
    _referral("R2", "2025-02-10", "North Team", "medium", first_contact_date="2025-02-11"),
    _referral("R3", "2025-03-28", "South Team"),
    _referral("R4", "2025-01-06", "North Team", "high", assessment_start_date="2025-03-01"),
    _referral("R5", "2025-02-01", "South Team", "low", closed_date="2025-03-15", closure_reason="no longer required"),
    _referral("R6", "2025-03-20", "North Team", "high"),
]


@pytest.fixture
def store(tmp_path) -> Path:
    store = tmp_path / "store"
    ingest_file(store, write_extract(tmp_path / "referrals.csv", "referrals", ROWS), as_of=TODAY, key=KEY)
    return store


@pytest.fixture
def ws(store) -> Workspace:
    return Workspace.for_store(store)


# -- the tool ------------------------------------------------------------------------------------------------
def test_answers_are_weighted_into_bands():
    tool = pr.load_tool()
    assert tool.score(LOW).priority == "low" and tool.score(LOW).score == 0
    soon = tool.score({**LOW, "safety": "soon"})
    assert (soon.score, soon.priority, soon.overrides) == (6, "medium", ())
    many = tool.score({**LOW, "safety": "soon", "essential_care": "not_met"})
    assert (many.score, many.priority) == (14, "high")


@pytest.mark.parametrize(("question", "answer", "rule"), [
    ("carer", "broken_down", "carer_breakdown"),
    ("hospital", "awaiting_discharge", "hospital_discharge"),
    ("safety", "immediate", "immediate_risk"),
])
def test_override_rules_force_high_priority_whatever_the_score(question, answer, rule):
    scored = pr.load_tool().score({**LOW, question: answer})
    assert scored.priority == "high"
    assert rule in scored.overrides
    if rule != "immediate_risk":
        assert scored.score_priority != "high"  # the score alone would not have made it high


def test_an_override_never_lowers_a_priority(tmp_path):
    data = yaml.safe_load((Path(pr.__file__).with_name("prioritisation.yaml")).read_text())
    data["overrides"].append({"id": "settled", "question": "support_network", "answers": ["daily"],
                              "priority": "low"})
    tool = pr.parse_tool(data)
    scored = tool.score({**LOW, "safety": "soon"})
    assert scored.overrides == ("settled",) and scored.priority == "medium"


def test_bad_answers_are_refused_naming_the_question_and_value():
    tool = pr.load_tool()
    with pytest.raises(WorkspaceError, match="not answered: carer"):
        tool.score({k: v for k, v in LOW.items() if k != "carer"})
    with pytest.raises(WorkspaceError, match="'maybe' is not an answer to question 'carer'"):
        tool.score({**LOW, "carer": "maybe"})
    with pytest.raises(WorkspaceError, match="unknown question"):
        tool.score({**LOW, "mood": "low"})
    with pytest.raises(WorkspaceError, match="QUESTION=ANSWER"):
        pr.parse_answer_pairs(["carer"])
    assert pr.parse_answer_pairs([" carer = coping "]) == {"carer": "coping"}


def test_a_councils_own_tool_is_checked(tmp_path):
    data = yaml.safe_load((Path(pr.__file__).with_name("prioritisation.yaml")).read_text())
    bad_override = {**data, "overrides": [{"id": "x", "question": "carer", "answers": ["gone"], "priority": "high"}]}
    with pytest.raises(pr.ToolError, match="not answers to 'carer'"):
        pr.parse_tool(bad_override)
    with pytest.raises(pr.ToolError, match="check_in_weeks"):
        pr.parse_tool({**data, "check_in_weeks": {"high": 1, "medium": 2, "low": 4}})
    with pytest.raises(pr.ToolError, match="bands"):
        pr.parse_tool({**data, "bands": [{"priority": "high", "min_score": 5}, {"priority": "low", "min_score": 0}]})


def test_the_packaged_tool_documents_its_basis_and_intervals():
    tool = pr.load_tool()
    assert "own" in tool.wording and "Oxfordshire" in tool.based_on
    assert tool.check_in_weeks == {"high": 1, "medium": 2, "low": 4, "not_prioritised": 1}
    assert {o.id for o in tool.overrides} >= {"hospital_discharge", "carer_breakdown"}


# -- the waiting list ----------------------------------------------------------------------------------------
def test_the_waiting_list_is_the_one_the_measure_counts(store):
    waiting = pr.waiting_list(store, TODAY)
    assert {w["referral_id"] for w in waiting} == {ref("R1"), ref("R2"), ref("R3"), ref("R6")}
    result = run_measures(store, TODAY, ids=["waiting_list.count"])[0]
    assert result["value"] == len(waiting)
    by_team = {b["key"]: b["value"] for b in result["breakdowns"]["team"]}
    assert by_team == {"North Team": 3, "South Team": 1}
    # on an earlier date R4 had not started its assessment and R5 was open
    earlier = {w["referral_id"] for w in pr.waiting_list(store, dt.date(2025, 2, 20))}
    assert earlier == {ref("R2"), ref("R4"), ref("R5")}


def test_referrals_not_waiting_are_refused_with_the_reason(store, ws):
    with pytest.raises(WorkspaceError, match="assessment started on 01/03/2025"):
        pr.verify(ws, store, ref("R4"), "sam", TODAY)
    with pytest.raises(WorkspaceError, match="closed on 15/03/2025"):
        pr.check_in(ws, store, ref("R5"), "no_change", "sam", TODAY)
    with pytest.raises(NotFound, match="no referral 'C-nope'"):
        pr.detail(ws, store, "C-nope", TODAY)


def test_the_queue_orders_by_priority_then_oldest_and_says_where_each_priority_came_from(store, ws):
    items = pr.queue(ws, store, TODAY)
    assert [i["referral_id"] for i in items] == [ref("R6"), ref("R2"), ref("R1"), ref("R3")]
    assert [i["priority_source"] for i in items] == ["extract", "extract", "extract", "none"]
    assert items[-1]["priority"] is None and items[-1]["status"] == "not_prioritised"
    assert items[0]["status"] == "awaiting_verification"
    south = pr.queue(ws, store, TODAY, team="South Team")
    assert [i["referral_id"] for i in south] == [ref("R3")]
    assert pr.queue(ws, store, TODAY, teams={"South Team"}) == south
    with pytest.raises(WorkspaceError, match="team 'Nowhere' is not in the referrals extract"):
        pr.queue(ws, store, TODAY, team="Nowhere")


# -- prioritise, verify, re-prioritise --------------------------------------------------------------------
def test_priority_shown_follows_computed_then_verified_then_reprioritised(store, ws):
    rid = ref("R1")  # low in the extract
    done = pr.prioritise(ws, store, rid, {**LOW, "carer": "broken_down"}, "screener", TODAY)
    assert (done["priority"], done["priority_source"], done["status"]) == ("high", "computed", "awaiting_verification")
    assert done["overrides"] == ["carer_breakdown"] and done["extract_priority"] == "low"

    done = pr.verify(ws, store, rid, "supervisor", TODAY)
    assert (done["priority"], done["priority_source"], done["status"]) == ("high", "verified", "verified")
    assert done["verified_by"] == "supervisor"

    done = pr.reprioritise(ws, store, rid, "screener", TODAY, "Daughter has moved in and provides care daily",
                           priority="medium")
    assert (done["priority"], done["priority_source"], done["status"]) == ("medium", "reprioritised",
                                                                            "awaiting_verification")
    x = done["decisions"][0]
    assert (x["priority_before"], x["source_before"], x["what_changed"]) == (
        "high", "verified", "Daughter has moved in and provides care daily")


def test_a_supervisor_changing_a_priority_must_give_a_reason(store, ws):
    rid = ref("R2")  # medium in the extract, verified as it stands
    assert pr.verify(ws, store, rid, "supervisor", TODAY)["decisions"][0]["kind"] == "verified"
    with pytest.raises(WorkspaceError, match="from medium to high: give a reason of at least 10"):
        pr.verify(ws, store, rid, "supervisor", TODAY, priority="high", reason="risky")
    done = pr.verify(ws, store, rid, "supervisor", TODAY, priority="HIGH", reason="Lives alone and has had two falls")
    x = done["decisions"][0]
    assert (x["kind"], x["priority_before"], x["priority"], x["reason"]) == (
        "changed", "medium", "high", "Lives alone and has had two falls")
    assert done["priority_source"] == "changed" and done["status"] == "verified"
    with pytest.raises(WorkspaceError, match="priority 'urgent' must be high, medium or low"):
        pr.verify(ws, store, rid, "supervisor", TODAY, priority="urgent", reason="Because it is urgent now")


def test_a_referral_without_any_priority_needs_one_chosen_to_verify(store, ws):
    with pytest.raises(WorkspaceError, match="no priority to verify"):
        pr.verify(ws, store, ref("R3"), "supervisor", TODAY)
    done = pr.verify(ws, store, ref("R3"), "supervisor", TODAY, priority="low", reason="Carer coping, OT equipment in")
    assert (done["priority"], done["decisions"][0]["kind"], done["decisions"][0]["priority_before"]) == (
        "low", "changed", None)


def test_prioritising_twice_is_refused_in_favour_of_reprioritising(store, ws):
    pr.prioritise(ws, store, ref("R1"), LOW, "screener", TODAY)
    with pytest.raises(WorkspaceError, match=r"already has a priority recorded here .*re-prioritise"):
        pr.prioritise(ws, store, ref("R1"), LOW, "screener", TODAY)


def test_reprioritising_with_fresh_answers_uses_the_tool_unless_overridden_with_a_reason(store, ws):
    rid = ref("R6")
    with pytest.raises(WorkspaceError, match="say what changed"):
        pr.reprioritise(ws, store, rid, "screener", TODAY, "fell", priority="low")
    with pytest.raises(WorkspaceError, match="choose the new priority"):
        pr.reprioritise(ws, store, rid, "screener", TODAY, "Family now visiting twice a day")
    done = pr.reprioritise(ws, store, rid, "screener", TODAY, "Family now visiting twice a day", answers=LOW)
    assert done["priority"] == "low" and done["prioritisations"][0]["notes"] == "Family now visiting twice a day"
    assert done["decisions"][0]["prioritisation_id"] == done["prioritisations"][0]["id"]
    with pytest.raises(WorkspaceError, match=r"the tool gives low .*to record high instead"):
        pr.reprioritise(ws, store, rid, "screener", TODAY, "Family now visiting twice a day", answers=LOW,
                        priority="high")


def test_every_change_is_in_the_change_log(store, ws):
    rid = ref("R1")
    pr.prioritise(ws, store, rid, LOW, "screener", TODAY)
    pr.verify(ws, store, rid, "supervisor", TODAY, priority="medium", reason="Memory getting worse quickly")
    pr.check_in(ws, store, rid, "no_change", "officer", TODAY)
    log = ws.changes(entity_id=rid)
    assert [(c["actor"], c["action"]) for c in reversed(log)] == [
        ("screener", "prioritise"), ("supervisor", "changed"), ("officer", "check_in")]
    assert log[1]["detail"]["reason"] == "Memory getting worse quickly"
    assert log[1]["detail"]["priority_before"] == "low"


# -- waiting well --------------------------------------------------------------------------------------------
def test_overdue_check_ins_use_the_last_contact_and_the_priority_interval(store, ws):
    data = pr.waiting_well(ws, store, TODAY)
    north = {t["team"]: t for t in data["teams"]}["North Team"]
    overdue = [(i["referral_id"], i["last_contact_kind"], i["days_overdue"]) for i in north["overdue"]]
    # R2 (medium, 2 weeks): first contact 11 Feb, due 25 Feb; R6 (high, 1 week): received 20 Mar, due 27 Mar
    assert overdue == [(ref("R2"), "first contact (extract)", 34), (ref("R6"), "referral received", 4)]
    assert data["overdue_total"] == 2
    # R1 (low, 4 weeks) first contact 4 Mar: due 1 April, not overdue yet; overdue the day after
    assert ref("R1") in {i["referral_id"] for i in pr.waiting_well(ws, store, dt.date(2025, 4, 2))["teams"][0]
                         ["overdue"]}


def test_a_call_that_does_not_reach_the_person_does_not_restart_the_clock(store, ws):
    rid = ref("R6")
    done = pr.check_in(ws, store, rid, "not_reached", "officer", TODAY, contact_date="2025-03-28")
    assert done["overdue"] and done["last_contact"] == dt.date(2025, 3, 20)
    done = pr.check_in(ws, store, rid, "no_change", "officer", TODAY, contact_date=dt.date(2025, 3, 30))
    assert not done["overdue"] and done["next_check_in"] == dt.date(2025, 4, 6)


def test_a_higher_priority_shortens_the_interval(store, ws):
    rid = ref("R1")  # low: due 1 April
    assert not pr.detail(ws, store, rid, TODAY)["overdue"]
    pr.prioritise(ws, store, rid, {**LOW, "hospital": "awaiting_discharge"}, "screener", TODAY)
    d = pr.detail(ws, store, rid, TODAY)
    assert d["priority"] == "high" and d["check_in_weeks"] == 1 and d["overdue"]


def test_changed_circumstances_flag_the_referral_until_it_is_reprioritised(store, ws):
    rid = ref("R2")
    with pytest.raises(WorkspaceError, match="say what changed"):
        pr.check_in(ws, store, rid, "circumstances_changed", "officer", TODAY)
    done = pr.check_in(ws, store, rid, "circumstances changed", "officer", TODAY, notes="Had a fall on Saturday")
    assert done["needs_reprioritising"] and not done["overdue"]
    assert [i["referral_id"] for i in pr.waiting_well(ws, store, TODAY)["teams"][0]["needs_reprioritising"]] == [rid]
    done = pr.reprioritise(ws, store, rid, "screener", TODAY, "Had a fall on Saturday", priority="high")
    assert not done["needs_reprioritising"]
    assert done["decisions"][0]["check_in_id"] == done["check_ins"][0]["id"]


def test_a_check_in_can_reprioritise_at_once(store, ws):
    rid = ref("R1")
    with pytest.raises(WorkspaceError, match="only be recorded with the outcome circumstances_changed"):
        pr.check_in(ws, store, rid, "no_change", "officer", TODAY, priority="high")
    done = pr.check_in(ws, store, rid, "circumstances_changed", "officer", TODAY, priority="high",
                       notes="Carer admitted to hospital yesterday")
    assert (done["priority"], done["priority_source"], done["needs_reprioritising"]) == ("high", "reprioritised", False)
    assert done["decisions"][0]["what_changed"] == "Carer admitted to hospital yesterday"


def test_no_longer_needing_an_assessment_leaves_the_overdue_list(store, ws):
    rid = ref("R2")
    done = pr.check_in(ws, store, rid, "no_longer_needs_assessment", "officer", TODAY, contact_date="2025-03-02",
                       notes="Moved to live with her son in Leeds")
    assert done["no_longer_needs_assessment"] and not done["overdue"]
    north = pr.waiting_well(ws, store, TODAY)["teams"][0]
    assert rid not in {i["referral_id"] for i in north["overdue"]}
    assert [i["referral_id"] for i in north["no_longer_needs_assessment"]] == [rid]


def test_check_in_dates_and_outcomes_are_checked(store, ws):
    rid = ref("R1")
    with pytest.raises(WorkspaceError, match="outcome 'phoned' must be one of"):
        pr.check_in(ws, store, rid, "phoned", "officer", TODAY)
    with pytest.raises(WorkspaceError, match="is in the future"):
        pr.check_in(ws, store, rid, "no_change", "officer", TODAY, contact_date="2025-04-01")
    with pytest.raises(WorkspaceError, match="before the referral was received"):
        pr.check_in(ws, store, rid, "no_change", "officer", TODAY, contact_date="2025-03-01")
    with pytest.raises(WorkspaceError, match="contact date '31/02' is not a date"):
        pr.check_in(ws, store, rid, "no_change", "officer", TODAY, contact_date="31/02")


# -- CLI -----------------------------------------------------------------------------------------------------
def _cli(*args: str):
    return CliRunner().invoke(app, list(args))


def test_cli_journey(store):
    s, rid = str(store), ref("R1")
    answers = [x for k, v in {**LOW, "carer": "broken_down"}.items() for x in ("--answer", f"{k}={v}")]
    r = _cli("referrals", "prioritise", rid, "--store", s, "--today", "2025-03-31", "--actor", "screener", *answers)
    assert r.exit_code == 0, r.output
    assert "overrides: carer_breakdown -> high" in r.output
    r = _cli("referrals", "verify", rid, "--store", s, "--today", "2025-03-31", "--priority", "medium",
             "--reason", "Son has moved back home to care", "--actor", "supervisor")
    assert r.exit_code == 0 and "changed" in r.output and "from high to medium" in r.output
    r = _cli("referrals", "check-in", rid, "--store", s, "--today", "2025-03-31", "--outcome", "no_change",
             "--date", "2025-03-30")
    assert r.exit_code == 0 and "Contacted: no change" in r.output
    r = _cli("referrals", "reprioritise", rid, "--store", s, "--today", "2025-03-31", "--priority", "low",
             "--what-changed", "Reablement started this week")
    assert r.exit_code == 0 and "medium -> low" in r.output
    r = _cli("referrals", "queue", "--store", s, "--today", "2025-03-31", "--team", "North Team", "--json")
    data = json.loads(r.output)
    assert [i["referral_id"] for i in data] == [ref("R6"), ref("R2"), rid]
    assert data[-1]["priority_source"] == "reprioritised"
    r = _cli("referrals", "waiting-well", "--store", s, "--today", "2025-03-31")
    assert r.exit_code == 0 and "2 overdue" in r.output and ref("R2") in r.output
    r = _cli("referrals", "show", rid, "--store", s, "--today", "2025-03-31")
    assert "Son has moved back home to care" in r.output and "Reablement started this week" in r.output


def test_cli_refuses_bad_input_with_exit_code_2(store):
    s = str(store)
    r = _cli("referrals", "verify", ref("R2"), "--store", s, "--today", "2025-03-31", "--priority", "high")
    assert r.exit_code == 2 and "give a reason" in r.output
    r = _cli("referrals", "prioritise", ref("R2"), "--store", s, "--answer", "carer")
    assert r.exit_code == 2 and "QUESTION=ANSWER" in r.output
    r = _cli("referrals", "waiting-well", "--store", s, "--team", "Nowhere", "--today", "2025-03-31")
    assert r.exit_code == 2 and "not in the referrals extract" in r.output
    r = _cli("referrals", "tool", "--json")
    assert r.exit_code == 0 and json.loads(r.output)["check_in_weeks"]["high"] == 1


# -- demo ----------------------------------------------------------------------------------------------------
def _snapshot(ws: Workspace) -> list:
    with ws.read() as con:
        return [[tuple(r)[:-1] for r in con.execute(f"SELECT * FROM {t} ORDER BY id")]
                for t in ("referral_prioritisations", "priority_decisions", "waiting_check_ins")]


def test_the_demo_seed_is_deterministic_and_runs_once(tmp_path, store):
    import shutil

    other = tmp_path / "copy"
    shutil.copytree(store, other)
    first, second = Workspace.for_store(store), Workspace.for_store(other)
    pr.seed_demo(first, store, TODAY)
    pr.seed_demo(second, other, TODAY)
    assert _snapshot(first) == _snapshot(second)
    prioritised, decisions, check_ins = _snapshot(first)
    assert len(prioritised) == 4 and decisions and check_ins
    pr.seed_demo(first, store, TODAY)
    assert _snapshot(first) == [prioritised, decisions, check_ins]

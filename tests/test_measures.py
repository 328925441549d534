"""Meaningful Measures on small hand-built extracts whose answers are worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from asc_assure.cli import app
from asc_assure.data.ingest import ingest_file
from asc_assure.measures.engine import MeasureError, rebuild_snapshots, run_measures
from asc_assure.measures.registry import RegistryError, load_registry
from extracts import write_extract

KEY = bytes(range(32))
D = dt.date


def load(store: Path, tmp: Path, kind: str, rows: list[dict], as_of: dt.date) -> None:
    path = write_extract(tmp / f"{kind}_{as_of.isoformat()}_{len(list(tmp.glob('*.csv')))}.csv", kind, rows)
    result = ingest_file(store, path, as_of=as_of, key=KEY)
    assert result.rows_quarantined == 0, result.errors


def by_id(results: list[dict]) -> dict[str, dict]:
    return {r["id"]: r for r in results}


def ref(i, received, team="Team A", priority="high", **kw):
    return {"referral_id": f"R{i}", "person_id": f"P{i}", "received_date": received, "team": team,
            "locality": "North" if team == "Team A" else "South", "priority": priority, **kw}


@pytest.fixture
def referrals_store(tmp_path):
    store = tmp_path / "store"
    load(store, tmp_path, "referrals", [
        ref(1, "2025-03-01"),
        ref(2, "2025-03-21", priority=""),
        ref(3, "2025-03-30", team="Team B", priority="low"),
        ref(4, "2025-02-01", assessment_start_date="2025-03-01"),
        ref(5, "2025-03-10", closed_date="2025-03-20", closure_reason="no longer required"),
        ref(6, "2025-03-10", priority="medium", assessment_start_date="2025-04-02"),
        ref(7, "2025-04-01"),
        ref(8, "2025-03-02", closed_date="2025-03-28", closure_reason="moved away"),
        ref(9, "2025-03-01", assessment_start_date="2025-03-20", assessment_completed_date="2025-03-28"),
        ref(10, "2025-03-11", assessment_start_date="2025-03-24", assessment_completed_date="2025-03-31"),
    ], D(2025, 4, 5))
    load(store, tmp_path, "targets", [
        {"measure_id": "waiting_list.count", "effective_from": "2024-04-01", "target": "3", "amber_tolerance": "2"},
        {"measure_id": "waiting_list.count", "team": "Team A", "effective_from": "2024-04-01", "target": "5"},
    ], D(2025, 4, 5))
    return store


def test_waiting_list_on_a_date(referrals_store):
    r = by_id(run_measures(referrals_store, D(2025, 3, 31)))
    # waiting on 31 March: R1 (30 days), R2 (10), R3 (1), R6 (21; starts 2 April)
    assert r["waiting_list.count"]["value"] == 4
    assert r["waiting_list.longest_wait_days"]["value"] == 30
    assert r["waiting_list.mean_wait_days"]["value"] == 15.5
    assert r["waiting_list.median_wait_days"]["value"] == 15.5
    assert (r["waiting_list.pct_prioritised"]["value"], r["waiting_list.pct_prioritised"]["numerator"],
            r["waiting_list.pct_prioritised"]["denominator"]) == (75.0, 3, 4)
    teams = {b["key"]: b["value"] for b in r["waiting_list.count"]["breakdowns"]["team"]}
    assert teams == {"Team A": 3, "Team B": 1}
    priorities = {b["key"]: b["value"] for b in r["waiting_list.count"]["breakdowns"]["priority"]}
    assert priorities == {"high": 1, "low": 1, "medium": 1, "not prioritised": 1}


def test_targets_rag_exceptions_and_direction(referrals_store):
    r = by_id(run_measures(referrals_store, D(2025, 3, 31)))["waiting_list.count"]
    # 4 against a target of 3 with tolerance 2: Amber; the week before (R1, R2, R6, R8) was 4 too
    assert (r["target"], r["amber_tolerance"], r["rag"]) == (3.0, 2.0, "amber")
    assert (r["previous"], r["direction"], r["change_pct"]) == (4, "stable", 0.0)
    assert (r["exception"], r["exception_reason"]) == (True, "Amber for 2 consecutive periods")
    assert [p["value"] for p in r["trend"][-3:]] == [6, 4, 4]  # 17 March: R1, R5, R6, R8, R9, R10 (red)
    team_a = next(b for b in r["breakdowns"]["team"] if b["key"] == "Team A")
    assert team_a["rag"] == "green"  # the team's own target of 5
    assert r["last_year"] == 0 and r["change_vs_last_year_pct"] is None


def test_assessments_completed_in_the_period(referrals_store):
    r = by_id(run_measures(referrals_store, D(2025, 3, 31)))
    assert r["assessment.completed"]["value"] == 2  # R9 (27 days) and R10 (20 days)
    assert r["assessment.request_to_assessment_median_days"]["value"] == 23.5
    assert r["assessment.referrals_received"]["value"] == 1  # R3 on 30 March


def test_missing_data_and_empty_periods_say_so_not_zero(referrals_store):
    r = by_id(run_measures(referrals_store, D(2025, 3, 31)))
    assert r["safeguarding.triage_within_2wd_pct"]["value"] is None
    assert r["safeguarding.triage_within_2wd_pct"]["reason"] == "No safeguarding concerns extract has been loaded"
    quiet = by_id(run_measures(referrals_store, D(2024, 1, 7)))
    assert quiet["assessment.completed"]["value"] == 0 and quiet["assessment.completed"]["reason"] is None
    median = quiet["assessment.request_to_assessment_median_days"]
    assert median["value"] is None and "denominator is zero" in median["reason"]


def test_public_outputs_suppress_small_numbers(referrals_store):
    r = by_id(run_measures(referrals_store, D(2025, 3, 31), public=True))
    count = r["waiting_list.count"]
    assert (count["value"], count["suppressed"], count["previous"]) == ("[c]", True, None)
    assert r["waiting_list.pct_prioritised"]["value"] == "[c]"
    assert all(b["value"] == "[c]" for b in count["breakdowns"]["team"])


def concern(i, received, triaged="", decision="", enquiry=""):
    return {"concern_id": f"C{i}", "person_id": f"P{i}", "received_date": received, "urgent": "N",
            "team": "Safeguarding Team", "locality": "North", "triage_completed_date": triaged,
            "decision": decision, "enquiry_id": enquiry}


def test_safeguarding_timescales_in_working_days(tmp_path):
    """Timeliness counts the items whose deadline fell in the week ending Friday 2 January 2026."""
    store = tmp_path / "store"
    as_of = D(2026, 1, 2)  # 1 January is a bank holiday; the week runs from Saturday 27 December
    load(store, tmp_path, "safeguarding_concerns", [
        concern(1, "2025-12-27", "2025-12-30", "s42_enquiry", "E1"),  # Saturday: due Wed 31, triaged in time
        concern(2, "2025-12-29", "2026-01-02", "no_enquiry"),  # due Wed 31, triaged Fri 2: late
        concern(3, "2025-12-31"),  # due Mon 5 January: not in this week
        concern(4, "2025-12-29"),  # due Wed 31, never triaged: late
        concern(5, "2025-12-24", "2025-12-24", "no_enquiry"),  # due Tue 30 (Christmas): in time
        concern(6, "2025-08-25", "2025-08-26", "s42_enquiry", "E0"),
        concern(7, "2025-09-25", "2025-09-26", "s42_enquiry", "E2"),
        concern(8, "2025-09-25", "2025-09-26", "s42_enquiry", "E3"),
        concern(9, "2025-12-10", "2025-12-11", "s42_enquiry", "E4"),  # allocation due Mon 29 December
        concern(10, "2025-12-10", "2025-12-12", "s42_enquiry", "E5"),  # allocation due Tue 30 December
        concern(11, "2025-11-20", "2025-11-21", "s42_enquiry", "E6"),
    ], as_of)
    enq = {"person_id": "P1", "team": "Safeguarding Team", "enquiry_type": "s42_enquiry"}
    load(store, tmp_path, "safeguarding_enquiries", [
        {**enq, "enquiry_id": "E1", "concern_id": "C1", "start_date": "2025-12-30", "allocated_date": "2026-01-02"},
        {**enq, "enquiry_id": "E0", "concern_id": "C6", "start_date": "2025-09-01", "allocated_date": "2025-09-05"},
        {**enq, "enquiry_id": "E2", "concern_id": "C7", "start_date": "2025-10-01", "allocated_date": "2025-10-02",
         "completed_date": "2025-12-30", "msp_asked": "Y", "msp_outcome": "fully", "risk_outcome": "reduced"},
        {**enq, "enquiry_id": "E3", "concern_id": "C8", "start_date": "2025-10-01", "allocated_date": "2025-10-02",
         "completed_date": "2025-12-31", "msp_asked": "N", "msp_outcome": "not_expressed",
         "risk_outcome": "remains"},
        {**enq, "enquiry_id": "E4", "concern_id": "C9", "start_date": "2025-12-22", "allocated_date": "2025-12-22",
         "completed_date": "2025-12-23", "msp_asked": "Y", "msp_outcome": "fully", "risk_outcome": "removed"},
        {**enq, "enquiry_id": "E5", "concern_id": "C10", "start_date": "2025-12-15"},  # never allocated
        {**enq, "enquiry_id": "E6", "concern_id": "C11", "start_date": "2025-11-27", "allocated_date": "2025-11-28",
         "completed_date": "2025-12-19", "msp_asked": "Y", "msp_outcome": "partially", "risk_outcome": "reduced"},
    ], as_of)
    r = by_id(run_measures(store, as_of))
    triage = r["safeguarding.triage_within_2wd_pct"]
    assert (triage["numerator"], triage["denominator"], triage["value"]) == (2, 4, 50.0)  # C1, C5 of C1, C2, C4, C5
    assert r["safeguarding.concerns_received"]["value"] == 4  # C1 to C4
    assert r["safeguarding.concern_to_enquiry_conversion_pct"]["value"] == 50.0  # C1 and C2 triaged this week
    alloc = r["safeguarding.allocation_within_10wd_pct"]
    assert (alloc["numerator"], alloc["denominator"]) == (1, 2)  # E4 in 7 working days; E5 not allocated
    within20 = r["safeguarding.enquiry_within_20wd_pct"]
    assert (within20["numerator"], within20["denominator"]) == (1, 1)  # E6: due Tue 30 December, done 19th
    assert r["safeguarding.open_enquiries"]["value"] == 3  # E0, E1 and E5
    assert r["safeguarding.open_over_12_weeks"]["value"] == 1  # E0, open 123 days
    assert r["safeguarding.msp_asked_pct"]["value"] == 50.0  # E2 asked, E3 not (completed this week)
    assert r["safeguarding.msp_fully_achieved_pct"]["value"] == 100.0  # E3 expressed no outcome
    assert r["safeguarding.risk_removed_or_reduced_pct"]["value"] == 50.0
    quiet = by_id(run_measures(store, D(2026, 1, 16)))["safeguarding.enquiry_within_20wd_pct"]
    assert quiet["value"] is None and "denominator is zero" in quiet["reason"]


def test_dols_reviews_brokerage_and_workforce(tmp_path):
    store = tmp_path / "store"
    as_of = D(2025, 3, 31)
    dols = {"person_id": "P1", "urgent": "N", "setting": "care_home"}
    load(store, tmp_path, "dols_applications", [
        {**dols, "application_id": "D1", "received_date": "2025-03-01", "completed_date": "2025-03-20",
         "outcome": "granted"},
        {**dols, "application_id": "D2", "received_date": "2025-03-05", "completed_date": "2025-03-26",
         "outcome": "granted"},
        {**dols, "application_id": "D3", "received_date": "2025-03-01", "completed_date": "2025-03-27",
         "outcome": "not_granted"},
        {**dols, "application_id": "D4", "urgent": "Y", "received_date": "2025-03-20",
         "completed_date": "2025-03-28", "outcome": "granted"},
        {**dols, "application_id": "D5", "urgent": "Y", "urgent_extended": "Y", "received_date": "2025-03-17",
         "completed_date": "2025-03-29", "outcome": "granted"},
        {**dols, "application_id": "D6", "received_date": "2025-03-01", "completed_date": "2025-03-28",
         "outcome": "withdrawn"},
        {**dols, "application_id": "D7", "received_date": "2025-01-10", "screening_priority": "high"},
        {**dols, "application_id": "D8", "received_date": "2025-03-30"},
    ], D(2025, 4, 5))
    svc = {"person_id": "P1", "team": "Reviewing Team"}
    load(store, tmp_path, "reviews", [
        {**svc, "service_id": "S1", "service_start_date": "2023-01-01", "last_review_date": "2024-06-01"},
        {**svc, "service_id": "S2", "service_start_date": "2023-01-01", "last_review_date": "2023-12-01"},
        {**svc, "service_id": "S3", "service_start_date": "2024-12-01"},
        {**svc, "service_id": "S4", "service_start_date": "2022-01-01", "service_end_date": "2025-01-01"},
        {**svc, "service_id": "S5", "service_start_date": "2023-05-01"},
    ], D(2025, 4, 5))
    b = {"person_id": "P1", "locality": "North"}
    load(store, tmp_path, "brokerage", [
        {**b, "request_id": "B1", "service_type": "home_care", "requested_date": "2025-03-25",
         "sourced_date": "2025-03-27"},
        {**b, "request_id": "B2", "service_type": "home_care", "requested_date": "2025-03-26",
         "sourced_date": "2025-03-31"},
        {**b, "request_id": "B3", "service_type": "home_care", "requested_date": "2025-03-30"},
        {**b, "request_id": "B4", "service_type": "home_care", "requested_date": "2025-03-25",
         "cancelled_date": "2025-03-26"},
        {**b, "request_id": "B5", "service_type": "care_home", "requested_date": "2025-03-25",
         "sourced_date": "2025-03-29"},
    ], D(2025, 4, 5))
    load(store, tmp_path, "workforce", [
        {"snapshot_date": "2025-02-28", "team": "A", "role": "Social worker", "headcount": "10", "fte": "9",
         "vacancies_fte": "1", "agency_fte": "0.5", "leavers_12m": "2"},
        {"snapshot_date": "2025-02-28", "team": "B", "role": "Social worker", "headcount": "5", "fte": "5",
         "vacancies_fte": "0", "agency_fte": "0", "leavers_12m": "0"},
        {"snapshot_date": "2025-04-30", "team": "A", "role": "Social worker", "headcount": "1", "fte": "1"},
    ], D(2025, 5, 1))
    r = by_id(run_measures(store, as_of))
    assert r["dols.open"]["value"] == 2
    assert {x["key"]: x["value"] for x in r["dols.open_by_priority"]["breakdowns"]["priority"]} == {
        "high": 1, "not screened": 1}
    assert r["dols.received"]["value"] == 1
    assert (r["dols.standard_within_21d_pct"]["numerator"], r["dols.standard_within_21d_pct"]["denominator"]) == (1, 2)
    assert (r["dols.urgent_within_7d_pct"]["numerator"], r["dols.urgent_within_7d_pct"]["denominator"]) == (1, 2)
    assert r["reviews.overdue_pct"]["value"] == 66.7  # S2 and S5 of S1, S2, S5
    assert r["reviews.reviewed_in_12_months_pct"]["value"] == 25.0  # S1 of S1, S2, S3, S5
    assert r["brokerage.home_care_within_48h_pct"]["value"] == 50.0
    assert r["brokerage.care_home_within_5d_pct"]["value"] == 100.0
    assert r["brokerage.median_days_to_source"]["value"] == 4.0
    assert r["workforce.vacancy_rate_pct"]["value"] == 6.7
    assert r["workforce.turnover_pct"]["value"] == 13.3
    assert r["workforce.agency_pct"]["value"] == 3.3


def test_a_council_can_add_and_change_measures_without_python(tmp_path, referrals_store):
    folder = tmp_path / "ours"
    folder.mkdir()
    (folder / "local.yaml").write_text("""
group: Local
source: referrals
measures:
  - id: waiting_list.count
    title: People waiting (our definition, prioritised only)
    definition: As the standard measure, counting only prioritised referrals.
    unit: count
    polarity: lower
    kind: snapshot
    aggregate: count
    sql: |
      SELECT p.as_of, r.team FROM referrals r JOIN periods p ON r.received_date <= p.as_of
      WHERE r.priority IS NOT NULL AND (r.assessment_start_date IS NULL OR r.assessment_start_date > p.as_of)
        AND (r.closed_date IS NULL OR r.closed_date > p.as_of)
  - id: local.high_priority_waiting
    title: High priority people waiting
    definition: People waiting whose referral is high priority.
    unit: count
    polarity: lower
    kind: snapshot
    target: 0
    aggregate: {count_if: high}
    sql: |
      SELECT p.as_of, r.priority = 'high' AS high FROM referrals r JOIN periods p ON r.received_date <= p.as_of
      WHERE (r.assessment_start_date IS NULL OR r.assessment_start_date > p.as_of)
        AND (r.closed_date IS NULL OR r.closed_date > p.as_of)
""")
    r = by_id(run_measures(referrals_store, D(2025, 3, 31), definitions=folder))
    assert r["waiting_list.count"]["value"] == 3
    assert r["waiting_list.count"]["title"].startswith("People waiting (our definition")
    assert (r["local.high_priority_waiting"]["value"], r["local.high_priority_waiting"]["rag"]) == (1, "red")


@pytest.mark.parametrize(
    ("text", "message"),
    [("measures: [{id: x}]", "missing 'title'"),
     ("group: G\nsource: referrals\nmeasures:\n  - {id: x, title: X, definition: d, unit: parsecs, polarity: lower,"
      " sql: 'select 1', aggregate: count}", "unit must be one of"),
     ("group: G\nsource: referrals\nmeasures:\n  - {id: x, title: X, definition: d, unit: count, polarity: lower,"
      " sql: 'select 1', aggregate: {mode: y}}", "unknown aggregate"),
     ("measures: [", "not valid YAML")],
)
def test_bad_definitions_are_rejected_naming_the_file(tmp_path, text, message):
    (tmp_path / "bad.yaml").write_text(text)
    with pytest.raises(RegistryError, match=message) as info:
        load_registry(tmp_path)
    assert "bad.yaml" in str(info.value)


def test_broken_measure_sql_names_the_measure(tmp_path, referrals_store):
    (tmp_path / "m.yaml").write_text(
        "group: G\nsource: referrals\nmeasures:\n  - {id: local.broken, title: X, definition: d, unit: count,"
        " polarity: lower, sql: 'SELECT p.as_of FROM nowhere p', aggregate: count}")
    with pytest.raises(MeasureError, match=r"local\.broken"):
        run_measures(referrals_store, D(2025, 3, 31), definitions=tmp_path)


def test_shipped_registry_has_every_measure_the_issue_names():
    ids = set(load_registry())
    required = """waiting_list.count waiting_list.longest_wait_days waiting_list.mean_wait_days
    waiting_list.median_wait_days waiting_list.pct_prioritised assessment.request_to_assessment_median_days
    safeguarding.concerns_received safeguarding.triage_within_2wd_pct safeguarding.allocation_within_10wd_pct
    safeguarding.enquiry_within_20wd_pct safeguarding.open_enquiries safeguarding.open_over_12_weeks
    safeguarding.concern_to_enquiry_conversion_pct safeguarding.msp_asked_pct safeguarding.msp_fully_achieved_pct
    safeguarding.risk_removed_or_reduced_pct dols.received dols.open dols.open_by_priority
    dols.standard_within_21d_pct dols.urgent_within_7d_pct reviews.overdue_pct brokerage.home_care_within_48h_pct
    brokerage.care_home_within_5d_pct workforce.vacancy_rate_pct workforce.turnover_pct workforce.agency_pct"""
    assert set(required.split()) <= ids


def test_cli_measures_json_and_snapshots(referrals_store):
    runner = CliRunner()
    out = runner.invoke(app, ["measures", "--store", str(referrals_store), "--as-of", "2025-03-31", "--json",
                              "--id", "waiting_list.count", "--save"])
    assert out.exit_code == 0, out.output
    [row] = json.loads(out.output)
    for key in ("id", "title", "value", "numerator", "denominator", "unit", "target", "rag", "previous",
                "change_pct", "breakdowns"):
        assert key in row
    assert (referrals_store / "results" / "week" / "2025-03-31.json").exists()
    paths = rebuild_snapshots(referrals_store, D(2025, 3, 3), D(2025, 3, 31))
    assert [p.stem for p in paths] == ["2025-03-03", "2025-03-10", "2025-03-17", "2025-03-24", "2025-03-31"]
    saved = json.loads(paths[-1].read_text())
    assert by_id(saved["measures"])["waiting_list.count"]["value"] == 4
    bad = runner.invoke(app, ["measures", "--store", str(referrals_store), "--id", "no.such.measure"])
    assert bad.exit_code == 2 and "unknown measure" in bad.output
    listed = json.loads(runner.invoke(app, ["measures", "list", "--json"]).output)
    assert any(m["id"] == "dols.open" for m in listed)


def test_published_measure_catalogue_is_up_to_date():
    from asc_assure.measures.catalogue import render_catalogue

    doc = Path(__file__).resolve().parents[1] / "docs" / "measure-catalogue.md"
    assert doc.read_text(encoding="utf-8") == render_catalogue(), (
        "docs/measure-catalogue.md is stale: run `asc-assure measures doc --out docs/measure-catalogue.md`")


def test_measures_sharing_sql_give_the_same_figures_computed_together(referrals_store):
    import pyarrow as pa

    from asc_assure.data.store import Store
    from asc_assure.measures.engine import compute_group, compute_series, open_db
    from asc_assure.measures.periods import window

    registry = load_registry()
    waiting = [m for m in registry.values() if m.id.startswith("waiting_list.")]
    assert len({m.sql for m in waiting}) == 1 and len({m.breakdowns for m in waiting}) == 2
    con, _ = open_db(Store(referrals_store), D(2025, 3, 31))
    dates = [D(2025, 3, 17), D(2025, 3, 24), D(2025, 3, 31)]
    con.register("_p", pa.Table.from_pydict({"as_of": dates, "period_start": [window(d, "week").start
                                                                             for d in dates]}))
    con.execute("CREATE TABLE periods AS SELECT * FROM _p")
    together = compute_group(con, waiting)
    for m in waiting:
        assert together[m.id] == compute_series(con, m), m.id


@pytest.mark.parametrize(("as_of", "start"), [
    (dt.date(2025, 3, 31), dt.date(2025, 1, 1)),   # Q4 of 2024-25: January to March, not from the year before
    (dt.date(2025, 1, 1), dt.date(2025, 1, 1)),
    (dt.date(2024, 6, 30), dt.date(2024, 4, 1)),
    (dt.date(2024, 9, 15), dt.date(2024, 7, 1)),
    (dt.date(2024, 12, 31), dt.date(2024, 10, 1)),
])
def test_a_quarter_covers_its_own_three_months(as_of, start):
    from asc_assure.measures.periods import window

    assert window(as_of, "quarter").start == start

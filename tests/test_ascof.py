"""ASCOF from the CLD by DHSC's method: one hand-worked case per rule, then a synthetic council.

Small CLD tables are built in memory with the store's column names and run through the same SQL files
and engine as ``asc-assure ascof``; each test says which rule of DHSC's code it checks.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
import sqlglot
from typer.testing import CliRunner

from asc_assure.cli import app
from asc_assure.data.contracts import code_lists, get_contract
from asc_assure.data.stored import stored_schema
from asc_assure.measures.ascof import engine
from asc_assure.measures.ascof.catalogue import MEASURES, round_half_away
from asc_assure.measures.ascof.periods import PeriodError, available, financial_year, from_key, resolve, rolling

D = dt.date.fromisoformat
FY = financial_year("2024-25")
LA = "999"
PREV = {"reporting_period_start_date": D("2023-04-01"), "reporting_period_end_date": D("2024-03-31")}


def _table(kind: str, rows: list[dict]) -> pa.Table:
    schema = stored_schema(get_contract(kind))
    return pa.Table.from_pydict({f.name: [r.get(f.name) for r in rows] for f in schema}, schema=schema)


def event(person: str, event_type: str = "Service", start: str = "2024-06-01", end: str | None = None,
          **fields) -> dict:
    """A stored CLD row for one event, in a 2024-25 submission of council 999."""
    row = {"la_code": LA, "reporting_period_start_date": D("2024-04-01"), "reporting_period_end_date": D("2025-03-31"),
           "nhs_number_pseudo": f"N-{person}", "la_person_unique_identifier": f"P-{person}",
           "client_type": "Service user", "date_of_birth": D("1940-01-01"), "gender": "Female",
           "event_type": event_type, "event_start_date": D(start), "event_end_date": D(end) if end else None,
           "_load_seq": 1, "_row": 1}
    for k, v in fields.items():
        row[k] = D(v) if k.startswith("date_of") and isinstance(v, str) else v
    return row


def reablement(person: str, start: str, end: str | None, outcome: str = "NFA: Support ended as planned", **kw) -> dict:
    fields = {"service_type": "Short term support: ST-Max", "service_component": "Reablement", **kw}
    return event(person, "Service", start, end, event_outcome=outcome, **fields)


def compute(cld: list[dict], population: list[dict] | None = None, hospital: list[dict] | None = None,
            period=FY) -> engine.AscofResult:
    con = duckdb.connect()
    for kind, rows in (("cld", cld), ("population", population or []), ("hospital_episodes", hospital or [])):
        con.register(f"_{kind}", _table(kind, rows))
        con.execute(f"CREATE TABLE {kind} AS SELECT * FROM _{kind}")
    for i, r in enumerate(cld):
        r["_row"] = i + 1
    try:
        return engine.compute(con, period)
    finally:
        con.close()


def figure(result: engine.AscofResult, measure: str, grp: str) -> tuple:
    (row,) = [r for r in result.rows if r["measure"] == measure and r["grp"] == grp]
    return row["numerator"], row["denominator"], row["outcome"]


def clusters(result: engine.AscofResult) -> list[dict]:
    return result.details["ascof_2a_by_sequel"]


def sequel(result: engine.AscofResult) -> list[tuple[str, str, int]]:
    return [(r["sequel_type"], r["final_outcome"], r["episodes"]) for r in clusters(result)]


# ----------------------------------------------------------------------------- 2A
def test_2a_episodes_seven_days_apart_join_and_eight_days_apart_do_not():
    cld = [reablement("a", "2024-06-01", "2024-06-10"), reablement("a", "2024-06-17", "2024-06-30"),
           reablement("b", "2024-06-01", "2024-06-10"), reablement("b", "2024-06-18", "2024-06-30")]
    result = compute(cld)
    # a: one episode (7-day gap joins); b: two episodes (8 days apart)
    assert figure(result, "2A", "Total")[:2] == (3, 3)


def test_2a_new_client_rule_is_91_days_without_long_term_support():
    cld = [reablement("a", "2024-06-01", "2024-06-20"), reablement("b", "2024-06-01", "2024-06-20"),
           event("a", start="2023-01-01", end="2024-03-02", service_type="Long term support: Community", **PREV),
           event("b", start="2023-01-01", end="2024-03-03", service_type="Long term support: Community", **PREV)]
    # a's support ended 91 days before reablement began (a new client); b's 90 days before (not new)
    result = compute(cld)
    assert figure(result, "2A", "Total")[:2] == (1, 1)


def test_2a_open_long_term_support_means_not_a_new_client():
    cld = [reablement("a", "2024-06-01", "2024-06-20"),
           event("a", start="2024-01-01", service_type="Long term support: Community")]
    assert figure(compute(cld), "2A", "Total")[:2] == (0, 0)


def test_2a_sequel_hierarchy_takes_death_before_a_service_and_long_term_support_over_short_term():
    cld = [
        # died 7 days after the end, with a service that would otherwise be the sequel: deceased wins
        reablement("d", "2024-06-01", "2024-06-20", date_of_death="2024-06-27"),
        event("d", start="2024-06-22", end="2024-06-26", service_type="Long term support: Community",
              date_of_death="2024-06-27"),
        # long-term community and ongoing low level support both start within 7 days: long-term wins
        reablement("l", "2024-06-01", "2024-06-20"),
        event("l", start="2024-06-25", service_type="Short term support: Ongoing low level"),
        event("l", start="2024-06-27", service_type="Long term support: Community"),
        # short-term residential care after reablement has its own sequel
        reablement("r", "2024-06-01", "2024-06-20"),
        event("r", start="2024-06-21", end="2024-07-10", service_type="Short term support: Other short term",
              service_component="Short term residential care"),
        # hospital admission as the episode's outcome comes before any service
        reablement("h", "2024-06-01", "2024-06-20", outcome="Admitted to hospital"),
        event("h", start="2024-06-21", service_type="Long term support: Nursing care"),
    ]
    got = sorted(sequel(compute(cld)))
    assert got == [("1", "NFA: Deceased", 1), ("2", "Admitted to hospital", 1),
                   ("3", "Long term support: Community", 1),
                   ("3", "Short term support: Residential or Nursing care", 1)]
    result = compute(cld)
    # deceased and hospital are in neither part; the long-term and residential sequels only in the denominator
    assert figure(result, "2A", "Total")[:2] == (0, 2)


def test_2a_death_eight_days_after_the_episode_is_not_deceased_and_the_next_rule_gives_the_sequel():
    # DHSC rule 1: 'NFA: Deceased' when DATEDIFF(day, cluster end, death) <= 7. Episodes end 20 June; died
    # 28 June: 28 - 20 = 8 > 7, so rule 1 does not apply and the hierarchy carries on (the +7 case is above).
    cld = [
        # s: a long-term community service starting 2 days after the end (22 June <= 20 + 7) -> rule 3
        reablement("s", "2024-06-01", "2024-06-20", date_of_death="2024-06-28"),
        event("s", start="2024-06-22", end="2024-06-26", service_type="Long term support: Community",
              date_of_death="2024-06-28"),
        # o: nothing after the episode -> rule 4a, the episode's own usable outcome
        reablement("o", "2024-06-01", "2024-06-20", date_of_death="2024-06-28"),
    ]
    result = compute(cld)
    assert sorted(sequel(result)) == [("3", "Long term support: Community", 1),
                                      ("4a", "NFA: Support ended as planned", 1)]
    # s: long-term support -> denominator only; o: support ended as planned -> both parts: 1 / 2
    assert figure(result, "2A", "Total")[:2] == (1, 2)


def test_2a_sequel_from_a_later_assessment_equipment_and_unclassifiable():
    cld = [
        # unclassifiable episode outcome, then an assessment in the window saying information and advice
        reablement("a", "2024-06-01", "2024-06-20", outcome="Progress to support planning or services"),
        event("a", "Assessment", "2024-06-22", "2024-06-25", event_outcome="NFA: Information and advice or signposting",
              assessment_type="Long term assessment"),
        # unclassifiable outcome, equipment delivered during the episode
        reablement("e", "2024-06-01", "2024-06-20", outcome="Continuation of support or services"),
        event("e", start="2024-06-03", end="2024-06-05", service_type="Short term support: Ongoing low level",
              service_component="Equipment"),
        # unclassifiable and nothing else: stays unclassifiable, out of both parts
        reablement("u", "2024-06-01", "2024-06-20", outcome="Progress to assessment, review or reassessment"),
    ]
    result = compute(cld)
    assert sorted(sequel(result)) == [
        ("4b", "NFA: Information and advice or signposting", 1),
        ("5", "Short term support: Ongoing low level", 1),
        ("6", "Progress to assessment, review or reassessment", 1)]
    assert figure(result, "2A", "Total")[:2] == (2, 2)


def test_2a_age_is_taken_at_the_episode_end_and_unknown_age_counts_only_in_the_total():
    cld = [reablement("a", "2024-06-01", "2024-07-05", date_of_birth="1959-07-01"),  # 65 on 1 July 2024
           reablement("b", "2024-06-01", "2024-06-20", date_of_birth=None),
           reablement("c", "2024-06-01", "2024-06-20", date_of_birth="2008-01-01")]  # 16: out
    result = compute(cld)
    assert figure(result, "2A", "65 and above")[:2] == (1, 1)
    assert figure(result, "2A", "18 to 64")[:2] == (0, 0)
    assert figure(result, "2A", "Total")[:2] == (2, 2)


def test_2a_counts_episodes_ending_in_the_period_only_and_not_people_who_died_before():
    cld = [reablement("a", "2024-03-01", "2024-03-31"),
           reablement("b", "2025-03-20", None),  # open: never ends in the period
           reablement("c", "2024-06-01", "2024-06-20", date_of_death="2024-05-01")]
    assert figure(compute(cld), "2A", "Total")[:2] == (0, 0)


# ----------------------------------------------------------------------------- 2B / 2C
POP = [{"la_code": LA, "year": 2024, "sex": "All", "age_band": "18 to 64", "count": 100_000},
       {"la_code": LA, "year": 2024, "sex": "All", "age_band": "65 and above", "count": 40_000}]


def care_home(person: str, start: str, end: str | None = None, **kw) -> dict:
    return event(person, start=start, end=end, service_type="Long term support: Residential care",
                 service_component="Long term residential care", **kw)


def test_2bc_new_admission_needs_365_days_since_the_last_placement():
    cld = [care_home("a", "2024-06-01"), care_home("a", "2023-01-01", "2023-06-02", **PREV),  # 365 days: new
           care_home("b", "2024-06-01"), care_home("b", "2023-01-01", "2023-06-03", **PREV),  # 364 days: not new
           care_home("c", "2024-07-01"), care_home("c", "2023-05-01", **PREV)]  # in a care home until April
    result = compute(cld, POP)
    assert figure(result, "2C", "65 and above") == (1, 40_000, 2.5)


def test_2bc_age_at_admission_self_funders_blank_components_and_population_per_100000():
    cld = [care_home("a", "2024-05-01", date_of_birth="1959-06-01"),  # 64 at admission: 2B
           care_home("b", "2024-05-01", event_outcome="NFA: Self-funded client or under 12wk disregard"),
           event("c", start="2024-05-01", service_type="Long term support: Nursing care"),  # blank component
           event("d", start="2024-05-01", service_type="Long term support: Nursing care",
                 service_component="Short term nursing care"),
           care_home("e", "2024-05-01", date_of_birth=None)]  # unknown age: not counted
    result = compute(cld, POP)
    assert figure(result, "2B", "18 to 64") == (1, 100_000, 1.0)
    assert figure(result, "2C", "65 and above")[0] == 0


def test_2bc_blank_component_on_long_term_residential_care_is_neither_an_admission_nor_a_previous_placement():
    # DHSC's build keeps `(component IS NULL OR LIKE '%Residential%' OR LIKE '%Nursing%') AND component NOT LIKE
    # '%Short%'`; NULL NOT LIKE is unknown, so a blank component leaves the build table altogether.
    q4 = {"reporting_period_start_date": D("2024-01-01"), "reporting_period_end_date": D("2024-03-31")}
    blank = {"service_type": "Long term support: Residential care", "service_component": None}
    cld = [
        event("y", start="2024-05-01", **blank),  # blank component: no admission
        # x: the earlier placement (ended 31 March, 62 days before 1 June) has a blank component, so it is not in
        # the build and cannot make the June admission 'not new' (62 < 365 would otherwise): new -> counted
        event("x", start="2024-01-01", end="2024-03-31", **blank, **q4), care_home("x", "2024-06-01"),
        # z: the same history with the component filled in: 62 days < 365 -> not new
        care_home("z", "2024-01-01", "2024-03-31", **q4), care_home("z", "2024-06-01"),
    ]
    result = compute(cld, POP)
    # numerator x = 1; 1 / 40,000 * 100,000 = 2.5
    assert figure(result, "2C", "65 and above") == (1, 40_000, 2.5)
    assert figure(result, "2B", "18 to 64")[0] == 0


def test_2bc_without_a_population_file_is_not_available():
    result = compute([care_home("a", "2024-05-01")])
    row = next(r for r in result.rows if r["measure"] == "2C")
    assert row["available"] is False and row["outcome"] is None and row["numerator"] == 1
    assert any("population" in n for n in result.notes)


def test_population_estimate_is_the_latest_mid_year_not_after_the_period_start():
    pop = [{**POP[1], "year": 2023, "count": 30_000}, {**POP[1], "year": 2024, "count": 40_000},
           {**POP[1], "year": 2025, "count": 50_000},
           {"la_code": LA, "year": 2024, "sex": "Male", "age_band": "18 to 64", "count": 49_000},
           {"la_code": LA, "year": 2024, "sex": "Female", "age_band": "18 to 64", "count": 51_000}]
    result = compute([care_home("a", "2024-05-01")], pop)
    assert figure(result, "2C", "65 and above")[1] == 40_000
    assert figure(result, "2B", "18 to 64")[1] == 100_000  # Male + Female when 'All' is missing


# ----------------------------------------------------------------------------- 2E
def lts(person: str, start: str = "2024-01-01", end: str | None = None, **kw) -> dict:
    fields = {"service_type": "Long term support: Community", "service_component": "Home support or domiciliary care",
              **kw}
    return event(person, start=start, end=end, **fields)


def test_2e_settled_accommodation_by_age_and_gender_with_unknowns_deduced_from_services():
    cld = [lts("a", accommodation_status="Owner occupier or shared ownership scheme", gender="Male"),
           lts("b", accommodation_status="Registered care home", gender="Female"),
           lts("c", accommodation_status="Unknown", gender="Female"),  # home care -> presumed at home
           lts("d", accommodation_status="Tenant: Private landlord", date_of_birth="1990-01-01", gender="Male",
               primary_support_reason="Learning disability support"),
           lts("e", accommodation_status="Tenant: Private landlord", date_of_birth=None),  # unknown age: no group
           lts("f", accommodation_status="Tenant: Private landlord", date_of_death="2024-03-01")]  # died before
    result = compute(cld)
    assert figure(result, "2E", "65 and above: Male") == (1, 1, 100.0)
    assert figure(result, "2E", "65 and above: Female") == (1, 2, 50.0)
    assert figure(result, "2E", "65 and above: Total") == (2, 3, 66.7)
    assert figure(result, "2E", "18 to 64: Total") == (1, 1, 100.0)
    assert figure(result, "2E LD", "18 to 64: Male") == (1, 1, 100.0)


def test_2e_latest_accommodation_wins_and_conflicting_records_become_unknown():
    cld = [lts("a", accommodation_status="Registered care home", start="2023-06-01", end="2024-05-01"),
           lts("a", accommodation_status="Tenant: Private landlord", start="2024-05-02"),
           lts("b", accommodation_status="Tenant: Private landlord", service_component="Day support"),
           lts("b", accommodation_status="Rough sleeper or squatting", service_component="Meals")]
    result = compute(cld)
    statuses = {r["accommodation_status"]: r["people"] for r in result.details["ascof_2e_by_accommodation"]}
    # b's two records tie and disagree -> Unknown; no home support component -> presumed in community
    assert statuses == {"Tenant: Private landlord": 1, "Unknown: Presumed in community": 1}


# ----------------------------------------------------------------------------- 3D
def test_3d_clients_top_setting_and_delivery_mechanism_at_period_end():
    cld = [
        lts("dp", service_component="Direct payment"),
        lts("pb", delivery_mechanism="CASSR managed personal budget"),
        lts("cs", delivery_mechanism="CASSR commissioned support"),
        lts("nh", delivery_mechanism="Direct payment"),  # also in a nursing home: counted there, not here
        event("nh", start="2024-09-01", service_type="Long term support: Nursing care",
              service_component="Long term nursing care"),
        lts("ended", end="2025-03-30", delivery_mechanism="Direct payment"),  # not open on 31 March
        lts("died", delivery_mechanism="Direct payment", date_of_death="2025-03-30"),
        lts("young", delivery_mechanism="Direct payment", date_of_birth="2010-01-01"),
        lts("noage", delivery_mechanism="Direct payment", date_of_birth=None),
    ]
    result = compute(cld)
    assert figure(result, "3D1a", "65 and above") == (2, 3, 66.7)
    assert figure(result, "3D2a", "65 and above") == (1, 3, 33.3)
    assert figure(result, "3D2a", "Total") == (2, 4, 50.0)  # the unknown age counts in the total only
    assert figure(result, "3D1a", "18 to 64") == (0, 0, 0.0)  # zero denominator -> 0, as DHSC publishes


def test_3d_carers_best_support_in_year_and_the_blank_component_quirk():
    carer = {"client_type": "Unpaid carer"}
    direct = "Unpaid carer support: Direct to unpaid carer"
    cld = [
        event("c1", start="2024-05-01", end="2024-06-01", service_type=direct, delivery_mechanism="Direct payment",
              **carer),
        event("c1", "Assessment", "2024-04-10", "2024-04-20", event_outcome="Progress to support planning or services",
              **carer),
        event("c2", start="2024-05-01", service_type=direct, delivery_mechanism="CASSR commissioned support",
              service_component="Other unpaid carer support", **carer),
        # managed budget but no component: DHSC's CASE gives no category, so the carer is not counted
        event("c3", start="2024-05-01", service_type=direct, delivery_mechanism="CASSR managed personal budget",
              **carer),
        event("c4", "Assessment", "2024-05-01", "2024-05-02",
              event_outcome="NFA: Information and advice or signposting", **carer),
    ]
    result = compute(cld)
    assert figure(result, "3D1b", "Total") == (1, 2, 50.0)
    assert figure(result, "3D2b", "Total") == (1, 2, 50.0)
    support = {r["support"] for r in result.details["ascof_3d_by_support"] if r["measure"] == "3D carers"}
    assert support == {"Direct Payment only", "CASSR Commissioned Support only",
                       "Information, Advice and Other Universal Services / Signposting"}


# ----------------------------------------------------------------------------- services open across quarters
QUARTERS = {"2023Q3": ("2023-10-01", "2023-12-31"), "2023Q4": ("2024-01-01", "2024-03-31"),
            "Q1": ("2024-04-01", "2024-06-30"), "Q2": ("2024-07-01", "2024-09-30"), "Q3": ("2024-10-01", "2024-12-31")}
POP_2023_2024 = POP + [{**p, "year": 2023} for p in POP]


def submitted(row: dict, *quarters: str) -> list[dict]:
    """The same event as it appears in each quarterly submission named (one load per quarter, in order)."""
    order = list(QUARTERS)
    return [{**row, "reporting_period_start_date": D(QUARTERS[q][0]), "reporting_period_end_date": D(QUARTERS[q][1]),
             "_load_seq": order.index(q) + 1} for q in quarters]


def test_services_open_across_quarters_count_once_in_the_right_period_and_unresubmitted_ones_are_cropped():
    # The council's latest submission is Q3 2024-25 (October to December 2024). DHSC keeps one record per
    # unique service (LA, person, start, client type, service type, component; not the end date), from the
    # latest reference period; an open service missing from the next period's file is cropped to the end of
    # the last period it was in (methodology 6, steps 2 and 3).
    cld = [
        # admitted 1 Dec 2023, still open in five quarterly files
        *submitted(care_home("old", "2023-12-01", accommodation_status="Registered care home"),
                   "2023Q3", "2023Q4", "Q1", "Q2", "Q3"),
        # admitted 15 Aug 2024, still open in Q2 and Q3
        *submitted(care_home("new", "2024-08-15", accommodation_status="Registered care home"), "Q2", "Q3"),
        # home care paid by direct payment from 1 May 2024, open in every file since
        *submitted(lts("dp", "2024-05-01", service_component="Direct payment",
                       accommodation_status="Owner occupier or shared ownership scheme"), "Q1", "Q2", "Q3"),
        # commissioned home care from 1 May 2024, open in Q1 and Q2, missing from Q3: cropped to 30 Sep 2024
        *submitted(lts("gone", "2024-05-01", delivery_mechanism="CASSR commissioned support",
                       accommodation_status="Tenant: Private landlord"), "Q1", "Q2"),
    ]
    to_sep = compute([dict(r) for r in cld], POP_2023_2024, period=rolling(D("2024-09-30")))  # 1 Oct 23 - 30 Sep 24
    to_dec = compute([dict(r) for r in cld], POP_2023_2024, period=rolling(D("2024-12-31")))  # 1 Jan 24 - 31 Dec 24

    # 2C, admissions starting in the period, each person once however many files repeat the open service:
    # to Sep: old (1 Dec 23) + new (15 Aug 24) = 2; to Dec: new only (old started before 1 Jan 24) = 1.
    assert figure(to_sep, "2C", "65 and above")[:2] == (2, 40_000)
    assert figure(to_dec, "2C", "65 and above")[:2] == (1, 40_000)
    # 2E, everyone with long-term support active in the period, once: old, new (care home: unsettled), dp, gone
    # (settled); gone's cropped service (to 30 Sep 24) is still active in both periods -> 2 / 4 in each.
    assert figure(to_sep, "2E", "65 and above: Total")[:2] == (2, 4)
    assert figure(to_dec, "2E", "65 and above: Total")[:2] == (2, 4)
    # 3D, snapshot on the last day: care homes are not community clients. 30 Sep 24: dp (direct payment) and
    # gone (cropped end 30 Sep >= 30 Sep, commissioned) -> 3D1a 1 / 2, 3D2a 1 / 2. 31 Dec 24: gone's cropped
    # service ended before the snapshot -> dp only, 1 / 1 (uncropped, gone would still count: 1 / 2).
    assert figure(to_sep, "3D1a", "65 and above")[:2] == (1, 2)
    assert figure(to_sep, "3D2a", "65 and above")[:2] == (1, 2)
    assert figure(to_dec, "3D1a", "65 and above")[:2] == (1, 1)
    assert figure(to_dec, "3D2a", "65 and above")[:2] == (1, 1)


def test_a_service_with_a_future_end_date_missing_from_the_next_file_is_cropped_as_dhsc_does():
    # DHSC crops services in a prior reference period whose end is blank *or after the period end*
    # (GetDerivedFields: `Der_Event_End_Date IS NULL OR Der_Event_End_Date > Ref_Period_End_Date`) when they are
    # not in the next period's file. This service, planned to end 30 Jun 2025 but missing from Q3, is cropped to
    # 30 Sep 24, so at 31 Dec 24 only dp is counted: 3D1a 1 / 1, 3D2a 1 / 1. At 30 Sep 24 both are open: 2 / 2.
    cld = [*submitted(lts("dp", "2024-05-01", service_component="Direct payment"), "Q1", "Q2", "Q3"),
           *submitted(lts("planned", "2024-05-01", "2025-06-30", delivery_mechanism="CASSR managed personal budget"),
                      "Q1", "Q2")]
    to_dec = compute(cld, period=rolling(D("2024-12-31")))
    assert figure(to_dec, "3D1a", "65 and above")[:2] == (1, 1)
    assert figure(to_dec, "3D2a", "65 and above")[:2] == (1, 1)
    to_sep = compute(cld, period=rolling(D("2024-09-30")))
    assert figure(to_sep, "3D1a", "65 and above")[:2] == (2, 2)


CLD_HEADER = ["LA Code", "Reporting Period Start Date", "Reporting Period End Date", "LA Person Unique Identifier",
              "NHS Number", "Client Type", "Event Type", "Event Start Date", "Event End Date", "Event Outcome",
              "Service Type", "Service Component", "Delivery Mechanism", "Date of Birth", "Gender", "Postcode"]


def cld_line(period: tuple[str, str], person: str, start: str, end: str = "",
             outcome: str = "NFA: Support ended as planned", service: str = "Short term support: ST-Max",
             component: str = "Reablement", mechanism: str = "") -> list[str]:
    return [LA, *period, person, "", "Service user", "Service", start, end, outcome, service, component, mechanism,
            "1940-01-01", "Female", "OX1 1AA"]


def test_resubmitted_events_are_counted_once_and_the_later_submission_supersedes(tmp_path: Path):
    # Through the store, as a council loads its files: two 12-month submissions whose periods overlap
    # (to 30 Jun 24 and to 30 Sep 24) and a resubmission of the first. The store replaces a submission for the
    # same council and period (docs/ingest-and-store.md); across overlapping periods DHSC's deduplication keeps
    # one record per unique event, from the latest reference period (methodology 6, step 3).
    from asc_assure.data.ingest import ingest_file
    from conftest import write_csv

    jun, sep = ("2023-07-01", "2024-06-30"), ("2023-10-01", "2024-09-30")
    dp = {"service": "Long term support: Community", "component": "Home support or domiciliary care",
          "mechanism": "Direct payment", "outcome": "Continuation of support or services"}
    first = [
        # a: outcome corrected in the later file; the earlier 'Progress to support planning' would win on the
        # outcome hierarchy (4 before 14) and leave the episode unclassifiable (sequel 6, in neither part)
        cld_line(jun, "a", "2024-05-01", "2024-05-20", outcome="Progress to support planning or services"),
        cld_line(jun, "b", "2024-06-01", "2024-06-15"),  # identical in both files
        cld_line(jun, "c", "2024-06-20"),  # open at 30 Jun, ended 10 Jul in the later file
        cld_line(jun, "e", "2024-05-01", **dp),  # open in both files
    ]
    files = [
        write_csv(tmp_path / "cld_to_jun_v1.csv", CLD_HEADER, [*first, cld_line(jun, "f", "2024-06-01", "2024-06-10")]),
        write_csv(tmp_path / "cld_to_jun_v2.csv", CLD_HEADER, first),  # resubmission: f withdrawn
        write_csv(tmp_path / "cld_to_sep.csv", CLD_HEADER, [
            cld_line(sep, "a", "2024-05-01", "2024-05-20"), cld_line(sep, "b", "2024-06-01", "2024-06-15"),
            cld_line(sep, "c", "2024-06-20", "2024-07-10"), cld_line(sep, "e", "2024-05-01", **dp)]),
    ]
    store = tmp_path / "store"
    for f in files:
        r = ingest_file(store, f, as_of=D("2024-10-31"), key=bytes(range(32)))
        assert (r.status, r.rows_quarantined) == ("loaded", 0), r
    con = engine.connect_inputs(store)
    try:
        assert con.execute("SELECT count(*) FROM cld").fetchone()[0] == 8  # 4 + 4: v1 replaced by v2
        result = engine.compute(con, rolling(D("2024-09-30")))
        events = con.execute("SELECT rp_end, der_end, event_outcome FROM ascof_events "
                             "ORDER BY der_end NULLS LAST").fetchall()
    finally:
        con.close()
    # one record per event (a, b, c, e), each from the file to 30 Sep; f went with the first version of its file
    assert events == [(D("2024-09-30"), D("2024-05-20"), "NFA: Support ended as planned"),
                      (D("2024-09-30"), D("2024-06-15"), "NFA: Support ended as planned"),
                      (D("2024-09-30"), D("2024-07-10"), "NFA: Support ended as planned"),
                      (D("2024-09-30"), None, "Continuation of support or services")]
    # 2A: a, b, c are one episode each, all 'support ended as planned' (sequel 4a) -> 3 / 3, not 4 / 4 with f or
    # 1 / 1 with a's superseded outcome and c's open copy (an open record keeps the episode from ending).
    assert figure(result, "2A", "Total")[:2] == (3, 3)
    assert sequel(result) == [("4a", "NFA: Support ended as planned", 3)]
    # 3D on 30 Sep: e once, direct payment -> 1 / 1
    assert figure(result, "3D2a", "65 and above")[:2] == (1, 1)



def test_an_event_withdrawn_from_a_later_overlapping_submission_is_not_counted():
    # DHSC's joined table takes, for each quarter, the latest file covering it; the file to 30 Jun 24 is then
    # used only for July to September 2023, which the file to 30 Sep 24 does not cover, so g's episode
    # (June 2024), left out of the later file, is dropped: 2A 0 / 0.
    jun = {"reporting_period_start_date": D("2023-07-01"), "reporting_period_end_date": D("2024-06-30")}
    sep = {"reporting_period_start_date": D("2023-10-01"), "reporting_period_end_date": D("2024-09-30"),
           "_load_seq": 2}
    cld = [reablement("g", "2024-06-01", "2024-06-10", **jun), lts("h", "2024-01-01", **sep)]
    assert figure(compute(cld, period=rolling(D("2024-09-30"))), "2A", "Total")[:2] == (0, 0)


def test_the_submission_with_the_later_extract_date_owns_the_overlap_whatever_the_load_order():
    # Which file is "later" is decided as the store supersedes: extract date (as of), then load order. Here the
    # file to 30 Jun 24 is loaded after the file to 30 Sep 24 but is the older extract, so it is used only for
    # July to September 2023: k's service, corrected in the later file from ST-Max to other short-term support,
    # is no ST-Max episode (2A 0 / 0 to 30 Sep 24), while m's episode of August 2023, which only the older file
    # covers, still counts (1 / 1 in 2023-24). With the extract dates the other way round, the file to 30 Jun
    # owns July 2023 to June 2024 and k's original record counts (1 / 1).
    def files(jun_as_of: str, sep_as_of: str) -> list[dict]:
        jun = {"reporting_period_start_date": D("2023-07-01"), "reporting_period_end_date": D("2024-06-30"),
               "_as_of": D(jun_as_of), "_load_seq": 2}
        sep = {"reporting_period_start_date": D("2023-10-01"), "reporting_period_end_date": D("2024-09-30"),
               "_as_of": D(sep_as_of), "_load_seq": 1}
        return [reablement("k", "2024-06-01", "2024-06-10", **jun), reablement("m", "2023-08-01", "2023-08-10", **jun),
                event("k", start="2024-06-01", end="2024-06-10", service_type="Short term support: Other short term",
                      service_component="Other short term support", **sep)]

    assert figure(compute(files("2024-07-31", "2024-10-31"), period=rolling(D("2024-09-30"))), "2A", "Total")[:2] \
        == (0, 0)
    assert figure(compute(files("2024-07-31", "2024-10-31"), period=financial_year("2023-24")), "2A", "Total")[:2] \
        == (1, 1)
    assert figure(compute(files("2024-11-30", "2024-10-31"), period=rolling(D("2024-09-30"))), "2A", "Total")[:2] \
        == (1, 1)


# ----------------------------------------------------------------------------- labels
def test_labels_match_case_insensitively_and_release_1_labels_map_to_release_2():
    r1 = [event("a", start="2024-01-01", client_type="Service User", service_type="LONG TERM SUPPORT: COMMUNITY",
                delivery_mechanism="Direct Payment"),
          event("b", start="2024-01-01", client_type="service user", service_type="Long Term Support: Community",
                delivery_mechanism="CASSR Managed Personal Budget"),
          reablement("c", "2024-06-01", "2024-06-20", outcome="Service ended as planned",
                     service_type="Short Term Support: ST-Max")]
    result = compute(r1)
    assert figure(result, "3D1a", "Total")[:2] == (2, 2)
    assert figure(result, "3D2a", "Total")[:2] == (1, 2)
    assert sequel(result) == [("4a", "NFA: Support ended as planned", 1)]


def test_label_map_covers_every_defined_list_value_and_release_1_label():
    con = duckdb.connect()
    (step,) = [s for s in engine.sql_steps() if s.name == "ascof_label_map"]
    mapped = {(f, raw): label for f, raw, label, _ in con.execute(step.sql).fetchall()}
    lists = {"client_type": "cld_client_type", "service_type": "cld_service_type",
             "service_component": "cld_service_component", "delivery_mechanism": "cld_delivery_mechanism",
             "event_outcome": "cld_event_outcome", "accommodation_status": "cld_accommodation_status",
             "primary_support_reason": "cld_primary_support_reason"}
    for field, name in lists.items():
        cl = code_lists()[name]
        for v in cl.values:
            assert mapped[(field, v.lower())] == v
        for old, new in cl.aliases.items():
            assert mapped[(field, old.lower())] == new


# ----------------------------------------------------------------------------- rounding, periods, SQL
@pytest.mark.parametrize(("num", "den", "mid", "expected"), [
    (1, 16, "2A", 6.3),  # 6.25 -> 6.3 (Python's round would give 6.2)
    (3, 16, "2A", 18.8),  # 18.75
    (1, 8, "2A", 12.5),
    (1, 800, "2D1", 0.13),  # 0.125 at 2 decimal places
    (7, 40_000, "2C", 17.5),
    (5, 0, "2A", 0.0),
])
def test_rounding_is_half_away_from_zero(num, den, mid, expected):
    assert MEASURES[mid].outcome(num, den) == expected
    assert round_half_away(Decimal("-2.25"), 1) == Decimal("-2.3")


def test_periods_financial_years_and_rolling_quarters():
    assert (FY.start, FY.end, FY.label) == (D("2024-04-01"), D("2025-03-31"), "2024-25")
    r = rolling(D("2025-06-30"))
    assert (r.start, r.dhsc_label, r.key) == (D("2024-07-01"), "1 Jul 24 - 30 Jun 25", "r2025-06-30")
    assert from_key(r.key) == r and from_key("2024-25") == FY
    assert resolve("2023-24", None).start == D("2023-04-01")
    with pytest.raises(PeriodError, match="quarter end"):
        rolling(D("2025-06-29"))
    with pytest.raises(PeriodError, match="2024-25"):
        financial_year("2024-26")
    keys = [p.key for p in available(D("2023-04-01"), D("2025-03-31"))]
    assert keys == ["2024-25", "r2024-12-31", "r2024-09-30", "r2024-06-30", "2023-24"]


def test_every_sql_file_declares_itself_and_transpiles_to_spark():
    steps = engine.sql_steps()
    assert [s.file for s in steps] == sorted(s.file for s in steps)
    assert {s.kind for s in steps} == {"view", "measure", "detail"}
    for step in steps:
        sqlglot.transpile(step.sql, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)
        assert "QUALIFY" not in step.sql.upper()


# ----------------------------------------------------------------------------- 2D
def discharge(person: str, admit: str, out: str, **kw) -> dict:
    row = {"la_code": LA, "nhs_number_pseudo": f"N-{person}", "spell_id": f"C-{person}{admit}", "episode_number": 1,
           "last_episode_in_spell": True, "date_of_birth": D("1950-03-01"), "sex": "2",
           "admission_date": D(admit), "discharge_date": D(out), "admission_method": "21", "discharge_method": "1",
           "discharge_destination": "19", "treatment_function_code": "430", "management_type": "EM"}
    row.update(kw)
    return row


def test_2d_without_hospital_episodes_is_reported_as_not_available():
    result = compute([reablement("a", "2024-06-01", "2024-06-20")])
    rows = [r for r in result.rows if r["measure"].startswith("2D")]
    assert rows and all(not r["available"] and r["outcome"] is None for r in rows)
    assert result.available["2D1"] is False
    assert any("2D is not available" in n for n in result.notes)


def test_2d_links_discharge_to_reablement_and_checks_12_week_outcomes():
    cld = [reablement("home", "2024-06-03", "2024-06-20"), reablement("back", "2024-06-03", "2024-06-20"),
           reablement("late", "2024-06-10", "2024-06-20")]  # starts 9 days after discharge: not linked
    hospital = [discharge("home", "2024-05-20", "2024-06-01"), discharge("back", "2024-05-20", "2024-06-01"),
                discharge("back", "2024-07-01", "2024-07-05"),  # emergency readmission within 84 days
                discharge("late", "2024-05-20", "2024-06-01"),
                discharge("young", "2024-05-20", "2024-06-01", date_of_birth=D("1970-01-01"))]  # under 65
    result = compute(cld, hospital=hospital)
    assert figure(result, "2D1", "Total") == (1, 2, 50.0)
    assert figure(result, "2D2", "Total") == (2, 4, 50.0)
    assert figure(result, "2D1", "65-74")[:2] == (1, 2)


# ----------------------------------------------------------------------------- synthetic council
@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from asc_assure.data.ingest import ingest_files
    from asc_assure.data.synth import generate

    out = tmp_path_factory.mktemp("ascof")
    generate(out / "extracts", seed=3, people=60_000, start=D("2023-04-01"), end=D("2025-03-31"))
    files = sorted((out / "extracts").rglob("*.csv"))
    results = ingest_files(out / "store", files, as_of=D("2025-03-31"), key=bytes(range(32)))
    assert all(r.status == "loaded" for r in results)
    return out / "store"


def test_synthetic_council_gives_every_measure_with_consistent_counts(synthetic_store: Path):
    result = engine.run(synthetic_store, FY)
    assert len(result.councils) == 1 and result.seconds < 10
    assert result.available["2D1"]
    for r in result.rows:
        assert r["available"], r
        assert 0 <= r["numerator"] <= r["denominator"] or r["measure"] in {"2B", "2C"}
        if r["unit"] == "%":
            assert 0 <= r["outcome"] <= 100
    total = figure(result, "2A", "Total")
    assert total[1] > 20 and total[0] > 0
    assert figure(result, "2B", "18 to 64")[1] > 1000  # the council's own population file
    episodes = sum(r["episodes"] for r in result.details["ascof_2a_by_sequel"] if r["in_denominator"])
    assert episodes == total[1]


def test_cli_prints_figures_as_json_and_refuses_a_bad_period(synthetic_store: Path):
    runner = CliRunner()
    out = runner.invoke(app, ["ascof", "--store", str(synthetic_store), "--year", "2024-25", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["period"]["dhsc_label"] == "1 Apr 24 - 31 Mar 25"
    assert {r["measure"] for r in data["figures"]} == set(MEASURES)
    text = runner.invoke(app, ["ascof", "--store", str(synthetic_store), "--period-end", "2024-12-31"])
    assert text.exit_code == 0 and "12 months to 31 Dec 2024" in text.output
    bad = runner.invoke(app, ["ascof", "--store", str(synthetic_store), "--period-end", "2024-12-30"])
    assert bad.exit_code == 2 and "quarter end" in bad.output
    spark = runner.invoke(app, ["ascof", "--store", str(synthetic_store), "--year", "2024-25", "--engine", "oracle"])
    assert spark.exit_code == 2


# ----------------------------------------------------------------------------- bounded memory, one parser
def test_memory_limit_comes_from_the_argument_then_the_environment_then_a_capped_default(monkeypatch):
    monkeypatch.delenv(engine.MEMORY_ENV, raising=False)
    default = engine.memory_limit()
    assert default.endswith("MiB") and 256 <= int(default[:-3]) <= engine.DEFAULT_MEMORY_CAP // 2**20
    monkeypatch.setenv(engine.MEMORY_ENV, "3GB")
    assert engine.memory_limit() == "3GB"
    assert engine.memory_limit("512 MiB") == "512MiB"  # an argument beats the environment
    monkeypatch.setenv(engine.MEMORY_ENV, "lots")
    with pytest.raises(ValueError, match=engine.MEMORY_ENV):
        engine.memory_limit()
    with pytest.raises(ValueError, match="memory limit"):
        engine.memory_limit("4GB; DROP TABLE cld")


def test_the_engine_caps_duckdb_memory_with_a_private_spill_folder_and_gives_the_same_figures(
        synthetic_store: Path, tmp_path: Path):
    con = engine.connect_inputs(synthetic_store, memory="300MB", temp_dir=tmp_path)
    try:
        limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        folder = Path(con.execute("SELECT current_setting('temp_directory')").fetchone()[0])
        assert limit.replace(" ", "") in {"286.1MiB", "300.0MB"}  # DuckDB reports it in its own units
        assert folder.parent == tmp_path and folder.name.startswith("asc-assure-duckdb-")
        assert con.execute("SELECT count(*) FROM cld").fetchone()[0] > 0
    finally:
        con.close()
    assert not folder.exists()  # DuckDB removes its spill folder on close
    roomy = engine.run(synthetic_store, FY, memory="4GB")
    tight = engine.run(synthetic_store, FY, memory="300MB", temp_dir=tmp_path)
    assert tight.rows == roomy.rows and tight.details == roomy.details
    assert list(tmp_path.iterdir()) == []


def test_sql_headers_are_read_by_the_one_parser_in_sql_runner(monkeypatch):
    from asc_assure.measures import sql_runner

    folder = Path(engine.__file__).parent / "sql"
    parsed = sql_runner.load_steps([folder])
    assert [(s.path.name, s.kind, s.name, s.sql) for s in parsed] == [
        (s.file, s.kind, s.name, s.sql) for s in engine.sql_steps()]
    bad = sql_runner.SqlStep(name="99_no_header", kind="measure", path=folder / "99_no_header.sql", sql="SELECT 1")
    monkeypatch.setattr(sql_runner, "load_steps", lambda folders: [bad])
    engine.sql_steps.cache_clear()
    try:
        with pytest.raises(RuntimeError, match=r"99_no_header\.sql: header must declare"):
            engine.sql_steps()
    finally:
        monkeypatch.undo()
        engine.sql_steps.cache_clear()
    assert engine.sql_steps()


def test_availability_and_not_available_rows_are_public_for_the_spark_engine():
    con = duckdb.connect()
    for name in engine.INPUTS:
        con.register(f"_{name}", _table(name, []))
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM _{name}")
    available, notes = engine.availability(con, FY)
    assert available["2D1"] is False and any("No CLD is loaded" in n for n in notes)
    rows = engine.not_available_rows(["999"])
    assert [(r["measure"], r["available"]) for r in rows] == [("2D1", False), ("2D2", False)]
    assert engine._availability is engine.availability  # the old private names still work

"""Equity breakdowns and data completeness on small extracts whose answers are worked out by hand.

The council: two areas (North: rural, most deprived decile, 1,000 adults; South: urban, least
deprived, 3,000 adults). 60 people are known to adult social care (10 Asian, 50 White; one more
died in 2024), and 31 people wait for assessment on 31 March 2025: the 20 living in North (all
prioritised), 10 of those in South (none prioritised) and one person with no demographic record.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from asc_assure.cli import app
from asc_assure.data.ingest import ingest_file
from asc_assure.domain import equity_stats as st
from asc_assure.measures import equity
from asc_assure.measures.engine import run_measures
from extracts import write_extract

KEY = bytes(range(32))
AS_OF = dt.date(2025, 3, 31)
WHITE = "White: English, Welsh, Scottish, Northern Irish or British"
INDIAN = "Asian or Asian British: Indian"


def load(store: Path, tmp: Path, kind: str, rows: list[dict], as_of: dt.date = AS_OF) -> None:
    path = write_extract(tmp / f"{kind}_{len(list(tmp.glob('*.csv')))}.csv", kind, rows)
    result = ingest_file(store, path, as_of=as_of, key=KEY)
    assert result.rows_quarantined == 0, result.errors


def person(i: int, **kw) -> dict:
    return {"person_id": f"P{i:02d}", "date_of_birth": "1950-01-01" if i <= 15 else "1990-06-01",
            "sex": "female" if i % 2 else "male", "ethnicity": INDIAN if i <= 10 else WHITE,
            "postcode": "OX1 1AA", "lsoa_code": "E01000001" if i <= 20 else "E01000002",
            "primary_support_reason": "Physical support: Personal care support", **kw}


@pytest.fixture
def store(tmp_path):
    store = tmp_path / "store"
    load(store, tmp_path, "areas", [
        {"lsoa_code": "E01000001", "district": "North", "rural_urban": "rural", "imd_decile": "1",
         "population_18_plus": "1000"},
        {"lsoa_code": "E01000002", "district": "South", "rural_urban": "urban", "imd_decile": "10",
         "population_18_plus": "3000"},
    ])
    people = [person(i) for i in range(1, 61)] + [person(61, date_of_death="2024-05-01")]
    load(store, tmp_path, "people", people)
    waiting = [{"referral_id": f"R{i:02d}", "person_id": f"P{i:02d}", "received_date": "2025-03-01",
                "team": "North Team" if i <= 20 else "South Team", "priority": "high" if i <= 20 else ""}
               for i in range(1, 31)]
    waiting.append({"referral_id": "RX", "person_id": "PX", "received_date": "2025-03-01", "team": "South Team"})
    load(store, tmp_path, "referrals", waiting)
    return store


def groups(result: dict) -> dict[str, dict]:
    return {g["key"]: g for g in result["groups"]}


def test_rates_per_1000_adults_by_district_with_exact_intervals_and_ratios(store):
    r = equity.breakdown(store, "waiting_list.count", "district", AS_OF)
    assert r["kind"] == "rate"
    assert r["council"]["events"] == 31 and r["council"]["denominator"] == 4000
    assert r["council"]["value"] == pytest.approx(7.75)
    g = groups(r)
    north, south = g["North"], g["South"]
    assert north["value"] == 20.0 and north["denominator"] == 1000
    ci = st.poisson_exact(20)
    assert (north["ci_low"], north["ci_high"]) == (round(ci.low, 2), round(ci.high, 2))
    # ratio 20 / 7.75 with SE(ln) = sqrt(1/20 - 1/31): the group is part of the council
    se = math.sqrt(1 / 20 - 1 / 31)
    assert north["ratio"] == pytest.approx(20 / 7.75, abs=1e-3)
    assert north["ratio_low"] == pytest.approx(20 / 7.75 * math.exp(-st.Z95 * se), abs=1e-3)
    assert north["significance"] == "higher"
    assert south["value"] == pytest.approx(3.33, abs=0.01) and south["significance"] == "lower"
    # the person with no record in the people extract is counted, but has no population
    assert g[equity.NO_RECORD]["events"] == 1 and g[equity.NO_RECORD]["value"] is None
    assert g[equity.NO_RECORD]["significance"] == "not_tested"
    assert r["flagged"] == ["North", "South"]


def test_ethnicity_uses_ons_2021_groups_and_people_known_as_the_denominator(store):
    r = equity.breakdown(store, "waiting_list.count", "ethnicity", AS_OF)
    g = groups(r)
    asian, white = g["Asian, Asian British or Asian Welsh"], g["White"]
    assert (asian["events"], asian["denominator"]) == (10, 10)
    assert (white["events"], white["denominator"]) == (20, 50)  # the person who died in 2024 is not counted
    assert white["value"] == 400.0
    assert r["columns"]["value"] == "Rate per 1,000 people known to adult social care"
    assert list(g)[:2] == ["Asian, Asian British or Asian Welsh", "White"]  # ONS order, not alphabetical


def test_every_cld_ethnicity_maps_to_one_ons_group():
    from asc_assure.data.contracts import code_lists

    mapping = equity.ethnicity_mapping()
    cld = [v for v in code_lists()["cld_ethnicity"].values if not v.startswith("No data")]
    assert sorted(mapping) == sorted(cld)
    assert set(mapping.values()) == {"Asian, Asian British or Asian Welsh", "White", "Other ethnic group",
                                     "Black, Black British, Black Welsh, Caribbean or African",
                                     "Mixed or Multiple ethnic groups"}
    assert "ONS" in equity.ethnicity_source()


def test_percentages_by_ethnicity_with_wilson_intervals_and_untestable_groups(store):
    r = equity.breakdown(store, "waiting_list.pct_prioritised", "ethnicity", AS_OF)
    assert r["kind"] == "proportion"
    assert r["council"]["value"] == pytest.approx(100 * 20 / 31, abs=0.01)
    g = groups(r)
    white = g["White"]
    assert (white["events"], white["denominator"], white["value"]) == (10, 20, 50.0)
    ci = st.wilson(10, 20)
    assert white["ci_low"] == round(100 * ci.low, 2) and white["ci_high"] == round(100 * ci.high, 2)
    assert white["ratio"] == pytest.approx(0.5 / (20 / 31), abs=1e-3)
    # all 10 Asian people are prioritised: no non-events, so the log method cannot test the group
    assert g["Asian, Asian British or Asian Welsh"]["significance"] == "not_tested"


def test_age_sex_psr_rurality_and_deprivation_groups(store):
    results = equity.breakdown(store, "waiting_list.count", ["age", "sex", "psr", "rurality", "deprivation"], AS_OF)
    by = {r["dimension"]["id"]: groups(r) for r in results}
    assert by["age"]["75 to 84"]["events"] == 15 and by["age"]["18 to 64"]["events"] == 15
    assert by["sex"]["Female"]["events"] == 15 and by["sex"]["Male"]["events"] == 15
    assert by["psr"]["Physical support"]["events"] == 30
    assert by["rurality"]["Rural"]["denominator"] == 1000 and by["rurality"]["Urban"]["events"] == 10
    assert list(by["deprivation"])[:2] == ["1 (most deprived)", "10 (least deprived)"]


def test_means_have_t_intervals(store):
    r = equity.breakdown(store, "waiting_list.mean_wait_days", "district", AS_OF)
    north = groups(r)["North"]
    assert r["kind"] == "mean" and north["value"] == 30.0  # everyone referred on 1 March: 30 days waited
    assert north["ci_low"] == north["ci_high"] == 30.0


def test_public_output_suppresses_small_groups_and_rounds_counts(store):
    r = equity.breakdown(store, "waiting_list.count", "district", AS_OF, public=True)
    g = groups(r)
    assert r["council"]["events"] == 30  # 31 rounded to the nearest 5
    none = g[equity.NO_RECORD]
    assert none["events"] == "[c]" and none["suppressed"]
    assert g["North"]["value"] == 20.0 and not g["North"]["suppressed"]


def test_refuses_what_it_cannot_do_with_reasons(store, tmp_path):
    with pytest.raises(equity.EquityError, match="median"):
        equity.breakdown(store, "waiting_list.median_wait_days", "sex", AS_OF)
    with pytest.raises(equity.EquityError, match="religion"):
        equity.breakdown(store, "waiting_list.count", "religion", AS_OF)
    with pytest.raises(equity.EquityError, match="no safeguarding concerns extract"):
        equity.breakdown(store, "safeguarding.concerns_received", "sex", AS_OF)
    own = tmp_path / "defs"
    own.mkdir()
    (own / "local.yaml").write_text(
        "group: Local\nsource: referrals\nmeasures:\n  - id: local.no_person\n    title: No person key\n"
        "    definition: Referrals.\n    unit: count\n    polarity: neutral\n    aggregate: count\n"
        "    sql: SELECT p.as_of FROM referrals r JOIN periods p ON r.received_date <= p.as_of\n")
    with pytest.raises(equity.EquityError, match="person_id"):
        equity.breakdown(store, "local.no_person", "sex", AS_OF, definitions=own)
    assert "local.no_person" not in [m.id for m in equity.equity_measures(store, definitions=own)]
    assert "waiting_list.count" in [m.id for m in equity.equity_measures(store, definitions=own)]


def test_the_measures_that_matter_most_carry_a_person_key(store):
    breakable = {m.id for m in equity.equity_measures(store)}
    for mid in ("waiting_list.count", "waiting_list.mean_wait_days", "safeguarding.triage_within_2wd_pct",
                "safeguarding.open_enquiries", "dols.standard_within_21d_pct", "reviews.reviewed_in_12_months_pct",
                "completeness.ethnicity_pct"):
        assert mid in breakable, mid


def test_summary_lists_only_significant_groups(store):
    s = equity.summary(store, AS_OF, measures=("waiting_list.count", "safeguarding.concerns_received"))
    flagged = {(f["measure_id"], f["dimension_id"], f["key"]) for f in s["flags"]}
    assert ("waiting_list.count", "district", "North") in flagged
    assert all(f["significance"] in ("higher", "lower") for f in s["flags"])
    assert [x["id"] for x in s["skipped"]] == ["safeguarding.concerns_received"]


def test_cli_table_json_and_errors(store):
    runner = CliRunner()
    r = runner.invoke(app, ["equity", "--store", str(store), "--measure", "waiting_list.count", "--by", "district",
                            "--as-of", "2025-03-31"])
    assert r.exit_code == 0, r.output
    assert "Significantly higher than the council average" in r.output and "North" in r.output
    r = runner.invoke(app, ["equity", "--store", str(store), "--measure", "waiting_list.count", "--by", "sex",
                            "--as-of", "2025-03-31", "--public", "--json"])
    data = json.loads(r.output)
    assert data["public"] and data["dimension"]["id"] == "sex"
    r = runner.invoke(app, ["equity", "--store", str(store), "--measure", "waiting_list.count", "--by", "religion"])
    assert r.exit_code == 2 and "not an equity dimension" in r.output
    r = runner.invoke(app, ["equity", "--store", str(store), "--measure", "waiting_list.count", "--by", "sex",
                            "--period", "fortnight"])
    assert r.exit_code == 2 and "--period" in r.output


# -- data completeness ---------------------------------------------------------------------------------------
def test_completeness_measures_by_team_and_over_time(tmp_path):
    store = tmp_path / "store"
    load(store, tmp_path, "people", [
        person(1),
        person(2, ethnicity="No data: Refused", sex="unknown"),
        person(3, postcode="", primary_support_reason="Unknown"),
        person(4),
    ])
    load(store, tmp_path, "referrals", [
        {"referral_id": "R1", "person_id": "P01", "received_date": "2025-03-27", "team": "North Team"},
        {"referral_id": "R2", "person_id": "P02", "received_date": "2025-03-28", "team": "North Team"},
        {"referral_id": "R9", "person_id": "P99", "received_date": "2025-03-28", "team": "North Team"},
        {"referral_id": "R3", "person_id": "P03", "received_date": "2025-03-31", "team": "South Team"},
        {"referral_id": "R4", "person_id": "P04", "received_date": "2025-03-20", "team": "South Team"},
    ])
    res = {r["id"]: r for r in run_measures(store, AS_OF, "week", ids=[
        "completeness.ethnicity_pct", "completeness.sex_pct", "completeness.postcode_pct",
        "completeness.primary_support_reason_pct", "completeness.lsoa_pct", "completeness.date_of_birth_pct"])}
    eth = res["completeness.ethnicity_pct"]
    assert (eth["numerator"], eth["denominator"], eth["value"]) == (2, 4, 50.0)  # P02 refused, P99 has no record
    assert {b["key"]: b["value"] for b in eth["breakdowns"]["team"]} == {"North Team": 33.3, "South Team": 100.0}
    assert eth["rag"] == "red" and eth["target"] == 95
    assert res["completeness.sex_pct"]["value"] == 50.0
    assert res["completeness.postcode_pct"]["value"] == 50.0
    assert res["completeness.primary_support_reason_pct"]["value"] == 50.0
    assert res["completeness.lsoa_pct"]["value"] == 75.0
    assert eth["trend"][-2]["value"] == 100.0  # the week before: R4 only, fully recorded


def test_completeness_without_a_people_extract_says_so_not_zero(tmp_path):
    store = tmp_path / "store"
    load(store, tmp_path, "referrals", [
        {"referral_id": "R1", "person_id": "P01", "received_date": "2025-03-27", "team": "North Team"}])
    r = run_measures(store, AS_OF, "week", ids=["completeness.ethnicity_pct"])[0]
    assert r["value"] is None and "people" in r["reason"].lower()


# -- the weekly pack and the monthly report ------------------------------------------------------------------
def test_weekly_pack_and_monthly_report_have_an_equity_section(store):
    from asc_assure.measures.pack_input import build_pack_data
    from asc_assure.reports import monthly
    from asc_assure.reports.pack import render_html

    html = render_html(build_pack_data(store, AS_OF))
    section = html[html.index('<section class="equity" id="equity"'):]
    section = section[:section.index("</section>")]
    assert "<caption>Groups significantly different from the council average</caption>" in section
    assert "North" in section and "Significantly higher than the council average" in section
    assert "People referred with ethnicity recorded (%)" in section  # data completeness beside the flags
    report = monthly.build_report(store, "2025-03", AS_OF)
    assert any(f["group"] == "North" for f in report["equity"]["flags"])
    assert 'id="equity-heading"' in monthly.render_html(report, charts=False)


def test_pack_says_when_equity_cannot_be_worked_out(tmp_path):
    from asc_assure.measures.pack_input import build_pack_data
    from asc_assure.reports.pack import render_html

    store = tmp_path / "store"
    load(store, tmp_path, "referrals", [
        {"referral_id": "R1", "person_id": "P01", "received_date": "2025-03-27", "team": "North Team"}])
    html = render_html(build_pack_data(store, AS_OF))
    assert "No people (demographics) or areas (reference) extract has been loaded" in html

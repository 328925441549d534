"""Demand and capacity simulation: calibration from the store, reproducibility, conservation of people,
scenario effects in the right direction, scenario validation, the back-test and the CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from asc_assure.cli import app
from asc_assure.data.ingest import ingest_files
from asc_assure.data.synth import generate
from asc_assure.measures.engine import run_measures
from asc_assure.operations.simulation import (
    CalibrationError,
    ScenarioError,
    calibrate,
    examples,
    parse_scenario,
    parse_yaml,
)
from asc_assure.operations.simulation.backtest import backtest
from asc_assure.operations.simulation.chart import projection_svg
from asc_assure.operations.simulation.model import simulate
from asc_assure.operations.simulation.results import run_simulation, summarise

AS_OF = dt.date(2025, 3, 31)
KINDS = ("referrals", "workforce", "targets")


def build_store(root, people: int = 250_000):
    """A two-year synthetic council with the extracts the simulation reads."""
    generate(root / "extracts", seed=2, people=people, start=dt.date(2023, 4, 1), end=AS_OF)
    files = sorted(p for p in (root / "extracts").rglob("*.csv") if p.stem in KINDS)
    results = ingest_files(root / "store", files, as_of=AS_OF, key=bytes(range(32)))
    assert all(r.status == "loaded" for r in results)
    return root / "store"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("sim"))


@pytest.fixture(scope="module")
def cal(store):
    return calibrate(store, AS_OF)


def run(cal, scenario=None, weeks=16, reps=4, seed=7):
    scenario = scenario or parse_scenario({})
    plan, reps_out, cut = simulate(cal, scenario, weeks, reps, seed)
    return summarise(cal, scenario, plan, reps_out, seed=seed, cut_short=cut), reps_out


def test_starting_list_is_the_waiting_list_measure(store, cal):
    measure = run_measures(store, AS_OF, ids=["waiting_list.count"])[0]
    assert cal.start_waiting == measure["value"] > 0
    assert cal.target == measure["target"]
    assert cal.history[-1] == {"week_ending": AS_OF.isoformat(), "waiting": measure["value"]}


def test_calibration_measures_arrivals_capacity_and_dropout(cal):
    assert cal.weekly_arrivals > 0 and cal.starts_per_working_day > 0
    assert cal.fte_source == "workforce" and cal.fte > 0 and cal.starts_per_fte_day > 0
    assert abs(sum(cal.priority_share.values()) - 1) < 1e-9
    assert abs(sum(cal.weekday_share) - 1) < 1e-3 and sum(cal.weekday_share[:5]) > 0.8  # mostly working days
    assert cal.trend_fitted and cal.history_weeks >= 100
    assert len(cal.season) == 53 and cal.duration_days and all(h >= 0 for h in cal.dropout_hazard)
    assert cal.dropout_hazard[0] > 0


def test_calibration_sees_nothing_after_its_date(store):
    early = calibrate(store, dt.date(2024, 3, 31))
    assert early.as_of == dt.date(2024, 3, 31)
    assert not early.trend_fitted  # one year of history: trend and season cannot be told apart
    assert early.history[-1]["week_ending"] == "2024-03-31"
    assert all(r <= dt.date(2024, 3, 31) for r in early.start_received)


def test_same_seed_same_result_and_another_seed_differs(cal):
    a, _ = run(cal, seed=11)
    b, _ = run(cal, seed=11)
    c, _ = run(cal, seed=12)
    assert a == b
    assert [w["median"] for w in a["weeks"]] != [w["median"] for w in c["weeks"]]


def test_people_are_conserved_every_week(cal):
    result, reps = run(cal, weeks=12, reps=3)
    for r in reps:
        assert len(r.waiting) == 13
        for arrived, served, waiting, left in zip(r.arrivals, r.served, r.waiting, r.left, strict=True):
            assert r.initial + arrived == served + waiting + left
        assert r.arrivals[-1] > 0 and r.served[-1] > 0 and r.left[-1] > 0
        assert r.waiting[0] == cal.start_waiting
    assert result["conservation"]["holds"]


def test_result_has_band_waits_and_target(cal):
    result, _ = run(cal, parse_scenario({"target": 10_000}), weeks=8, reps=3)
    for w in result["weeks"]:
        assert w["p5"] <= w["median"] <= w["p95"]
    assert result["weeks"][1]["week_ending"] == "2025-04-07"
    assert result["waits"]["median_days"] <= result["waits"]["p90_days"] <= result["waits"]["max_days"]
    assert result["target"] == {"value": 10_000, "source": "scenario", "below_at_start": True, "median_week": 0,
                                "median_week_ending": "2025-03-31", "week_50pct": 0, "week_90pct": 0}
    assert all(w["probability_below_target"] == 1.0 for w in result["weeks"])


def end_median(cal, data, **kw):
    return run(cal, parse_scenario(data), **kw)[0]["end"]["median"]


def test_more_staff_shortens_the_list(cal):
    assert end_median(cal, {"staff": [{"change_pct": 20}]}) < end_median(cal, {})


def test_staff_change_by_date_applies_from_that_date(cal):
    later = cal.as_of + dt.timedelta(weeks=8)
    result, _ = run(cal, parse_scenario({"staff": [{"from": later.isoformat(), "change_fte": -10}]}))
    assert result["weeks"][4]["fte"] == round(cal.fte, 1)
    assert result["weeks"][12]["fte"] == round(cal.fte - 10, 1)


def test_more_demand_lengthens_the_list(cal):
    assert end_median(cal, {"demand": {"growth_pct": 20}}) > end_median(cal, {})


def test_backlog_push_reaches_the_target_sooner(cal):
    base, _ = run(cal, weeks=16)
    target = 0.9 * min(w["median"] for w in base["weeks"])
    weekly = cal.starts_per_working_day * 5
    base, _ = run(cal, parse_scenario({"target": target}), weeks=16)
    push, _ = run(cal, parse_scenario({"target": target, "backlog_push": {"weeks": 8, "extra_per_week": weekly}}),
                  weeks=16)
    assert push["target"]["median_week"] is not None
    assert base["target"]["median_week"] is None or push["target"]["median_week"] < base["target"]["median_week"]


def test_oldest_first_shortens_the_longest_wait_against_strict_priority(cal):
    strict, _ = run(cal, parse_scenario({"prioritisation": {"rule": "strict_priority"}}), weeks=12)
    oldest, _ = run(cal, parse_scenario({"prioritisation": {"rule": "oldest_first"}}), weeks=12)
    assert oldest["waits"]["max_days"] < strict["waits"]["max_days"]


@pytest.mark.parametrize(("data", "message"), [
    ({"staf": []}, "unknown setting 'staf'"),
    ({"prioritisation": {"rule": "lifo"}}, "prioritisation.rule must be one of strict_priority, head_start, "
                                           "oldest_first (not 'lifo')"),
    ({"staff": [{"change_pct": "ten"}]}, "staff[0].change_pct must be a number (not 'ten')"),
    ({"staff": [{"change_pct": 5, "change_fte": 1}]}, "staff[0] needs exactly one of change_pct or change_fte"),
    ({"demand": {"growth_pct": 5, "from": "31/02/2025"}}, "demand.from must be a date"),
    ({"demand": {"growth_pct": -95}}, "demand.growth_pct must be between -90 and 500 (not -95)"),
    ({"backlog_push": {"extra_per_week": 10}}, "backlog_push[0].weeks is missing"),
    ({"backlog_push": {"weeks": 2.5, "extra_pct": 10}}, "backlog_push[0].weeks must be a whole number"),
    ({"target": -1}, "target must be at least 0 (not -1)"),
    (["not", "a", "mapping"], "The scenario must be a set of settings"),
])
def test_scenario_errors_name_the_setting_and_value(data, message):
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(data)
    assert message in str(exc.value)


def test_yaml_syntax_error_gives_the_line():
    with pytest.raises(ScenarioError, match="not valid YAML at line 2"):
        parse_yaml("name: x\ntarget: : 3\n")


def test_scenarios_that_cannot_apply_are_refused(cal):
    import dataclasses

    with pytest.raises(ScenarioError, match="below zero"):
        run(cal, parse_scenario({"staff": [{"change_fte": -(cal.fte + 1)}]}), weeks=1, reps=1)
    no_fte = dataclasses.replace(cal, fte=None, fte_source=None, starts_per_fte_day=None)
    with pytest.raises(ScenarioError, match=r"staff\[0\]\.change_fte needs the assessing FTE"):
        run(no_fte, parse_scenario({"staff": [{"change_fte": 2}]}), weeks=1, reps=1)
    assert end_median(no_fte, {"staff": [{"change_pct": 30}]}) < end_median(no_fte, {})


def test_example_scenarios_parse():
    found = {k: parse_yaml(v) for k, v in examples().items()}
    assert set(found) == {"baseline", "more_staff", "demand_up", "backlog_push"}
    assert found["more_staff"].staff[0].change_pct == 10
    assert found["demand_up"].demand_growth_pct == 5
    assert found["backlog_push"].pushes[0].weeks == 12


def test_empty_store_is_a_clear_error(tmp_path):
    from asc_assure.data.ingest import ingest_file
    from extracts import write_extract

    ingest_file(tmp_path / "store", write_extract(tmp_path / "t.csv", "targets", [
        {"measure_id": "waiting_list.count", "effective_from": "2024-04-01", "target": "3"}]),
        as_of=AS_OF, key=bytes(range(32)))
    with pytest.raises(CalibrationError, match="no referrals extract"):
        calibrate(tmp_path / "store")


def test_backtest_scores_the_second_year(store):
    r = backtest(store, weeks=8, replications=3, split=dt.date(2024, 3, 31))
    assert r["split"] == "2024-03-31" and r["weeks"] == 8 and len(r["rows"]) == 8
    wl = r["waiting_list"]
    assert wl["mae"] >= 0 and 0 <= wl["inside_band_pct"] <= 100 and wl["mape_pct"] >= 0
    first = r["rows"][0]
    assert first["week_ending"] == "2024-04-07" and first["actual"] > 0
    assert wl["mae"] == pytest.approx(sum(abs(x["median"] - x["actual"]) for x in r["rows"]) / 8, abs=0.06)


def test_chart_has_a_text_alternative(cal):
    result, _ = run(cal, weeks=4, reps=2)
    result["history"] = cal.history
    svg = str(projection_svg(result, chart_id="t"))
    assert 'role="img"' in svg and '<title id="t-title">' in svg and "Projected waiting list" in svg


def test_cli_simulate_json_and_chart(store, tmp_path):
    out = tmp_path / "chart.svg"
    res = CliRunner().invoke(app, ["simulate", "--store", str(store), "--scenario", "more_staff", "--weeks", "6",
                                   "--replications", "2", "--json", "--out", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["scenario"]["name"] == "Assessing FTE +10%" and len(data["weeks"]) == 7
    assert out.read_text().startswith('<svg xmlns="http://www.w3.org/2000/svg"')


def test_cli_simulate_text_and_bad_scenario(store, tmp_path):
    res = CliRunner().invoke(app, ["simulate", "--store", str(store), "--weeks", "4", "--replications", "2"])
    assert res.exit_code == 0, res.output
    assert "People conserved every week: yes" in res.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("prioritisation:\n  rule: random\n")
    res = CliRunner().invoke(app, ["simulate", "--store", str(store), "--scenario", str(bad)])
    assert res.exit_code == 2 and "prioritisation.rule must be one of" in res.output


def test_cli_backtest(store):
    res = CliRunner().invoke(app, ["simulate", "backtest", "--store", str(store), "--weeks", "4",
                                   "--replications", "2", "--json"])
    assert res.exit_code == 0, res.output
    assert set(json.loads(res.output)["waiting_list"]) >= {"mae", "mape_pct", "bias", "inside_band_pct"}


def test_run_simulation_defaults_to_the_newest_extract(store):
    r = run_simulation(store, parse_scenario({}), weeks=2, replications=2)
    assert r["as_of"] == AS_OF.isoformat() and r["replications"] == 2

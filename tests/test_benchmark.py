"""Benchmarking a council against England, its region and its peers: ranks, quartiles, funnel limits."""

from __future__ import annotations

import csv
import json
import math
from collections import Counter

import pytest
from scipy.stats import poisson
from typer.testing import CliRunner

from asc_assure.cli import app
from asc_assure.measures import benchmark as bmk
from asc_assure.measures.benchmark_chart import funnel_svg, summary, table_rows

runner = CliRunner()

COUNCILS = {
    "101": bmk.Council("101", "Alpha Council", "South East"),
    "102": bmk.Council("102", "Beta Council", "South East"),
    "103": bmk.Council("103", "Gamma Council", "London"),
    "104": bmk.Council("104", "Delta Council", "London"),
    "105": bmk.Council("105", "Epsilon Council", "South East"),
}


def row(code: str, num: int, den: int, scale: float = 100.0) -> dict:
    return {"la_code": code, "measure": "2A", "grp": "Total", "numerator": num, "denominator": den,
            "outcome": round(num / den * scale, 1) if den else 0.0}


ROWS = [row("101", 80, 100), row("102", 90, 100), row("103", 180, 200), row("104", 70, 100),
        row("105", 400, 1000)]


# -- ranks and quartiles ----------------------------------------------------------------------------
def test_ties_share_the_best_rank_and_the_next_rank_is_skipped():
    values = {"a": 80.0, "b": 90.0, "c": 90.0, "d": 70.0}
    assert bmk.competition_ranks(values, "higher") == {"b": 1, "c": 1, "a": 3, "d": 4}
    assert bmk.competition_ranks(values, "lower") == {"d": 1, "a": 2, "b": 3, "c": 3}


def test_neutral_measures_rank_the_highest_first():
    assert bmk.competition_ranks({"a": 1.0, "b": 2.0}, "neutral") == {"b": 1, "a": 2}


def test_quartiles_split_the_ranked_councils_into_quarters_and_ties_share_one():
    assert [bmk.quartile(r, 8) for r in range(1, 9)] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert [bmk.quartile(r, 153) for r in (1, 39, 40, 77, 78, 115, 116, 153)] == [1, 1, 2, 2, 3, 3, 4, 4]
    ranks = bmk.competition_ranks({"a": 5.0, "b": 5.0, "c": 5.0, "d": 1.0}, "higher")
    assert {k: bmk.quartile(v, 4) for k, v in ranks.items()} == {"a": 1, "b": 1, "c": 1, "d": 4}


def test_rank_follows_polarity_for_the_council():
    higher = bmk.benchmark(ROWS, "104", measure="2A", polarity="higher", councils=COUNCILS)
    lower = bmk.benchmark(ROWS, "104", measure="2A", polarity="lower", councils=COUNCILS)
    # values: 101 80, 102 90, 103 90, 104 70, 105 40
    assert (higher.rank, higher.quartile, higher.ranked) == (4, 3, 5)
    assert (lower.rank, lower.quartile) == (2, 1)
    tied = bmk.benchmark(ROWS, "103", measure="2A", polarity="higher", councils=COUNCILS)
    assert tied.rank == 1 and tied.quartile == 1


# -- comparators ------------------------------------------------------------------------------------
def test_england_region_and_peer_means_and_differences():
    bm = bmk.benchmark(ROWS, "101", measure="2A", polarity="higher", councils=COUNCILS, peers=["103", "104", "999"])
    assert bm.value == 80.0
    # England value pools numerators and denominators: 820 / 1500
    assert bm.england_value == pytest.approx(820 / 1500 * 100)
    assert bm.england_mean == pytest.approx((80 + 90 + 90 + 70 + 40) / 5)
    assert bm.england_median == 80.0
    by_label = {c.label: c for c in bm.comparisons}
    region = by_label["South East region (mean of councils)"]
    assert region.councils == 3 and region.mean == pytest.approx((80 + 90 + 40) / 3)
    assert region.difference == pytest.approx(80 - 70)
    peers = by_label["Peer group (mean of councils)"]
    assert peers.councils == 2 and peers.mean == pytest.approx(80) and peers.difference == pytest.approx(0)
    assert bm.peers == ["103", "104"]
    assert any("999" in n for n in bm.notes)


def test_a_council_with_no_result_or_a_bad_code_is_refused_with_the_value():
    with pytest.raises(bmk.BenchmarkError, match="council 999 has no result"):
        bmk.benchmark(ROWS, "999", measure="2A", councils=COUNCILS)
    with pytest.raises(bmk.BenchmarkError, match="'12x'"):
        bmk.benchmark(ROWS, "12x", measure="2A", councils=COUNCILS)
    with pytest.raises(bmk.BenchmarkError, match="polarity 'up'"):
        bmk.benchmark(ROWS, "101", measure="2A", polarity="up", councils=COUNCILS)


def test_a_council_with_a_zero_denominator_is_listed_but_not_ranked():
    rows = [*ROWS, row("106", 0, 0)]
    bm = bmk.benchmark(rows, "106", measure="2A", councils=COUNCILS)
    assert bm.rank is None and bm.value is None and bm.ranked == 5
    assert any("not ranked" in n for n in bm.notes)


def test_region_left_out_with_a_note_when_unknown():
    bm = bmk.benchmark(ROWS, "101", measure="2A", councils={})
    assert [c.label for c in bm.comparisons] == ["England (mean of councils)"]
    assert any("no region known" in n for n in bm.notes)


# -- funnel limits ----------------------------------------------------------------------------------
def test_binomial_limits_match_hand_computed_normal_approximation():
    # p0 = 0.75, n = 100: standard error sqrt(0.75 * 0.25 / 100) = 0.0433013
    assert bmk.proportion_limits(0.75, 100, "95%") == pytest.approx((0.75 - 0.0848689, 0.75 + 0.0848689), abs=1e-6)
    assert bmk.proportion_limits(0.75, 100, "99.8%") == pytest.approx((0.75 - 0.1338101, 0.75 + 0.1338101), abs=1e-6)
    # clipped to 0..1 for small denominators
    assert bmk.proportion_limits(0.95, 4, "99.8%")[1] == 1.0


def test_poisson_limits_are_the_exact_garwood_limits_around_the_expected_count():
    # Expected 10 events in a population of 100,000 (10 per 100,000): published exact limits 4.795 and 18.390.
    low, high = bmk.poisson_limits(10 / 100_000, 100_000, "95%")
    assert low * 100_000 == pytest.approx(4.795, abs=1e-3)
    assert high * 100_000 == pytest.approx(18.390, abs=1e-3)
    low, high = bmk.poisson_limits(10 / 100_000, 100_000, "99.8%")
    # the upper limit is the mean at which 10 or fewer events has probability 0.001, the lower the mean at
    # which 10 or more has probability 0.001
    assert poisson.cdf(10, high * 100_000) == pytest.approx(0.001, abs=1e-6)
    assert 1 - poisson.cdf(9, low * 100_000) == pytest.approx(0.001, abs=1e-6)


def test_funnel_bands_and_verdicts_follow_polarity():
    bm = bmk.benchmark(ROWS, "105", measure="2A", polarity="higher", councils=COUNCILS)
    bands = {p.la_code: p.band for p in bm.funnel}
    # 105: 40% on 1,000 against England 54.7%: far below; 103: 90% on 200: far above
    assert bands["105"] == "below 99.8% limit" and bands["103"] == "above 99.8% limit"
    assert bm.verdict(bm.council_point()) == "significantly worse than England"
    lower = bmk.benchmark(ROWS, "105", measure="2A", polarity="lower", councils=COUNCILS)
    assert lower.verdict(lower.council_point()) == "significantly better than England"
    assert [p.la_code for p in bm.outside("99.8%")][-1] == "105"


def test_rates_per_100000_use_poisson_limits_and_are_recognised():
    rows = [row("101", 300, 100_000, 1e5), row("102", 10, 5_000, 1e5), row("103", 600, 150_000, 1e5)]
    assert bmk.infer_kind(rows) == "rate"
    assert bmk.infer_kind(ROWS) == "proportion"
    bm = bmk.benchmark(rows, "102", measure="2C", polarity="lower", councils=COUNCILS)
    assert bm.kind == "rate"
    r0 = 910 / 255_000
    point = bm.council_point()
    expected = [x * 1e5 for x in bmk.poisson_limits(r0, 5_000, "95%")]
    assert (point.lower_95, point.upper_95) == pytest.approx(expected)
    assert bm.england_value == pytest.approx(r0 * 1e5)


def test_measure_polarity_for_ascof_ids():
    assert bmk.measure_polarity("2B") == "lower" and bmk.measure_polarity("3d1a") == "higher"
    assert bmk.measure_polarity("2E LD") == "higher"
    with pytest.raises(bmk.BenchmarkError, match="--polarity"):
        bmk.measure_polarity("9Z")


# -- inputs -----------------------------------------------------------------------------------------
def test_synthetic_councils_get_regions_in_englands_proportions():
    councils = bmk.synthetic_councils(seed=1)
    assert len(councils) == 153
    assert Counter(c.region for c in councils.values()) == Counter(bmk.REGIONS)
    first = next(iter(councils.values()))
    assert first.name == "Wyvernshire County Council" and first.region == "South East"
    # the same council keeps its code, name and region in a smaller run
    small = bmk.synthetic_councils(seed=1, councils=5)
    assert all(councils[k] == v for k, v in small.items())


def test_peer_files_one_per_line_or_csv(tmp_path):
    plain = tmp_path / "peers.txt"
    plain.write_text("# nearest neighbours\n101\n 102, 103  # comment\n\n", encoding="utf-8")
    assert bmk.read_peers(plain) == ["101", "102", "103"]
    table = tmp_path / "peers.csv"
    table.write_text("la_code,name\n104,Delta\n105,Epsilon\n", encoding="utf-8")
    assert bmk.read_peers(table) == ["104", "105"]
    bad = tmp_path / "bad.txt"
    bad.write_text("10x\n", encoding="utf-8")
    with pytest.raises(bmk.BenchmarkError, match="'10x'"):
        bmk.read_peers(bad)


def write_results(path, rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_select_measure_names_what_is_available(tmp_path):
    path = tmp_path / "results.csv"
    write_results(path, ROWS)
    rows = bmk.read_results(path)
    assert len(bmk.select_measure(rows, "2a", "total")) == 5
    with pytest.raises(bmk.BenchmarkError, match="measures: 2A"):
        bmk.select_measure(rows, "2B")
    with pytest.raises(bmk.BenchmarkError, match="groups: Total"):
        bmk.select_measure(rows, "2A", "Male")


# -- chart and command ------------------------------------------------------------------------------
def test_funnel_chart_has_a_text_alternative_and_a_figures_table():
    bm = bmk.benchmark(ROWS, "101", measure="2A", group="Total", councils=COUNCILS, peers=["102"])
    svg = funnel_svg(bm, standalone=True)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and 'role="img"' in svg
    assert "<title id=\"funnel-title\">2A (Total): funnel plot against England</title>" in svg
    assert summary(bm) in svg.replace("&#x27;", "'")
    assert "Alpha Council 80.0% on a denominator of 100" in summary(bm)
    rows = table_rows(bm)
    assert [r["la_code"] for r in rows][:2] in (["102", "103"], ["103", "102"]) and rows[-1]["la_code"] == "105"
    assert math.isclose(rows[-1]["outcome"], 40.0)


def council_file(tmp_path):
    path = tmp_path / "councils.csv"
    path.write_text("la_code,name,region\n" + "".join(f"{c.la_code},{c.name},{c.region}\n"
                                                       for c in COUNCILS.values()), encoding="utf-8")
    return path


def test_cli_benchmark_json_with_peers_and_chart(tmp_path):
    results = tmp_path / "results.csv"
    write_results(results, ROWS)
    peers = tmp_path / "peers.txt"
    peers.write_text("103\n104\n", encoding="utf-8")
    chart = tmp_path / "funnel.svg"
    out = runner.invoke(app, ["benchmark", "--results", str(results), "--council", "101", "--measure", "2A",
                              "--peers", str(peers), "--councils", str(council_file(tmp_path)),
                              "--chart", str(chart), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["rank"] == 3 and data["quartile"] == 2 and data["polarity"] == "higher"
    assert data["council"]["name"] == "Alpha Council" and data["peers"] == ["103", "104"]
    assert "105" in data["outside_998"] and data["council_band"] == "above 99.8% limit"
    assert chart.read_text(encoding="utf-8").startswith("<svg")
    assert chart.with_suffix(".csv").read_text(encoding="utf-8").startswith("la_code,name,peer,")


def test_cli_benchmark_text_and_errors(tmp_path):
    results = tmp_path / "results.csv"
    write_results(results, ROWS)
    out = runner.invoke(app, ["benchmark", "--results", str(results), "--council", "104", "--measure", "2A",
                              "--peer", "101", "--councils", str(council_file(tmp_path))])
    assert out.exit_code == 0, out.output
    assert "rank 4 of 5 (higher is better), quartile 3" in out.output
    assert "London region (mean of councils)" in out.output
    missing = runner.invoke(app, ["benchmark", "--results", str(results), "--council", "999", "--measure", "2A"])
    assert missing.exit_code == 2 and "council 999 has no result" in missing.output
    neither = runner.invoke(app, ["benchmark", "--council", "101", "--measure", "2A"])
    assert neither.exit_code == 2 and "--results" in neither.output
    assert runner.invoke(app, ["benchmark", "--help"]).exit_code == 0

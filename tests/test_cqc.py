"""CQC framework and rating: the published method, every band boundary, bad input, what-if and the CLI."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from asc_assure.cli import app
from asc_assure.domain.cqc import (
    GOOD,
    INADEQUATE,
    OUTSTANDING,
    REQUIRES_IMPROVEMENT,
    CqcScoreError,
    band_for,
    load_framework,
    published_percent,
    rate,
)

SLUGS = [
    "assessing-needs", "supporting-healthier-lives", "equity-in-experience-and-outcomes",
    "care-provision-integration-continuity", "partnerships-and-communities", "safe-pathways-systems-transitions",
    "safeguarding", "governance-management-sustainability", "learning-improvement-innovation",
]
OXFORDSHIRE = [2, 2, 2, 2, 3, 3, 3, 3, 3]  # CQC report published 5 September 2025: overall Good

runner = CliRunner()


def scores(values: list[int]) -> dict[str, int]:
    return dict(zip(SLUGS, values, strict=True))


def with_total(total: int) -> dict[str, int]:
    """Nine scores adding up to ``total`` (9..36)."""
    values, extra = [1] * 9, total - 9
    for i in range(9):
        step = min(3, extra)
        values[i] += step
        extra -= step
    assert sum(values) == total
    return scores(values)


# -- the framework -----------------------------------------------------------------------------------------

def test_framework_has_4_themes_and_9_statements_in_order():
    fw = load_framework()
    assert list(fw.slugs) == SLUGS
    assert [t.short_title for t in fw.themes] == ["Working with people", "Providing support", "Ensuring safety",
                                                  "Leadership"]
    assert [fw.statement(s).theme for s in SLUGS] == ["working-with-people"] * 3 + ["providing-support"] * 2 + [
        "ensuring-safety"] * 2 + ["leadership"] * 2
    assert [c["title"] for c in fw.evidence_categories] == [
        "People's experience", "Feedback from staff and leaders", "Feedback from partners", "Processes"]
    assert fw.source["framework"]["url"].startswith("https://www.cqc.org.uk/")
    assert [(b.rating, b.from_percent) for b in fw.bands] == [
        (INADEQUATE, 25), (REQUIRES_IMPROVEMENT, 39), (GOOD, 63), (OUTSTANDING, 88)]


def test_every_statement_has_a_we_statement_and_leadership_has_no_i_statements():
    fw = load_framework()
    for s in fw.statements:
        assert s.we_statement.startswith("We "), s.slug
        assert s.topic_areas, s.slug
        assert bool(s.i_statements) == (s.theme != "leadership"), s.slug
    assert fw.statement("assessing-needs").we_statement.startswith("We maximise the effectiveness of people's care")


# -- Oxfordshire -------------------------------------------------------------------------------------------

def test_oxfordshire_published_scores_give_good():
    r = rate(scores(OXFORDSHIRE))
    assert (r.total, r.max, r.percent, r.exact_percent, r.rating) == (23, 36, 64, 63.9, GOOD)
    # 23 is the lowest Good total (22/36 = 61.1%, published 62%, is Requires improvement); Outstanding needs 32.
    assert r.points_above_lower_band == 0
    assert r.lower_rating == REQUIRES_IMPROVEMENT
    assert r.points_to_next_rating == 9
    assert r.next_rating == OUTSTANDING


def test_oxfordshire_theme_scores():
    themes = {t.slug: (t.total, t.max, t.percent) for t in rate(scores(OXFORDSHIRE)).theme_scores}
    assert themes == {
        "working-with-people": (6, 12, 50.0),
        "providing-support": (5, 8, 63),
        "ensuring-safety": (6, 8, 75.0),
        "leadership": (6, 8, 75.0),
    }


def test_oxfordshire_what_if_every_minus_one_drops_to_requires_improvement():
    r = rate(scores(OXFORDSHIRE))
    assert [(w.slug, w.score_from, w.score_to, w.rating) for w in r.what_if] == [
        (slug, v, v - 1, REQUIRES_IMPROVEMENT) for slug, v in zip(SLUGS, OXFORDSHIRE, strict=True)]


# -- band boundaries ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("total", "percent", "rating", "to_next", "above_lower"),
    [
        (9, 25, INADEQUATE, 5, None),               # all 1s
        (13, 37, INADEQUATE, 1, None),              # highest Inadequate: 36.1% published as 37%
        (14, 39, REQUIRES_IMPROVEMENT, 9, 0),       # lowest Requires improvement: 38.9% published as 39%
        (15, 42, REQUIRES_IMPROVEMENT, 8, 1),
        (22, 62, REQUIRES_IMPROVEMENT, 1, 8),       # highest Requires improvement
        (23, 64, GOOD, 9, 0),                       # lowest Good
        (31, 87, GOOD, 1, 8),                       # highest Good
        (32, 89, OUTSTANDING, None, 0),             # lowest Outstanding
        (36, 100, OUTSTANDING, None, 4),            # all 4s
    ],
)
def test_band_boundaries_for_nine_statements(total, percent, rating, to_next, above_lower):
    r = rate(with_total(total))
    assert (r.total, r.max, r.percent, r.rating) == (total, 36, percent, rating)
    assert r.points_to_next_rating == to_next
    assert r.points_above_lower_band == above_lower


def test_every_total_bands_as_documented():
    expected = {INADEQUATE: range(9, 14), REQUIRES_IMPROVEMENT: range(14, 23), GOOD: range(23, 32),
                OUTSTANDING: range(32, 37)}
    for rating, totals in expected.items():
        for t in totals:
            assert band_for(t, 36) == rating, t


def test_rounding_rule_follows_the_percentages_cqc_publishes():
    # Published examples: North Somerset 21/36 = 58.3% shown as 59%, Sefton 25/36 = 69.4% shown as 70%.
    assert (published_percent(21, 36), published_percent(25, 36)) == (59, 70)
    # The band is read from that whole number: 62.5% is published as 63%, so Good.
    assert band_for(20, 32) == GOOD
    assert band_for(5, 8) == GOOD
    # Exactly on a published threshold is in the higher band.
    assert band_for(39, 100) == REQUIRES_IMPROVEMENT
    assert band_for(63, 100) == GOOD
    assert band_for(88, 100) == OUTSTANDING
    assert band_for(38, 100) == INADEQUATE
    # 14/36 = 38.89% is published as 39%: Requires improvement.
    assert band_for(14, 36) == REQUIRES_IMPROVEMENT
    assert band_for(13, 36) == INADEQUATE


def test_partial_assessment_uses_four_times_statements_scored():
    partial = {s: v for s, v in scores([3, 3, 2, 2, 3, 3, 3, 2, 2]).items() if s != "safeguarding"}
    r = rate(partial, require_all=False)
    assert (r.total, r.max, r.percent, r.rating) == (20, 32, 63, GOOD)
    assert r.points_to_next_rating == 8  # 28/32 = 87.5%, published as 88%: Outstanding
    safety = next(t for t in r.theme_scores if t.slug == "ensuring-safety")
    assert (safety.total, safety.max, safety.statements) == (3, 4, ("safe-pathways-systems-transitions",))


def test_what_if_only_lists_changes_that_change_the_rating():
    mid = rate(scores([2, 2, 2, 2, 2, 2, 2, 2, 2]))  # 18/36 = 50%, Requires improvement
    assert mid.what_if == ()
    top = rate(scores([4, 3, 3, 3, 3, 4, 3, 4, 4]))  # 31/36, highest Good
    assert {(w.score_to - w.score_from, w.rating) for w in top.what_if} == {(1, OUTSTANDING)}
    assert [w.slug for w in top.what_if] == [s for s, v in top.scores.items() if v < 4]
    assert rate(scores([4] * 9)).what_if == ()
    floor = rate(with_total(13))  # highest Inadequate: only a +1 changes the rating
    assert all(w.score_to == w.score_from + 1 and w.score_from < 4 for w in floor.what_if)


# -- bad input ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"safeguardin": 3}, "'safeguardin'"),
        ({"safeguarding": 0}, "'safeguarding' must be from 1 to 4, not 0"),
        ({"safeguarding": 5}, "'safeguarding' must be from 1 to 4, not 5"),
        ({"safeguarding": 2.5}, "'safeguarding' must be a whole number"),
        ({"safeguarding": "3"}, "'safeguarding' must be a whole number"),
        ({"safeguarding": True}, "'safeguarding' must be a whole number"),
    ],
)
def test_bad_scores_are_rejected_naming_the_slug(change, message):
    with pytest.raises(CqcScoreError, match=re.escape(message)):
        rate({**scores(OXFORDSHIRE), **change})


def test_missing_statement_is_rejected_unless_partial():
    some = scores(OXFORDSHIRE)
    del some["safeguarding"]
    with pytest.raises(CqcScoreError, match=r"missing score.*safeguarding"):
        rate(some)
    assert rate(some, require_all=False).max == 32
    with pytest.raises(CqcScoreError, match="no quality statements"):
        rate({}, require_all=False)


# -- CLI ---------------------------------------------------------------------------------------------------

def cli(*args: str):
    return runner.invoke(app, list(args))


def score_args(values: list[int]) -> list[str]:
    return [a for slug, v in zip(SLUGS, values, strict=True) for a in ("--score", f"{slug}={v}")]


def test_cli_rate_json_for_oxfordshire():
    result = cli("cqc", "rate", *score_args(OXFORDSHIRE), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {k: data[k] for k in ("total", "max", "percent", "exact_percent", "rating", "points_to_next_rating",
                                 "points_above_lower_band")} == {
        "total": 23, "max": 36, "percent": 64, "exact_percent": 63.9, "rating": "Good", "points_to_next_rating": 9,
        "points_above_lower_band": 0}
    assert [t["slug"] for t in data["theme_scores"]] == ["working-with-people", "providing-support",
                                                         "ensuring-safety", "leadership"]
    assert len(data["what_if"]) == 9
    assert data["what_if"][0] == {"slug": "assessing-needs", "title": "Assessing needs", "score_from": 2,
                                  "score_to": 1, "rating": "Requires improvement"}


def test_cli_rate_text():
    result = cli("cqc", "rate", *score_args(OXFORDSHIRE))
    assert result.exit_code == 0, result.output
    assert "23/36 = 63.9% (published as 64%): Good" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--score", "safeguarding=2.5"], "'safeguarding' must be a whole number"),
        (["--score", "safeguarding=5"], "'safeguarding' must be from 1 to 4"),
        (["--score", "safeguarding=0"], "'safeguarding' must be from 1 to 4"),
        (["--score", "nonsense=3"], "unknown quality statement"),
        (["--score", "safeguarding"], "must be SLUG=N"),
        (["--score", "safeguarding=3", "--score", "safeguarding=2"], "more than once"),
        ([], "give a --score"),
    ],
)
def test_cli_rate_errors_exit_2(args, message):
    others = [a for slug, v in zip(SLUGS, OXFORDSHIRE, strict=True) if slug != "safeguarding"
              for a in ("--score", f"{slug}={v}")]
    result = cli("cqc", "rate", *(others if args else []), *args)
    assert result.exit_code == 2
    assert message in result.output


def test_cli_rate_missing_statement_exit_2_unless_partial():
    args = score_args(OXFORDSHIRE)[:-2]
    result = cli("cqc", "rate", *args)
    assert result.exit_code == 2
    assert "learning-improvement-innovation" in result.output
    ok = cli("cqc", "rate", *args, "--partial", "--json")
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["max"] == 32


def test_cli_framework_lists_themes_and_statements():
    result = cli("cqc", "framework", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [s["slug"] for s in data["quality_statements"]] == SLUGS
    assert len(data["themes"]) == 4
    text = cli("cqc", "framework")
    assert text.exit_code == 0
    assert "safe-pathways-systems-transitions" in text.output


@pytest.mark.parametrize("command", [["cqc"], ["cqc", "rate"], ["cqc", "framework"]])
def test_cqc_commands_have_help(command):
    result = cli(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output

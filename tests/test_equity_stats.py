"""Confidence intervals, ratios and significance flags checked against published values."""

from __future__ import annotations

import math
import random

import pytest

from asc_assure.domain import equity_stats as st


@pytest.mark.parametrize(("successes", "n", "low", "high"), [
    # Newcombe RG (1998), "Two-sided confidence intervals for the single proportion: comparison of seven
    # methods", Statistics in Medicine 17:857-872: the worked examples, method 3 (Wilson score, no continuity
    # correction).
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_interval_matches_newcombe(successes, n, low, high):
    ci = st.wilson(successes, n)
    assert ci.low == pytest.approx(low, abs=5e-5)
    assert ci.high == pytest.approx(high, abs=5e-5)


def test_wilson_stays_inside_0_and_1_and_needs_a_denominator():
    assert st.wilson(0, 3).low == 0 and st.wilson(3, 3).high == 1
    assert st.wilson(0, 0) is None
    with pytest.raises(ValueError):
        st.wilson(5, 4)


@pytest.mark.parametrize(("count", "low", "high"), [
    # Exact (Garwood 1936) Poisson limits as tabulated in e.g. the PHE/OHID "Technical Guide: Confidence
    # Intervals" and standard tables of Poisson confidence limits (Geigy Scientific Tables).
    (0, 0.0, 3.689),
    (1, 0.0253, 5.572),
    (10, 4.795, 18.390),
    (100, 81.364, 121.627),
])
def test_exact_poisson_limits_match_tables(count, low, high):
    ci = st.poisson_exact(count)
    assert ci.low == pytest.approx(low, abs=6e-4)
    assert ci.high == pytest.approx(high, abs=6e-4)


def test_rate_per_1000_scales_the_count_and_its_limits():
    r = st.rate(10, 2000)
    assert r.value == 5.0
    assert r.ci.low == pytest.approx(4.795 / 2, abs=1e-3) and r.ci.high == pytest.approx(18.390 / 2, abs=1e-3)
    assert st.rate(3, 0) is None


def test_mean_uses_students_t():
    # Values 1, 2, 3, 4, 5: mean 3, sd 1.5811, se 0.7071; t(0.975, 4 df) = 2.776 (any t table).
    e = st.mean(3.0, math.sqrt(2.5), 5)
    assert e.ci.low == pytest.approx(3 - 2.7764 * 0.70711, abs=1e-3)
    assert e.ci.high == pytest.approx(3 + 2.7764 * 0.70711, abs=1e-3)
    assert st.mean(3.0, None, 1) is None


def test_rate_ratio_log_method_matches_rothman():
    # Rothman & Greenland, Modern Epidemiology (2nd ed., ch. 14): breast cancer after fluoroscopy, 41 cases in
    # 28,010 person-years against 15 in 19,017: rate ratio 1.86, 95% CI 1.03 to 3.35.
    a, b = st.rate(41, 28_010), st.rate(15, 19_017)
    r = st.ratio_independent(a.value, a.se, b.value, b.se)
    assert round(r.ratio, 2) == 1.86
    assert (round(r.ci.low, 2), round(r.ci.high, 2)) == (1.03, 3.35)
    assert r.significance == st.HIGHER


def test_risk_ratio_log_method_is_the_katz_formula():
    # Katz et al. (1978): SE(ln RR) = sqrt(1/a - 1/n1 + 1/c - 1/n2).
    a, n1, c, n2 = 30, 100, 15, 100
    pa, pc = st.proportion(a, n1), st.proportion(c, n2)
    r = st.ratio_independent(pa.value, pa.se, pc.value, pc.se)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    assert r.ratio == pytest.approx(2.0)
    assert r.ci.low == pytest.approx(2.0 * math.exp(-st.Z95 * se))
    assert r.ci.high == pytest.approx(2.0 * math.exp(st.Z95 * se))


def test_ratio_to_the_council_counts_the_group_inside_the_council():
    # For Poisson counts the log-method variance of (group rate / council rate) is exactly 1/a - 1/A.
    a, pop_g, b, pop_r = 40, 10_000, 160, 90_000
    g, rest = st.rate(a, pop_g), st.rate(b, pop_r)
    r = st.ratio_to_whole(g.value, g.se, pop_g / (pop_g + pop_r), rest.value, rest.se)
    council = (a + b) / (pop_g + pop_r) * 1000
    assert r.ratio == pytest.approx(g.value / council)
    se = math.sqrt(1 / a - 1 / (a + b))
    assert r.ci.low == pytest.approx(r.ratio * math.exp(-st.Z95 * se))
    assert r.ci.high == pytest.approx(r.ratio * math.exp(st.Z95 * se))
    assert r.significance == st.HIGHER  # 4.0 per 1,000 against a council 2.0


def test_a_group_that_is_the_whole_council_is_exactly_average():
    g = st.rate(50, 1000)
    r = st.ratio_to_whole(g.value, g.se, 1.0, None, None)
    assert r.ratio == 1 and r.ci.low == r.ci.high == 1
    assert r.significance == st.NOT_DIFFERENT


def test_ratio_to_council_interval_covers_about_95_percent():
    """Simulated councils with no real difference: about 5% of groups are flagged, not more."""
    rnd = random.Random(20250331)
    flagged = 0
    trials = 2000
    for _ in range(trials):
        n_g, n_r, p = 300, 2700, 0.3
        a = sum(rnd.random() < p for _ in range(n_g))
        b = sum(rnd.random() < p for _ in range(n_r))
        g, rest = st.proportion(a, n_g), st.proportion(b, n_r)
        r = st.ratio_to_whole(g.value, g.se, n_g / (n_g + n_r), rest.value, rest.se)
        flagged += r.significance in (st.HIGHER, st.LOWER)
    assert 0.03 < flagged / trials < 0.07


@pytest.mark.parametrize(("low", "high", "flag"), [
    (1.01, 1.5, st.HIGHER), (0.5, 0.99, st.LOWER), (0.9, 1.1, st.NOT_DIFFERENT), (1.0, 1.2, st.NOT_DIFFERENT),
])
def test_flag_only_when_the_interval_excludes_one(low, high, flag):
    assert st.significance(st.Interval(low, high)) == flag


def test_too_few_events_are_not_tested():
    assert st.significance(None) == st.NOT_TESTED
    assert not st.testable(4) and st.testable(5)
    assert not st.testable(48, 50) and st.testable(45, 50)
    assert st.ratio_to_whole(0.0, 0.0, 0.2, 1.0, 0.1) is None  # no events: no log ratio

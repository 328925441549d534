"""Confidence intervals, ratios and significance for equity breakdowns. Pure functions, no I/O.

Why these methods (each is the one public-health analysts in England use, so a council's figures
can be checked against their own tools, e.g. the OHID/PHE "Technical Guide: Confidence Intervals"):

* **Proportions** (a share of cases done on time, say): the **Wilson score** interval (Wilson 1927;
  recommended by Newcombe 1998 and Altman et al., *Statistics with Confidence*, 2000). It stays inside
  0-100% and behaves with small numbers and with 0 or all.
* **Counts as rates per 1,000 population**: the **exact Poisson interval (Garwood 1936)**, from the
  chi-squared distribution: lower = chi2(0.025; 2O)/2, upper = chi2(0.975; 2O+2)/2 for O events,
  divided by the population. (Byar's formula is a close approximation of the same limits; the exact
  ones are used because SciPy makes them cheap.)
* **Means** (average days waited): Student's t interval, mean +/- t(0.975; n-1) x sd / sqrt(n).
* **Ratios** (a group's figure divided by the council average): the **log method**. The ratio's
  logarithm is taken as normally distributed, its standard error worked out by the delta method, and
  the limits are exp(ln ratio +/- 1.96 x SE). Because a group is *part of* the council average (not
  an independent sample), the standard error comes from the group and the rest of the council as
  independent parts: with weights w (group) and 1-w (rest), overall = w.g + (1-w).r and
  Var(ln g/overall) = (1/g - w/overall)^2 Var(g) + ((1-w)/overall)^2 Var(r). For Poisson counts this
  is exactly 1/a - 1/A (a events in the group, A in the council). For two independent groups it is
  the familiar Katz / Rothman formula, which the tests check against published examples.
* **Significance**: a group is flagged only when the 95% interval of its ratio excludes 1. Each flag
  is one comparison at the 5% level: with many groups some flags are expected by chance, and no
  adjustment for multiple comparisons is made or claimed.

Groups with too few events for the normal approximation of the log ratio (fewer than
``MIN_EVENTS``, or for proportions fewer than ``MIN_EVENTS`` without the outcome; for means fewer than
``MIN_VALUES_FOR_MEAN`` values) are "not tested" rather than given an interval that would mislead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from scipy import stats

CONFIDENCE = 0.95
Z95 = NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)  # 1.959964...
MIN_EVENTS = 5
#: A mean is tested only with this many values: waits are skewed, and the t interval leans on the
#: central limit theorem.
MIN_VALUES_FOR_MEAN = 30
PER = 1000

HIGHER, LOWER, NOT_DIFFERENT, NOT_TESTED = "higher", "lower", "not_different", "not_tested"
SIGNIFICANCE_WORDS = {
    HIGHER: "Significantly higher than the council average",
    LOWER: "Significantly lower than the council average",
    NOT_DIFFERENT: "Not significantly different from the council average",
    NOT_TESTED: "Too few to test",
}


@dataclass(frozen=True)
class Interval:
    """A 95% confidence interval (lower and upper limits, in the estimate's own unit)."""

    low: float
    high: float

    def scaled(self, factor: float) -> Interval:
        return Interval(self.low * factor, self.high * factor)

    def excludes(self, value: float) -> bool:
        return value < self.low or value > self.high


@dataclass(frozen=True)
class Estimate:
    """A figure with its standard error (both in the figure's unit) and its confidence interval."""

    value: float
    se: float
    ci: Interval


@dataclass(frozen=True)
class Ratio:
    """A group's figure over a reference figure, with its log-method interval."""

    ratio: float
    ci: Interval | None

    @property
    def significance(self) -> str:
        return significance(self.ci)


def wilson(successes: float, n: float, z: float = Z95) -> Interval | None:
    """Wilson score interval for ``successes`` out of ``n`` (as proportions 0-1); None when n is 0."""
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError(f"successes ({successes}) must be between 0 and n ({n})")
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def poisson_exact(count: float, confidence: float = CONFIDENCE) -> Interval:
    """Garwood's exact interval for a Poisson count (events, not yet divided by a population)."""
    if count < 0:
        raise ValueError(f"a count cannot be negative ({count})")
    alpha = 1 - confidence
    low = 0.0 if count == 0 else float(stats.chi2.ppf(alpha / 2, 2 * count)) / 2
    high = float(stats.chi2.ppf(1 - alpha / 2, 2 * count + 2)) / 2
    return Interval(low, high)


def proportion(successes: float, n: float) -> Estimate | None:
    """A proportion (0-1) with its binomial standard error and Wilson interval; None when n is 0."""
    ci = wilson(successes, n)
    if ci is None:
        return None
    p = successes / n
    return Estimate(p, math.sqrt(p * (1 - p) / n), ci)


def rate(count: float, population: float, per: float = PER) -> Estimate | None:
    """Events per ``per`` population with its Poisson standard error and exact interval."""
    if population <= 0:
        return None
    factor = per / population
    return Estimate(count * factor, math.sqrt(count) * factor, poisson_exact(count).scaled(factor))


def mean(value: float, sd: float | None, n: float) -> Estimate | None:
    """A mean with its standard error and Student's t interval; None with fewer than 2 values."""
    if n < 2 or sd is None:
        return None
    se = sd / math.sqrt(n)
    t = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1))
    return Estimate(value, se, Interval(value - t * se, value + t * se))


def _log_interval(ratio: float, var_log: float, z: float = Z95) -> Interval:
    half = z * math.sqrt(max(0.0, var_log))
    return Interval(ratio * math.exp(-half), ratio * math.exp(half))


def ratio_independent(a: float, se_a: float, b: float, se_b: float) -> Ratio | None:
    """a / b for two independent estimates, log method: Var(ln a/b) = (se_a/a)^2 + (se_b/b)^2."""
    if a <= 0 or b <= 0:
        return None
    return Ratio(a / b, _log_interval(a / b, (se_a / a) ** 2 + (se_b / b) ** 2))


def ratio_to_whole(group: float, se_group: float, weight: float, rest: float | None,
                   se_rest: float | None) -> Ratio | None:
    """The group's figure over the whole's, where the whole = weight x group + (1 - weight) x rest.

    ``weight`` is the group's share of the whole's denominator (population, cases, or values). The
    log-method variance treats the group and the rest as independent parts (see the module notes);
    with no rest (the group is everything) the ratio is exactly 1.
    """
    if not 0 < weight <= 1:
        raise ValueError(f"the group's weight must be above 0 and at most 1 ({weight})")
    rest_part = 0.0 if weight == 1 or rest is None else (1 - weight) * rest
    whole = weight * group + rest_part
    if group <= 0 or whole <= 0:
        return None
    ratio = group / whole
    var = (1 / group - weight / whole) ** 2 * se_group ** 2
    if weight < 1 and se_rest is not None:
        var += ((1 - weight) / whole) ** 2 * se_rest ** 2
    return Ratio(ratio, _log_interval(ratio, var))


def significance(ci: Interval | None) -> str:
    """higher / lower only when the 95% interval of a ratio excludes 1; not_tested without one."""
    if ci is None:
        return NOT_TESTED
    if ci.low > 1:
        return HIGHER
    if ci.high < 1:
        return LOWER
    return NOT_DIFFERENT


def testable_mean(n: float) -> bool:
    return n >= MIN_VALUES_FOR_MEAN


def testable(events: float, n: float | None = None) -> bool:
    """Enough events (and, for a proportion out of ``n``, enough non-events) for the log method."""
    if events < MIN_EVENTS:
        return False
    return n is None or n - events >= MIN_EVENTS

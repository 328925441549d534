"""Risk scoring rules: 5x5 likelihood x impact, bands, escalation and direction of travel.

Pure functions with no storage, so the CLI, the web pages and the monthly report all score a risk
the same way. The numbers that a council may want to set differently (where the bands start and
end, the score at which a risk is escalated) come from ``assurance/risk_budget_settings.yaml`` and
are passed in as a :class:`RiskSettings`; nothing here reads a file.

Direction of travel compares the last two *residual* scores in the risk's score history, because
the residual score (after controls) is the one the council manages and reports (the Business
Management and Monitoring Report's strategic risk table shows "Previous Residual Risk Score",
"Current Residual Risk Score" and "Direction of Travel" side by side).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SCALE = range(1, 6)
MAX_SCORE = 25

LIKELIHOOD_LABELS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT_LABELS = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}

NEW, IMPROVING, WORSENING, STABLE = "New", "Improving", "Worsening", "Stable"
DIRECTIONS = (NEW, IMPROVING, WORSENING, STABLE)
TAG_COLOURS = ("green", "yellow", "orange", "red", "grey", "blue", "purple", "pink", "turquoise")


@dataclass(frozen=True)
class Band:
    """A named range of scores, e.g. Medium = 5 to 9, with the GOV.UK tag colour it is shown in."""

    name: str
    low: int
    high: int
    colour: str

    def contains(self, score: int) -> bool:
        return self.low <= score <= self.high


@dataclass(frozen=True)
class RiskSettings:
    escalation_threshold: int
    bands: tuple[Band, ...]

    def band(self, score: int) -> Band:
        return band_for(score, self.bands)


def check_rating(value: Any, field: str) -> int:
    """A likelihood or impact: a whole number from 1 to 5 (the council's 5x5 matrix)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(f"{field} must be a whole number from 1 to 5, not {value!r}") from None
    if number not in SCALE or str(value).strip() not in {str(n) for n in SCALE}:
        raise ValueError(f"{field} must be a whole number from 1 to 5, not {value!r}")
    return number


def score(likelihood: int, impact: int) -> int:
    """Likelihood x impact, 1 to 25."""
    return check_rating(likelihood, "likelihood") * check_rating(impact, "impact")


def band_for(value: int, bands: Sequence[Band]) -> Band:
    for b in bands:
        if b.contains(value):
            return b
    raise ValueError(f"score {value} is not in any risk band")


def is_escalated(residual_score: int, threshold: int) -> bool:
    """Escalated when the residual score reaches the threshold (at or above it, not only above)."""
    return residual_score >= threshold


def direction(residual_scores: Sequence[int]) -> str:
    """Direction of travel from the last two residual scores (oldest first): a lower score is better.

    One score only means the risk is New: there is nothing to compare with.
    """
    if len(residual_scores) < 2:
        return NEW
    previous, latest = residual_scores[-2], residual_scores[-1]
    if latest < previous:
        return IMPROVING
    if latest > previous:
        return WORSENING
    return STABLE


def parse_bands(raw: Any) -> tuple[Band, ...]:
    """Bands from settings, checked to cover every score from 1 to 25 once, in order, with no gaps."""
    if not isinstance(raw, list) or not raw:
        raise ValueError("risk bands must be a list of {name, from, to, colour}")
    bands = []
    expected = 1
    for i, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            raise ValueError(f"risk band {i} must be a mapping with name, from, to and colour")
        name = str(item.get("name") or "").strip()
        if not name:
            raise ValueError(f"risk band {i} has no name")
        try:
            low, high = int(item["from"]), int(item["to"])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"risk band {name!r} needs whole-number 'from' and 'to' scores") from None
        if low != expected:
            raise ValueError(f"risk band {name!r} starts at {low} but the previous band ended at {expected - 1}: "
                             "bands must follow on from each other with no gap or overlap")
        if high < low:
            raise ValueError(f"risk band {name!r} ends ({high}) before it starts ({low})")
        colour = str(item.get("colour") or "grey").strip()
        if colour not in TAG_COLOURS:
            raise ValueError(f"risk band {name!r} colour {colour!r} is not one of {', '.join(TAG_COLOURS)}")
        bands.append(Band(name, low, high, colour))
        expected = high + 1
    if expected - 1 != MAX_SCORE:
        raise ValueError(f"risk bands must end at {MAX_SCORE}, not {expected - 1}")
    return tuple(bands)


def parse_risk_settings(raw: Any) -> RiskSettings:
    if not isinstance(raw, dict):
        raise ValueError("the 'risk' settings must be a mapping")
    try:
        threshold = int(raw.get("escalation_threshold"))
    except (TypeError, ValueError):
        raise ValueError(f"risk escalation_threshold must be a whole number, not "
                         f"{raw.get('escalation_threshold')!r}") from None
    if not 1 <= threshold <= MAX_SCORE:
        raise ValueError(f"risk escalation_threshold must be from 1 to {MAX_SCORE}, not {threshold}")
    return RiskSettings(threshold, parse_bands(raw.get("bands")))

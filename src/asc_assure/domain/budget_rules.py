"""Budget monitoring rules: variance, variance RAG, savings RAG, months and financial years.

The council's Business Management and Monitoring Report rates each directorate's projected year-end
variance "Red > 1.5%, Amber > 1.1% < 1.5%, Green on track". Those bounds come from
``assurance/risk_budget_settings.yaml`` (a council may set its own) and arrive here as
:class:`VarianceThresholds`. Three decisions are made once, here:

* Variance = forecast outturn - budget. Positive is an overspend (adverse), negative an underspend.
* Variance % is the variance as a share of the *size* of the budget (its absolute value), so that an
  income line (a negative budget) that brings in less than planned still shows a positive, adverse
  percentage.
* The RAG is computed on the exact figures held (whole pence) with exact fractions, never on a rounded
  percentage or on floating point: 1.50% is Amber, 1.5001% is Red, whatever a table displays.
  Red when adverse variance > ``red_above_pct``; Amber when ``amber_from_pct`` <= adverse variance <=
  ``red_above_pct``; otherwise Green (on track, including every underspend).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

GREEN, AMBER, RED = "green", "amber", "red"
UNITS = {"pounds": 1, "thousands": 1_000, "millions": 1_000_000}
UNIT_LABELS = {"pounds": "£", "thousands": "£000", "millions": "£m"}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_FY = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$")


def _fraction(value: Any, name: str) -> Fraction:
    try:
        return Fraction(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        raise ValueError(f"{name} must be a number, not {value!r}") from None


@dataclass(frozen=True)
class VarianceThresholds:
    """Adverse variance bounds, in per cent of budget."""

    red_above_pct: Fraction
    amber_from_pct: Fraction

    @classmethod
    def of(cls, red_above_pct: Any, amber_from_pct: Any) -> VarianceThresholds:
        red = _fraction(red_above_pct, "red_above_pct")
        amber = _fraction(amber_from_pct, "amber_from_pct")
        if amber < 0 or red < 0:
            raise ValueError("variance thresholds must not be negative")
        if amber > red:
            raise ValueError(f"amber_from_pct ({float(amber)}) must not be above red_above_pct ({float(red)})")
        return cls(red, amber)


@dataclass(frozen=True)
class SavingsThresholds:
    """Forecast delivery of a savings scheme as a share of its target, in per cent."""

    green_from_pct: Fraction
    amber_from_pct: Fraction

    @classmethod
    def of(cls, green_from_pct: Any, amber_from_pct: Any) -> SavingsThresholds:
        green = _fraction(green_from_pct, "green_from_pct")
        amber = _fraction(amber_from_pct, "amber_from_pct")
        if amber > green:
            raise ValueError(f"savings amber_from_pct ({float(amber)}) must not be above green_from_pct "
                             f"({float(green)})")
        return cls(green, amber)


def parse_budget_settings(raw: Any) -> tuple[VarianceThresholds, SavingsThresholds]:
    if not isinstance(raw, dict):
        raise ValueError("the 'budget' settings must be a mapping")
    v = raw.get("variance_rag") or {}
    s = raw.get("savings_rag") or {}
    return (VarianceThresholds.of(v.get("red_above_pct"), v.get("amber_from_pct")),
            SavingsThresholds.of(s.get("green_from_pct"), s.get("amber_from_pct")))


# -- money --------------------------------------------------------------------------------------------
def to_pence(text: Any, units: str = "pounds") -> int:
    """A figure from a finance export as whole pence.

    Accepts what finance systems write: ``£1,234.50``, ``1234.5``, ``(1,234)`` or ``-1,234`` for a
    negative, in pounds, thousands (£000) or millions (£m). Sub-penny amounts round half up to the penny.
    """
    if units not in UNITS:
        raise ValueError(f"units must be one of {', '.join(UNITS)}, not {units!r}")
    raw = "" if text is None else str(text)
    cleaned = raw.strip().replace("£", "").replace(",", "").replace(" ", "").replace("\u2212", "-")
    if not cleaned:
        raise ValueError("is blank")
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative, cleaned = True, cleaned[1:-1]
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{raw.strip()!r} is not an amount of money") from None
    if not amount.is_finite():
        raise ValueError(f"{raw.strip()!r} is not an amount of money")
    if negative:
        amount = -amount
    pence = (amount * UNITS[units] * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(pence)


def pounds(pence: int | None) -> float | None:
    return None if pence is None else pence / 100


def variance(budget_pence: int, forecast_pence: int) -> int:
    """Forecast outturn minus budget: positive is an overspend (adverse)."""
    return forecast_pence - budget_pence


def variance_pct(budget_pence: int, forecast_pence: int) -> Fraction | None:
    """Variance as an exact percentage of the size of the budget; None when the budget is nil."""
    if budget_pence == 0:
        return None
    return Fraction(variance(budget_pence, forecast_pence) * 100, abs(budget_pence))


def variance_rag(budget_pence: int, forecast_pence: int, thresholds: VarianceThresholds) -> str | None:
    """Red, Amber or Green for a budget line or a total (see the module docstring for the rule).

    A nil budget has no percentage: an underspend or exact spend is Green, an overspend cannot be
    rated as a percentage and gives None, which pages show as "Not rated".
    """
    pct = variance_pct(budget_pence, forecast_pence)
    if pct is None:
        return GREEN if variance(budget_pence, forecast_pence) <= 0 else None
    if pct > thresholds.red_above_pct:
        return RED
    if pct >= thresholds.amber_from_pct:
        return AMBER
    return GREEN


def savings_rag(target_pence: int, forecast_pence: int | None, thresholds: SavingsThresholds) -> str | None:
    """Green when forecast delivery reaches ``green_from_pct`` of the target, Amber from ``amber_from_pct``,
    Red below; None when no forecast has been recorded yet."""
    if forecast_pence is None or target_pence <= 0:
        return None
    pct = Fraction(forecast_pence * 100, target_pence)
    if pct >= thresholds.green_from_pct:
        return GREEN
    if pct >= thresholds.amber_from_pct:
        return AMBER
    return RED


# -- months and financial years ----------------------------------------------------------------------
def parse_month(text: Any, field: str = "month") -> str:
    """A reporting month written YYYY-MM (e.g. 2024-09 for September 2024)."""
    raw = "" if text is None else str(text).strip()
    m = _MONTH.match(raw)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"{field} {raw!r} is not a month: write it as YYYY-MM, for example 2024-09")
    return raw


def month_start(month: str) -> dt.date:
    y, m = (int(x) for x in parse_month(month).split("-"))
    return dt.date(y, m, 1)


def month_label(month: str) -> str:
    """2024-09 -> "September 2024"."""
    return month_start(month).strftime("%B %Y")


def financial_year(month: str) -> str:
    """The council's financial year (1 April to 31 March) a month falls in: 2024-09 -> 2024/25."""
    d = month_start(month)
    start = d.year if d.month >= 4 else d.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def parse_financial_year(text: Any) -> str:
    """2024/25, 2024-25 or 2024/2025 -> 2024/25."""
    raw = "" if text is None else str(text).strip()
    m = _FY.match(raw)
    if m:
        start, end = int(m.group(1)), int(m.group(2))
        if end % 100 == (start + 1) % 100 and (end < 100 or end == start + 1):
            return f"{start}/{(start + 1) % 100:02d}"
    raise ValueError(f"financial year {raw!r} is not valid: write it as 2024/25")


def financial_year_months(fy: str) -> list[str]:
    """The twelve months of a financial year, April first."""
    start = int(parse_financial_year(fy)[:4])
    return [f"{start + (m < 4)}-{m:02d}" for m in (*range(4, 13), 1, 2, 3)]

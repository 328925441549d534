"""Targets, RAG ratings, exceptions and direction of travel: the council's rules, in one place.

* Green meets the target; Amber misses it by no more than the tolerance; Red misses it by more.
  Which way is "better" comes from the measure's polarity.
* An exception is a Red, or an Amber for two or more consecutive periods.
* Direction of travel compares a value with an earlier one (the previous period, or the same period
  last year) and says whether it moved the better way. It is computed, never typed in.
"""

from __future__ import annotations

from dataclasses import dataclass

GREEN, AMBER, RED = "green", "amber", "red"
HIGHER, LOWER, NEUTRAL = "higher", "lower", "neutral"
IMPROVING, WORSENING, STABLE = "improving", "worsening", "stable"
INCREASING, DECREASING = "increasing", "decreasing"
EPSILON = 1e-9


def rag(value: float | None, target: float | None, polarity: str, tolerance: float | None = 0.0) -> str | None:
    """RAG rating of ``value`` against ``target``; None when either is unknown."""
    if value is None or target is None:
        return None
    if polarity not in (HIGHER, LOWER):
        raise ValueError(f"polarity must be {HIGHER!r} or {LOWER!r}, not {polarity!r}")
    shortfall = (target - value) if polarity == HIGHER else (value - target)
    if shortfall <= EPSILON:
        return GREEN
    if shortfall <= (tolerance or 0.0) + EPSILON:
        return AMBER
    return RED


@dataclass(frozen=True)
class ExceptionFlag:
    is_exception: bool
    reason: str | None


def exception(history: list[str | None]) -> ExceptionFlag:
    """Is the latest period an exception? ``history`` is RAG ratings oldest first, latest last."""
    if not history or history[-1] is None:
        return ExceptionFlag(False, None)
    if history[-1] == RED:
        return ExceptionFlag(True, "Red")
    run = 0
    for r in reversed(history):
        if r != AMBER:
            break
        run += 1
    if run >= 2:
        return ExceptionFlag(True, f"Amber for {run} consecutive periods")
    return ExceptionFlag(False, None)


def change_pct(value: float | None, earlier: float | None) -> float | None:
    """Percentage change from ``earlier`` to ``value``; None when there is no meaningful base."""
    if value is None or earlier is None or abs(earlier) < EPSILON:
        return None
    return (value - earlier) / abs(earlier) * 100.0


def direction(value: float | None, earlier: float | None, polarity: str) -> str | None:
    """Improving, worsening or stable, judged by the measure's polarity.

    Activity measures (polarity ``neutral``, e.g. concerns received) have no better way: they are
    increasing or decreasing.
    """
    if value is None or earlier is None:
        return None
    if abs(value - earlier) <= EPSILON:
        return STABLE
    if polarity == NEUTRAL:
        return INCREASING if value > earlier else DECREASING
    better = value > earlier if polarity == HIGHER else value < earlier
    return IMPROVING if better else WORSENING

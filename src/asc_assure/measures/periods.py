"""Reporting periods: which days a figure covers, the period before, and the same period last year.

A period always ends on the as-of date. ``week`` is the seven days ending then; ``month`` is the
calendar month to date; ``quarter`` and ``year`` follow the financial year (April to March), as
councils report. Snapshot measures (a waiting list, open cases) are taken on the as-of date itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PERIODS = ("week", "month", "quarter", "year")


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date


def _shift_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later (clipped to the month's last day: 31 March - 1 month = 28/29 Feb)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _fy_quarter_start(day: dt.date) -> dt.date:
    """Financial-year quarters (Apr-Jun, Jul-Sep, Oct-Dec, Jan-Mar) start on the calendar quarters' days."""
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _fy_start(day: dt.date) -> dt.date:
    return dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def window(as_of: dt.date, period: str) -> Window:
    """The days a period ending on ``as_of`` covers."""
    if period == "week":
        return Window(as_of - dt.timedelta(days=6), as_of)
    if period == "month":
        return Window(as_of.replace(day=1), as_of)
    if period == "quarter":
        return Window(_fy_quarter_start(as_of), as_of)
    if period == "year":
        return Window(_fy_start(as_of), as_of)
    raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")


def step_back(as_of: dt.date, period: str, steps: int = 1) -> dt.date:
    """The as-of date ``steps`` periods earlier (a week is 7 days; a month keeps the day of month)."""
    if period == "week":
        return as_of - dt.timedelta(days=7 * steps)
    months = {"month": 1, "quarter": 3, "year": 12}[period] * steps
    return _shift_months(as_of, -months)


def same_period_last_year(as_of: dt.date, period: str) -> dt.date:
    """A week compares with the same weekday 52 weeks earlier; other periods with the date a year earlier."""
    if period == "week":
        return as_of - dt.timedelta(weeks=52)
    return _shift_months(as_of, -12)


def series(as_of: dt.date, period: str, points: int) -> list[dt.date]:
    """``points`` as-of dates ending with ``as_of``, one period apart, oldest first."""
    return [step_back(as_of, period, k) for k in range(points - 1, -1, -1)]


DEFAULT_TREND_POINTS = {"week": 52, "month": 24, "quarter": 8, "year": 3}

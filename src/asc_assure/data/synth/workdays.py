"""Day numbers and the English working-day calendar.

Every date inside the generator is an integer day number (days since 1970-01-01, the same
representation as a polars ``Date``), so whole columns can be shifted and compared with numpy.
Timelines are simulated past the extract date and then *censored*: anything later than the extract
date is written blank, exactly as a case-management extract would show work not yet done. ``NEVER``
marks something that does not happen at all.

Performance targets are in working days (triage within 2, allocation within 10), so the calendar
knows weekends and England's bank holidays (``holidays``, subdivision ENG).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from asc_assure.domain.working_days import all_bank_holidays

EPOCH = date(1970, 1, 1)
#: A day number far beyond any extract date: "has not happened".
NEVER = 1_000_000


def day_number(d: date) -> int:
    """Day number of a date (days since 1970-01-01)."""
    return (d - EPOCH).days


def day_date(n: int) -> date:
    """The date of a day number."""
    return EPOCH + timedelta(days=int(n))


def weekday(days: np.ndarray) -> np.ndarray:
    """Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday)."""
    return (np.asarray(days, dtype=np.int64) + 3) % 7


def first_of_month(days: np.ndarray) -> np.ndarray:
    """Day number of the first of each day's month (CLD stores dates of birth this way)."""
    months = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]")
    return months.astype("datetime64[D]").astype(np.int64)


def month_ends(first: int, last: int) -> np.ndarray:
    """Last day of every month whose end falls in [first, last]."""
    m0 = np.datetime64(day_date(first), "M")
    m1 = np.datetime64(day_date(last), "M")
    months = np.arange(m0, m1 + 1)
    ends = (months + 1).astype("datetime64[D]").astype(np.int64) - 1
    return ends[(ends >= first) & (ends <= last)]


def day_of_year(days: np.ndarray) -> np.ndarray:
    """Day of the year, 0-based (used for seasonality)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return (d - d.astype("datetime64[Y]").astype("datetime64[D]")).astype(np.int64)


def month_of(days: np.ndarray) -> np.ndarray:
    """Calendar month 1..12."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return (d.astype("datetime64[M]").astype(np.int64) % 12) + 1


class WorkCalendar:
    """Working days between ``first`` and ``last`` (inclusive day numbers).

    Outside that span the calendar extends at five working days per seven, which only matters for
    dates far beyond the extract date (they are censored anyway).
    """

    def __init__(self, first: int, last: int) -> None:
        self.first = first
        self.last = last
        self.days = np.arange(first, last + 1, dtype=np.int64)
        bank = all_bank_holidays(day_date(first), day_date(last))
        hol = np.array([day_number(d) for d in bank], dtype=np.int64)
        self.is_bank_holiday = np.isin(self.days, hol)
        self.is_workday = (weekday(self.days) < 5) & ~self.is_bank_holiday
        self.workdays = self.days[self.is_workday]

    def _from_position(self, pos: np.ndarray) -> np.ndarray:
        n = len(self.workdays)
        inside = self.workdays[np.clip(pos, 0, n - 1)]
        over = self.workdays[-1] + ((pos - (n - 1)) * 7) // 5
        under = self.workdays[0] + (pos * 7) // 5
        return np.where(pos >= n, over, np.where(pos < 0, under, inside))

    def add_workdays(self, days: np.ndarray, k: np.ndarray | int) -> np.ndarray:
        """The k-th working day on or after each day (k = 0: the day itself or the next working day)."""
        days = np.asarray(days, dtype=np.int64)
        pos = np.searchsorted(self.workdays, days, side="left") + np.asarray(k, dtype=np.int64)
        return np.where(days >= NEVER, NEVER, self._from_position(pos))

    def next_workday(self, days: np.ndarray) -> np.ndarray:
        """The day itself when it is a working day, else the next working day."""
        return self.add_workdays(days, 0)

    def workdays_between(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Working days elapsed from ``a`` to ``b`` under the one rule in ``domain.working_days``.

        Working days after the start up to and including the end; a non-working start counts from the
        next working day; never negative.
        """
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        through_end = np.searchsorted(self.workdays, b, side="right")
        first_working = np.searchsorted(self.workdays, a, side="left") + 1
        return np.maximum(0, through_end - first_working)

    def workday_mask(self, days: np.ndarray) -> np.ndarray:
        """True for days that are working days."""
        days = np.asarray(days, dtype=np.int64)
        idx = np.clip(days - self.first, 0, len(self.days) - 1)
        inside = (days >= self.first) & (days <= self.last)
        return np.where(inside, self.is_workday[idx], weekday(days) < 5)

    def bank_holiday_mask(self, days: np.ndarray) -> np.ndarray:
        days = np.asarray(days, dtype=np.int64)
        idx = np.clip(days - self.first, 0, len(self.days) - 1)
        inside = (days >= self.first) & (days <= self.last)
        return inside & self.is_bank_holiday[idx]

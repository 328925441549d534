"""Working days in England: weekends and England's bank holidays (including one-off days such as
19 September 2022 and 8 May 2023) are not working days.

The one rule, used everywhere (measures, work queues, the synthetic council):

    working days elapsed = the number of working days after the start date, up to and including the
    end date; a start on a non-working day counts from the next working day.

So a concern received on Wednesday 24 December 2025 and triaged on Tuesday 30 December 2025 took 2
working days (Monday 29 and Tuesday 30; Christmas Day, Boxing Day and the weekend don't count).

SQL gets the same rule from a calendar table (``calendar_rows``): each day carries ``wd_index``, the
number of working days from a fixed origin up to and including that day, and ``next_wd_index``, the
index of the first working day on or after it. Then

    elapsed = max(0, wd_index(end) - next_wd_index(start))
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from types import MappingProxyType

import holidays

ORIGIN = dt.date(2000, 1, 1)
LAST = dt.date(2040, 12, 31)


@lru_cache(maxsize=128)
def bank_holidays(year: int) -> MappingProxyType:
    """England's bank holidays in a year, date -> name (``holidays`` package, subdivision ENG)."""
    return MappingProxyType(dict(holidays.country_holidays("GB", subdiv="ENG", years=year)))


def all_bank_holidays(first: dt.date = ORIGIN, last: dt.date = LAST) -> list[dt.date]:
    """Every bank holiday between two dates, in order (for building SQL and calendars)."""
    return sorted(d for y in range(first.year, last.year + 1) for d in bank_holidays(y) if first <= d <= last)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def next_working_day(day: dt.date) -> dt.date:
    """The day itself if it is a working day, else the next working day."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The date ``n`` working days after ``day`` (counting from the next working day if ``day`` isn't one).

    This is the due date for a timescale: a concern received on a Friday with 2 working days to triage
    is due on the Tuesday.
    """
    day = next_working_day(day)
    while n > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days elapsed from ``start`` to ``end`` under the rule above (never negative)."""
    first = next_working_day(start)
    if end <= first:
        return 0
    count = 0
    day = first
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def calendar_rows(first: dt.date = ORIGIN, last: dt.date = LAST) -> dict[str, list]:
    """Columns of the calendar table: day, is_working_day, bank_holiday, wd_index, next_wd_index."""
    days, working, names, index, next_index = [], [], [], [], []
    count = 0
    day = first
    while day <= last:
        hol = day in bank_holidays(day.year)
        work = day.weekday() < 5 and not hol
        count += work
        days.append(day)
        working.append(work)
        names.append(bank_holidays(day.year).get(day))
        index.append(count)
        next_index.append(count if work else count + 1)
        day += dt.timedelta(days=1)
    return {"day": days, "is_working_day": working, "bank_holiday": names, "wd_index": index,
            "next_wd_index": next_index}

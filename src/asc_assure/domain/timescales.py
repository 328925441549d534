"""Timescales for safeguarding and DoLS work: one place for the rules that the measures and the work
queues both follow.

The measures (``measures/definitions/30_safeguarding.yaml`` and ``40_dols.yaml``) express these rules in
SQL; the work queues (``asc_assure.operations``) use the functions here. Tests check that the two agree
for the same store and date, so a change to a timescale is made here and in the measure definition
together, or the tests fail.

Safeguarding (working days, from ``asc_assure.domain.working_days``; the council's internal standard,
reported to scrutiny):

* triage of a concern: 2 working days from receipt;
* allocation of an enquiry to a worker: 10 working days from the concern's triage;
* completion of an enquiry: 20 working days from allocation;
* an urgent concern is screened within 2 hours of receipt (the extracts hold dates, not times, so the
  queues treat it as due on the day it was received);
* "open over 12 weeks": open for more than 84 calendar days (the measure
  ``safeguarding.open_over_12_weeks``).

Deprivation of Liberty Safeguards (calendar days, set by the Mental Capacity Act 2005, Schedule A1):

* a standard authorisation is due within 21 days of the request;
* an urgent authorisation lasts up to 7 days and may be extended once, by up to 7 more, so the
  application is due within 7 days, or 14 if extended.

Legal timescales in calendar days are not moved by weekends or bank holidays; what does move is the last
day staff can act on. :func:`act_by` gives the last working day on or before a due date, which is what
breach warnings count down to.
"""

from __future__ import annotations

import datetime as dt

from asc_assure.domain.working_days import add_working_days, is_working_day, working_days_between

# -- safeguarding ------------------------------------------------------------------------------------
TRIAGE_WORKING_DAYS = 2
ALLOCATION_WORKING_DAYS = 10
COMPLETION_WORKING_DAYS = 20
URGENT_SCREENING_HOURS = 2
OPEN_LONG_DAYS = 84  # "more than 12 weeks"

# -- DoLS --------------------------------------------------------------------------------------------
DOLS_STANDARD_DAYS = 21
DOLS_URGENT_DAYS = 7
DOLS_URGENT_EXTENSION_DAYS = 7
#: Warn when this many working days or fewer are left before the last working day to act.
DOLS_WARNING_WORKING_DAYS = 3

#: Age bands for open DoLS applications: (label, first day, last day or None). Days since received,
#: as in the measure ``dols.open`` (``datediff('day', received_date, as_of)``).
DOLS_AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0 to 21 days", 0, 21),
    ("22 to 90 days", 22, 90),
    ("91 to 180 days", 91, 180),
    ("181 to 365 days", 181, 365),
    ("Over a year", 366, None),
)


def triage_due(received: dt.date) -> dt.date:
    """When a concern's triage is due: 2 working days after receipt."""
    return add_working_days(received, TRIAGE_WORKING_DAYS)


def allocation_due(triaged: dt.date) -> dt.date:
    """When an enquiry's allocation to a worker is due: 10 working days after the concern's triage."""
    return add_working_days(triaged, ALLOCATION_WORKING_DAYS)


def completion_due(allocated: dt.date) -> dt.date:
    """When an enquiry's completion is due: 20 working days after allocation."""
    return add_working_days(allocated, COMPLETION_WORKING_DAYS)


def on_time(start: dt.date, done: dt.date | None, working_days: int) -> bool:
    """Done within the timescale, by the measures' rule (``working_days(start, done) <= n``)."""
    return done is not None and working_days_between(start, done) <= working_days


def open_over_12_weeks(start: dt.date, as_of: dt.date) -> bool:
    """Open more than 84 days on ``as_of`` (84 days exactly is not over)."""
    return (as_of - start).days > OPEN_LONG_DAYS


def dols_days_allowed(urgent: bool, urgent_extended: bool | None) -> int:
    """Calendar days allowed to decide an application: 21 standard, 7 urgent, 14 urgent extended."""
    if not urgent:
        return DOLS_STANDARD_DAYS
    return DOLS_URGENT_DAYS + (DOLS_URGENT_EXTENSION_DAYS if urgent_extended else 0)


def dols_due(received: dt.date, urgent: bool, urgent_extended: bool | None = False) -> dt.date:
    """The date a DoLS application must be decided by (decided on this date is on time)."""
    return received + dt.timedelta(days=dols_days_allowed(urgent, urgent_extended))


def act_by(due: dt.date) -> dt.date:
    """The last working day on or before ``due``: a deadline on Boxing Day must be met by Christmas Eve."""
    day = due
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def dols_age_band(received: dt.date, as_of: dt.date) -> str:
    """The age band of an application open on ``as_of``."""
    days = (as_of - received).days
    for label, first, last in DOLS_AGE_BANDS:
        if days >= first and (last is None or days <= last):
            return label
    return DOLS_AGE_BANDS[0][0]  # received after as_of cannot be open; kept total for safety

"""ASCOF reporting periods: financial years and rolling 12 months ending at a quarter end.

DHSC publishes the CLD-derived ASCOF measures for the financial year (April to March) and, from January
2026, each quarter for the latest rolling 12 months (``ASCOF_measures/ASCOF_main_script.sql`` of
DataS-DHSC/ASC-CLD-LA-Dashboard). A council reproducing them needs both, named the way DHSC names them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from asc_assure.assurance.workspace import WorkspaceError

QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))
_FY = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodError(WorkspaceError):
    """A reporting period a council user typed that ASCOF cannot use."""


@dataclass(frozen=True)
class Period:
    """The days an ASCOF figure covers, with the label a council sees."""

    start: dt.date
    end: dt.date
    kind: str  # "year" or "rolling"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}-{str(self.end.year)[2:]}"
        return f"12 months to {self.end.day} {self.end:%b %Y}"

    @property
    def dhsc_label(self) -> str:
        """DHSC's ``Reporting_Period`` text: 'd MMM yy - d MMM yy'."""
        return f"{self.start.day} {self.start:%b %y} - {self.end.day} {self.end:%b %y}"

    @property
    def key(self) -> str:
        """A short stable identifier for URLs and files: '2024-25' or 'r2025-06-30'."""
        return self.label if self.kind == "year" else f"r{self.end.isoformat()}"

    def as_dict(self) -> dict[str, str]:
        return {"key": self.key, "label": self.label, "dhsc_label": self.dhsc_label, "kind": self.kind,
                "start": self.start.isoformat(), "end": self.end.isoformat()}


def financial_year(text: str) -> Period:
    """'2024-25' -> 1 April 2024 to 31 March 2025."""
    m = _FY.match(text.strip())
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise PeriodError(f"year {text!r} is not a financial year written like 2024-25")
    first = int(m.group(1))
    return Period(dt.date(first, 4, 1), dt.date(first + 1, 3, 31), "year")


def rolling(end: dt.date) -> Period:
    """The 12 months ending on a quarter end (30 June, 30 September, 31 December or 31 March)."""
    if (end.month, end.day) not in QUARTER_ENDS:
        raise PeriodError(f"period end {end.isoformat()} is not a quarter end "
                          "(use 30 June, 30 September, 31 December or 31 March)")
    first = end + dt.timedelta(days=1)
    return Period(first.replace(year=first.year - 1), end, "rolling")


def resolve(year: str | None = None, period_end: dt.date | None = None) -> Period:
    """The period a command asks for: rolling 12 months when ``period_end`` is given, else the year."""
    if period_end is not None:
        return rolling(period_end)
    if not year:
        raise PeriodError("give a financial year (e.g. 2024-25) or a period end date")
    return financial_year(year)


def from_key(key: str) -> Period:
    """The period named by :attr:`Period.key`."""
    if key.startswith("r"):
        try:
            end = dt.date.fromisoformat(key[1:])
        except ValueError:
            raise PeriodError(f"period {key!r} is not known") from None
        return rolling(end)
    return financial_year(key)


def available(first: dt.date, last: dt.date) -> list[Period]:
    """Every financial year and rolling 12 months that the data from ``first`` to ``last`` covers, newest first."""
    out: list[Period] = []
    year = last.year
    while year >= first.year - 1:
        for month, day in reversed(QUARTER_ENDS):
            end = dt.date(year, month, day)
            if end > last:
                continue
            p = rolling(end)
            if p.start < first:
                continue
            if (month, day) == (3, 31):
                out.append(financial_year(f"{p.start.year}-{str(end.year)[2:]}"))
            else:
                out.append(p)
        year -= 1
    return out

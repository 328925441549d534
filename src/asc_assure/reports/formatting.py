"""How numbers, dates and ratings are written in the pack.

One place for the house style, so a tile, a table cell and a chart summary never disagree about
how 86.94 or 1234 is shown: counts with thousands separators, percentages and days to one decimal
place. Values that the measures engine has already suppressed arrive as the string ``"[c]"`` and are
passed through untouched: this module never re-derives or un-suppresses anything.
"""

from __future__ import annotations

import math
from datetime import date, datetime

SUPPRESSED = "[c]"
SUPPRESSED_NOTE = "[c] = fewer than 5, suppressed"

PERCENT, COUNT, DAYS = "percent", "count", "days"

RAG_LABELS = {"green": "Green", "amber": "Amber", "red": "Red"}
DIRECTION_LABELS = {"improving": "Improving", "worsening": "Worsening", "stable": "Stable"}


def is_number(value: object) -> bool:
    """True for real numbers we can format (bools and NaN are not figures)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return not math.isnan(value)


def format_count(value: object) -> str | None:
    """1234 -> "1,234"; whole floats lose their ".0"; non-numbers pass through as text."""
    if value is None:
        return None
    if not is_number(value):
        return str(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def format_value(value: object, unit: str | None) -> str | None:
    """A measure's value in its unit; None stays None so the caller can show the reason instead.

    A string (normally ``"[c]"``) is shown as given: suppression is decided upstream.
    """
    if value is None:
        return None
    if not is_number(value):
        return str(value)
    if unit == PERCENT:
        return f"{value:,.1f}%"
    if unit == DAYS:
        return f"{value:,.1f} days"
    if unit == COUNT:
        return format_count(value)
    return f"{value:,.1f}"


def axis_suffix(unit: str | None) -> str:
    """What a chart's value axis is measured in, for its title."""
    return {PERCENT: "Per cent", DAYS: "Days", COUNT: "Number"}.get(unit or "", "Value")


def rag_label(rag: str | None) -> str:
    """The words for a RAG rating, so colour is never the only signal."""
    return RAG_LABELS.get(rag or "", "No rating")


PERIOD_ADJECTIVES = {"day": "daily", "week": "weekly", "month": "monthly", "quarter": "quarterly", "year": "annual"}


def period_adjective(period: str | None) -> str:
    """Turn "week" into "weekly"; an unknown period word is described as "period"."""
    return PERIOD_ADJECTIVES.get(period or "", "period")


def direction_label(direction: str | None) -> str | None:
    return DIRECTION_LABELS.get(direction or "")


def change_text(change_pct: object, direction: str | None, against: str | None = None) -> str:
    """E.g. "Improving: up 3.5% on previous week" – the direction word first, then the movement.

    ``change_pct`` is a relative percentage change (as the measures engine computes it), so a
    percentage measure going from 84.0% to 86.9% reads "up 3.5%", not "up 2.9 points". Without
    ``against`` the comparison is left to a label beside the text ("Improving: up 3.5%").
    """
    word = direction_label(direction)
    on = f" on {against}" if against else ""
    if not is_number(change_pct):
        if word:
            return f"{word}{': compared with ' + against if against else ''}"
        return f"No comparison with {against}" if against else "No comparison"
    if abs(change_pct) < 0.05:
        movement = f"no change{on}"
    else:
        movement = f"{'up' if change_pct > 0 else 'down'} {abs(change_pct):,.1f}%{on}"
    return f"{word}: {movement}" if word else movement[0].upper() + movement[1:]


def parse_date(text: object) -> date | None:
    """ISO date (or datetime) text to a date; None when absent or unreadable."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    if not isinstance(text, str) or not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def format_date(text: object, short: bool = False) -> str:
    """2025-03-31 -> "31 March 2025" (GOV.UK style), or "31 Mar 2025" when ``short``."""
    d = parse_date(text)
    if d is None:
        return str(text) if text else "not given"
    return f"{d.day} {d:%b %Y}" if short else f"{d.day} {d:%B %Y}"


def format_datetime(text: object, short: bool = False) -> str:
    """2026-11-29T15:00:00Z -> "29 November 2026 at 15:00 UTC" (or "29 Nov 2026 15:00 UTC")."""
    if not isinstance(text, str) or not text:
        return "not given"
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    offset = moment.utcoffset()
    zone = "" if offset is None else "UTC" if offset.total_seconds() == 0 else moment.strftime("UTC%z")
    pattern = "%b %Y %H:%M" if short else "%B %Y at %H:%M"
    return f"{moment.day} {moment.strftime(pattern)} {zone}".rstrip()

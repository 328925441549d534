"""Small-number suppression for anything published (for example to councillors or the public).

Counts from 1 to 4 are suppressed, other counts are rounded to the nearest 5, and any figure derived
from a suppressed count (a percentage, an average wait) is suppressed too. Zero is shown: it reveals
no one. Internal outputs show exact values; this is the only place the public rule lives.
"""

from __future__ import annotations

from typing import Any

SMALL_MAX = 4
ROUND_TO = 5
SUPPRESSED = "[c]"


def is_small(count: float | None) -> bool:
    return count is not None and 0 < count <= SMALL_MAX


def public_count(count: float | None) -> float | str | None:
    """A count as it may be published: None, 0, ``[c]`` for 1-4, else rounded to the nearest 5."""
    if count is None or count == 0:
        return count
    if is_small(count):
        return SUPPRESSED
    return int(ROUND_TO * int((count + ROUND_TO / 2) // ROUND_TO))


def public_figures(value: float | None, numerator: float | None, denominator: float | None,
                   value_is_count: bool) -> tuple[Any, Any, Any, bool]:
    """(value, numerator, denominator, suppressed?) as they may be published."""
    small = is_small(numerator) or is_small(denominator) or (value_is_count and is_small(value))
    if value_is_count:
        shown_value = public_count(value)
    else:
        shown_value = SUPPRESSED if small and value is not None else value
    return shown_value, public_count(numerator), public_count(denominator), small

"""NHS number check digit (Modulus 11), the one rule used by ingest, the generator and tests.

An NHS number is ten digits; the tenth is a check digit computed from the first nine with weights
10..2. A remainder giving check digit 10 means the nine digits can never form a valid number.
"""

from __future__ import annotations

WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def check_digit(first_nine: str) -> int | None:
    """Check digit for nine digits, or None when no valid NHS number starts with them."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("need exactly nine digits")
    total = sum(int(d) * w for d, w in zip(first_nine, WEIGHTS, strict=True))
    digit = 11 - total % 11
    if digit == 11:
        return 0
    if digit == 10:
        return None
    return digit


def clean(text: str) -> str:
    """Strip the spaces and hyphens people type inside NHS numbers (``943 476 5919``)."""
    return text.replace(" ", "").replace("-", "")


def is_valid(text: str) -> bool:
    """True when ``text`` (spaces and hyphens allowed) is a ten-digit number passing Modulus 11."""
    digits = clean(text.strip())
    if len(digits) != 10 or not digits.isdigit():
        return False
    expected = check_digit(digits[:9])
    return expected is not None and expected == int(digits[9])


def complete(first_nine: str) -> str | None:
    """The valid ten-digit NHS number starting with ``first_nine``, if one exists."""
    digit = check_digit(first_nine)
    return None if digit is None else f"{first_nine}{digit}"

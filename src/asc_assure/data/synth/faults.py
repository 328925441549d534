"""Data-quality faults for testing ingest: exactly one realistic fault in a chosen share of rows.

Faults are the ones councils actually send: an NHS number with a wrong check digit, an impossible
date (31/02/2024), a value not on the defined list, an end date before its start, a required field
left blank. Each fault is an *error* under the contract (never a warning), so ingest should
quarantine exactly the faulted rows; the count per file goes into manifest.json.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from ..contracts import Contract

FAULT_KINDS = ("nhs_check_digit", "impossible_date", "unknown_code", "end_before_start", "blank_required")


def _shift_date(text: str, days: int, style: str) -> str:
    if style == "uk":
        d, m, y = text.split("/")
        value = date(int(y), int(m), int(d)) - timedelta(days=days)
        return value.strftime("%d/%m/%Y")
    value = date.fromisoformat(text) - timedelta(days=days)
    return value.isoformat()


def _impossible(text: str, style: str) -> str:
    year = text[-4:] if style == "uk" else text[:4]
    return f"31/02/{year}" if style == "uk" else f"{year}-02-31"


def inject(text: pl.DataFrame, contract: Contract, rate: float, rng: np.random.Generator,
           date_style: str) -> tuple[pl.DataFrame, int]:
    """Fault ``round(rate * rows)`` distinct rows, one fault each; returns the frame and the count.

    ``date_style`` is the style the file's dates are written in (faulty dates use it too).
    """
    n_rows = text.height
    n = round(rate * n_rows)
    if n <= 0 or n_rows == 0:
        return text, 0
    rows = np.sort(rng.choice(n_rows, size=min(n, n_rows), replace=False))
    cache: dict[str, list[str | None]] = {}

    def values(name: str) -> list[str | None]:
        if name not in cache:
            cache[name] = text[name].to_list()
        return cache[name]

    nhs_cols = [c.name for c in contract.columns if c.type == "nhs_number"]
    date_cols = [c.name for c in contract.columns if c.type == "date"]
    enum_cols = [c.name for c in contract.columns if (c.type == "enum" and c.enforced) or c.type == "boolean"]
    order_rules = [r for r in contract.rules if r.type == "not_before" and r.severity == "error"
                   and contract.column(r.column).type == "date"]
    key = set(contract.key)
    required = [c.name for c in contract.columns if c.required and c.name not in key] or list(contract.key)
    for row in rows:
        options: list[tuple[str, str | tuple[str, str]]] = []
        options += [("nhs_check_digit", c) for c in nhs_cols if values(c)[row]]
        options += [("impossible_date", c) for c in date_cols if values(c)[row]]
        options += [("unknown_code", c) for c in enum_cols if values(c)[row]]
        options += [("end_before_start", (r.column, str(r.other))) for r in order_rules
                    if values(r.column)[row] and values(str(r.other))[row]]
        options += [("blank_required", c) for c in required if values(c)[row]]
        kind, target = options[int(rng.integers(len(options)))]
        if isinstance(target, tuple):
            later, earlier = target
            values(later)[row] = _shift_date(str(values(earlier)[row]), int(rng.integers(1, 30)), date_style)
            continue
        column = values(target)
        if kind == "nhs_check_digit":
            value = str(column[row])
            column[row] = value[:-1] + str((int(value[-1]) + int(rng.integers(1, 10))) % 10)
        elif kind == "impossible_date":
            column[row] = _impossible(str(column[row]), date_style)
        elif kind == "unknown_code":
            column[row] = "Maybe" if contract.column(target).type == "boolean" else "Not on the list"
        else:
            column[row] = None
    out = text.with_columns(pl.Series(name, vals, dtype=pl.Utf8) for name, vals in cache.items())
    return out, len(rows)

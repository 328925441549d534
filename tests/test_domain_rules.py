"""The council's rules that every figure depends on: working days, RAG, exceptions, suppression."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asc_assure.domain import rag
from asc_assure.domain.suppression import SUPPRESSED, public_count, public_figures
from asc_assure.domain.working_days import (
    add_working_days,
    calendar_rows,
    is_working_day,
    next_working_day,
    working_days_between,
)
from asc_assure.measures.engine import install_calendar

D = dt.date


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2025, 12, 24), D(2025, 12, 30), 2),  # the example: Christmas, Boxing Day, weekend
        (D(2025, 12, 24), D(2025, 12, 24), 0),
        (D(2025, 12, 24), D(2025, 12, 29), 1),
        (D(2025, 12, 27), D(2025, 12, 29), 0),  # Saturday start counts from Monday
        (D(2025, 12, 27), D(2025, 12, 30), 1),
        (D(2025, 12, 27), D(2025, 12, 28), 0),  # Saturday to Sunday
        (D(2022, 9, 16), D(2022, 9, 20), 1),  # state funeral, Monday 19 September 2022
        (D(2023, 5, 5), D(2023, 5, 9), 1),  # coronation, Monday 8 May 2023
        (D(2025, 4, 17), D(2025, 4, 22), 1),  # Good Friday and Easter Monday
        (D(2025, 3, 3), D(2025, 3, 31), 20),
        (D(2025, 3, 31), D(2025, 3, 3), 0),  # end before start is never negative
    ],
)
def test_working_days_elapsed(start, end, expected):
    assert working_days_between(start, end) == expected


def test_bank_holidays_and_weekends_are_not_working_days():
    for day in [D(2022, 9, 19), D(2023, 5, 8), D(2025, 12, 25), D(2025, 12, 26), D(2025, 8, 25), D(2025, 3, 29)]:
        assert not is_working_day(day)
    assert is_working_day(D(2025, 12, 24))
    assert next_working_day(D(2025, 12, 25)) == D(2025, 12, 29)


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [(D(2025, 12, 24), 2, D(2025, 12, 30)), (D(2025, 3, 28), 2, D(2025, 4, 1)), (D(2025, 3, 29), 0, D(2025, 3, 31)),
     (D(2025, 3, 31), 10, D(2025, 4, 14))],
)
def test_due_dates(start, n, due):
    assert add_working_days(start, n) == due
    assert working_days_between(start, due) == n


def test_calendar_index_agrees_with_the_rule():
    cal = calendar_rows(D(2025, 12, 20), D(2026, 1, 10))
    idx = dict(zip(cal["day"], cal["wd_index"], strict=True))
    nxt = dict(zip(cal["day"], cal["next_wd_index"], strict=True))
    for a in cal["day"]:
        for b in cal["day"]:
            assert max(0, idx[b] - nxt[a]) == working_days_between(a, b)


@pytest.fixture(scope="module")
def sql():
    con = duckdb.connect()
    install_calendar(con)
    return con


@settings(max_examples=300, deadline=None)
@given(start=st.dates(D(2015, 1, 1), D(2035, 12, 31)), gap=st.integers(-10, 400))
def test_sql_working_days_match_python(sql, start, gap):
    end = start + dt.timedelta(days=gap)
    got = sql.execute("SELECT working_days(?::DATE, ?::DATE)", [start, end]).fetchone()[0]
    assert got == working_days_between(start, end)


@pytest.mark.parametrize(
    ("value", "target", "polarity", "tolerance", "expected"),
    [
        (90, 90, "higher", 5, "green"), (89.99, 90, "higher", 5, "amber"), (85, 90, "higher", 5, "amber"),
        (84.9, 90, "higher", 5, "red"), (95, 90, "higher", 0, "green"), (89, 90, "higher", 0, "red"),
        (10, 10, "lower", 2, "green"), (12, 10, "lower", 2, "amber"), (12.1, 10, "lower", 2, "red"),
        (None, 10, "lower", 2, None), (10, None, "lower", 2, None), (11, 10, "lower", None, "red"),
    ],
)
def test_rag_boundaries(value, target, polarity, tolerance, expected):
    assert rag.rag(value, target, polarity, tolerance) == expected


def test_rag_needs_a_known_polarity():
    with pytest.raises(ValueError, match="polarity"):
        rag.rag(1, 1, "sideways")


@pytest.mark.parametrize(
    ("history", "flag", "reason"),
    [
        (["green", "red"], True, "Red"),
        (["green", "amber"], False, None),
        (["amber", "amber"], True, "Amber for 2 consecutive periods"),
        (["amber", "amber", "amber"], True, "Amber for 3 consecutive periods"),
        (["amber", "green", "amber"], False, None),
        (["red", "amber"], False, None),
        ([None, "amber", "amber"], True, "Amber for 2 consecutive periods"),
        (["amber", None], False, None),
        ([], False, None),
    ],
)
def test_exceptions(history, flag, reason):
    got = rag.exception(history)
    assert (got.is_exception, got.reason) == (flag, reason)


def test_direction_and_change():
    assert rag.direction(10, 12, "lower") == "improving"
    assert rag.direction(14, 12, "lower") == "worsening"
    assert rag.direction(90, 85, "higher") == "improving"
    assert rag.direction(5, 5, "higher") == "stable"
    assert rag.direction(7, 5, "neutral") == "increasing"
    assert rag.direction(None, 5, "higher") is None
    assert rag.change_pct(110, 100) == pytest.approx(10)
    assert rag.change_pct(5, 0) is None


@pytest.mark.parametrize(("count", "shown"), [(0, 0), (1, SUPPRESSED), (4, SUPPRESSED), (5, 5), (7, 5), (8, 10),
                                              (12.5, 15), (1337, 1335), (None, None)])
def test_public_counts(count, shown):
    assert public_count(count) == shown


def test_percentages_from_small_numbers_are_suppressed():
    assert public_figures(75.0, 3, 4, value_is_count=False) == (SUPPRESSED, SUPPRESSED, SUPPRESSED, True)
    assert public_figures(40.0, 2, 5, value_is_count=False) == (SUPPRESSED, SUPPRESSED, 5, True)
    assert public_figures(50.0, 10, 20, value_is_count=False) == (50.0, 10, 20, False)
    assert public_figures(3, 3, None, value_is_count=True) == (SUPPRESSED, SUPPRESSED, None, True)
    assert public_figures(0, 0, None, value_is_count=True) == (0, 0, None, False)


def test_sql_working_days_of_a_missing_date_is_unknown_not_zero(sql):
    assert sql.execute("SELECT working_days(NULL::DATE, DATE '2025-01-06')").fetchone()[0] is None
    assert sql.execute("SELECT working_days(DATE '2025-01-06', NULL::DATE)").fetchone()[0] is None

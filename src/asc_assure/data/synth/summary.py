"""Headline figures of a generated council, measured from what was generated.

These are the numbers the calibration is judged by (docs/synthetic-council.md compares them with
the published anchors). They are computed from the generator's own timelines as at each date, the
way the measures would compute them from the files.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np

from .brokerage import HOME_CARE
from .context import Context
from .dols import Dols
from .events import OUTCOMES, code
from .longterm import COMMUNITY, Packages
from .referrals import Referrals
from .safeguarding import Safeguarding
from .workdays import NEVER, day_number

WAITING_ANCHORS = (date(2023, 7, 31), date(2024, 7, 31), date(2024, 11, 30), date(2025, 1, 31))
ENQUIRY_ANCHORS = (date(2023, 7, 31), date(2024, 7, 31), date(2024, 11, 30))
DOLS_ANCHORS = (date(2024, 1, 31), date(2024, 10, 31), date(2025, 1, 31))
LTS_ANCHORS = (date(2023, 7, 31), date(2024, 7, 31))


def _pct(num: float, den: float) -> float | None:
    return round(100.0 * num / den, 1) if den else None


def _at(ctx: Context, anchors: tuple[date, ...], fn: Callable[[int], int]) -> dict[str, int]:
    out = {}
    for d in anchors:
        day = day_number(d)
        if ctx.start <= day <= ctx.end:
            out[d.isoformat()] = int(fn(day))
    return out


def open_counts(a: np.ndarray, b: np.ndarray, days: np.ndarray) -> np.ndarray:
    """How many intervals [a, b) contain each day (a <= b)."""
    return (np.searchsorted(np.sort(a), days, side="right") - np.searchsorted(np.sort(b), days, side="right"))


def headline(ctx: Context, r: Referrals, sg: Safeguarding, d: Dols, pk: Packages, reviews: dict[str, np.ndarray],
             brokerage: dict[str, np.ndarray], episodes: dict[str, np.ndarray]) -> dict[str, object]:
    start, end, cal = ctx.start, ctx.end, ctx.cal
    years = (end - start + 1) / 365.25

    def waiting(day: int) -> int:
        return int(r.waiting_on(day).sum())

    def longest(day: int) -> int:
        w = r.waiting_on(day)
        return int((day - r.received[w]).max()) if w.any() else 0

    assessed = (r.assess_start >= start) & (r.assess_start <= end)
    in_range = (sg.received >= start) & (sg.received <= end)
    triaged = in_range & (sg.triage <= end)
    enquiry = triaged & (sg.decision < 2)
    within2 = cal.workdays_between(sg.received, sg.triage) <= 2
    e_done = (sg.completed <= end) & (sg.allocated <= end)
    d_in = (d.received >= start) & (d.received <= end)
    standard_done = ~d.urgent & (d.completed <= end) & (d.completed >= start) & (d.outcome < 2)
    live = (pk.start <= end) & (pk.end > end)

    def lts_people(day: int) -> int:
        m = (pk.start <= day) & (pk.end > day)
        return len(np.unique(pk.person[m]))

    rev_open = live[reviews["package"]]
    reviewed = rev_open & (reviews["review_completed"] < NEVER)
    ep_end = (episodes["end"] >= start) & (episodes["end"] <= end)
    independent = np.isin(episodes["outcome"], [code(OUTCOMES, "NFA: Support ended as planned"),
                                                code(OUTCOMES, "NFA: Information and advice or signposting")])
    admissions = (pk.setting != COMMUNITY) & ~pk.stock & (pk.start >= start) & (pk.start <= end)
    admissions &= ctx.people.age_on(pk.person, pk.start) >= 65
    b_done = (brokerage["sourced"] <= end) & (brokerage["requested"] >= start)
    home = brokerage["kind"] == HOME_CARE
    source_days = brokerage["sourced"] - brokerage["requested"]
    st = ctx.staffing
    vac = est = 0.0
    if st is not None:
        months = (st.month_starts >= start) & (st.month_starts <= end)
        for ts in st.teams.values():
            vac += float(ts.vacancy_fte[months].sum())
            est += float(ts.establishment.sum() * months.sum())
    return {
        "referrals_per_year": round(float(((r.received >= start) & (r.received <= end)).sum() / years)),
        "assessments_started_per_year": round(float(assessed.sum() / years)),
        "waiting_list_at_end": waiting(end),
        "waiting_list_at": _at(ctx, WAITING_ANCHORS, waiting),
        "longest_wait_days_at_end": longest(end),
        "longest_wait_days_at": _at(ctx, WAITING_ANCHORS, longest),
        "median_days_to_assessment": (float(np.median((r.assess_start - r.received)[assessed]))
                                      if assessed.any() else None),
        "concerns_per_year": round(float(in_range.sum() / years)),
        "concern_conversion_pct": _pct(enquiry.sum(), triaged.sum()),
        "concerns_from_care_providers_pct": _pct((in_range & (sg.source == 0)).sum(), in_range.sum()),
        "triage_within_2wd_pct": _pct((triaged & within2).sum(), triaged.sum()),
        "enquiries_open_at_end": sg.open_enquiries(end),
        "enquiries_open_at": _at(ctx, ENQUIRY_ANCHORS, sg.open_enquiries),
        "enquiries_open_over_12_weeks_at_end": sg.open_enquiries(end, 84),
        "enquiries_open_over_12_weeks_at": _at(ctx, ENQUIRY_ANCHORS, lambda day: sg.open_enquiries(day, 84)),
        "msp_asked_pct": _pct((sg.msp_asked & e_done).sum(), e_done.sum()),
        "dols_received_per_year": round(float(d_in.sum() / years)),
        "dols_urgent_pct": _pct((d_in & d.urgent).sum(), d_in.sum()),
        "dols_open_at_end": int(d.open_on(end).sum()),
        "dols_awaiting_allocation_at_end": int((d.open_on(end) & (d.allocated > end)).sum()),
        "dols_open_at": _at(ctx, DOLS_ANCHORS, lambda day: d.open_on(day).sum()),
        "dols_standard_within_21d_pct": _pct((standard_done & (d.completed - d.received <= 21)).sum(),
                                             standard_done.sum()),
        "lts_people_at_end": lts_people(end),
        "lts_people_at": _at(ctx, LTS_ANCHORS, lts_people),
        "lts_reviewed_in_12_months_pct": _pct(reviewed.sum(), rev_open.sum()),
        "reablement_episodes_per_year": round(float(ep_end.sum() / years)),
        "reablement_independent_pct": _pct((ep_end & independent).sum(), ep_end.sum()),
        "care_home_admissions_65_per_year": round(float(admissions.sum() / years)),
        "brokerage_requests_per_year": round(float(((brokerage["requested"] >= start)).sum() / years)),
        "home_care_sourced_within_2_days_pct": _pct((b_done & home & (source_days <= 2)).sum(), (b_done & home).sum()),
        "brokerage_median_days_to_source": (float(np.median(source_days[b_done])) if b_done.any() else None),
        "vacancy_rate_pct": _pct(vac, est),
    }


__all__ = ["headline", "open_counts"]

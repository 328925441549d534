"""Calibration: the published figures the generator is tuned to, and the curves built from them.

The reference council is a shire county of about 700,000 residents with 21.9% aged 65+ (the
Oxfordshire figures in the seed documents: CQC assessment, September 2025; People Overview &
Scrutiny papers, December 2024 and November 2025; workforce report, November 2022). Every annual
volume below is for that reference council; other councils scale it by their demand index
(population weighted towards the 65+). Dated anchors become piecewise-linear curves over real
calendar dates, so a range of 2023-04-01 to 2025-03-31 shows the backlog falling exactly when the
source councils reported it falling. Before the first anchor and after the last the curve is flat.

``docs/synthetic-council.md`` lists each anchor beside the figure the generator produces.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from .workdays import day_number

REFERENCE_POPULATION = 700_000
REFERENCE_SHARE_65 = 0.219  # CQC: 21.92% of Oxfordshire residents are 65+
REFERENCE_SHARE_18_64 = 0.60


@dataclass(frozen=True)
class Curve:
    """A piecewise-linear function of the calendar date, flat outside its anchors."""

    anchors: tuple[tuple[date, float], ...]

    def at(self, days: np.ndarray) -> np.ndarray:
        xs = np.array([day_number(d) for d, _ in self.anchors], dtype=np.float64)
        ys = np.array([v for _, v in self.anchors], dtype=np.float64)
        return np.interp(np.asarray(days, dtype=np.float64), xs, ys)


# --- Annual volumes at the reference council -------------------------------------------------
#: Referrals for a Care Act assessment by team type. 66,400 contacts a year with about 7% passed
#: to locality teams for assessment (~4,650; 5,000 used so that, with dropouts, 1,448 waiting gives
#: a longest wait near 130 days); hospital discharge, LD and MH teams take their own.
REFERRALS_PER_YEAR = {"locality": 5_000.0, "hospital": 1_800.0, "learning_disability": 260.0,
                      "mental_health": 320.0}
#: Requests resolved at the front door (information and advice, equipment, reablement): CLD
#: Request rows without a referral. ~2.0m requests a year in England scaled to 700k.
FRONT_DOOR_REQUESTS_PER_YEAR = 17_000.0
#: Safeguarding concerns before the 2024 surge: 6,698 in Jul 2023-Jun 2024.
CONCERNS_PER_YEAR = 6_300.0
#: DoLS applications received a year.
DOLS_PER_YEAR = 3_500.0
#: People in long-term support at the start of the range (6,526 in July 2023, 6,660 July 2024).
LTS_STOCK_AT_START = 6_550.0
#: Carer assessments a year.
CARER_ASSESSMENTS_PER_YEAR = 1_300.0
#: Short-term residential placements (respite / step-down) a year.
SHORT_TERM_PLACEMENTS_PER_YEAR = 420.0

# --- Dated anchors ---------------------------------------------------------------------------
#: Assessment waiting list, whole council: 1,448 (Jul 2023), 592 (Jul 2024), 547 (Jan 2025);
#: Nov 2024 is the reported 64% fall from July 2023.
WAITING_LIST = Curve((
    (date(2023, 4, 1), 1_560.0),
    (date(2023, 7, 31), 1_448.0),
    (date(2024, 1, 31), 1_020.0),
    (date(2024, 7, 31), 592.0),
    (date(2024, 11, 30), 521.0),
    (date(2025, 1, 31), 547.0),
    (date(2025, 3, 31), 510.0),
    (date(2026, 3, 31), 480.0),
))
#: DoLS applications awaiting allocation: open DoLS 2,010 (Jan 2024) -> 1,313 (Oct 2024); 1,285
#: awaiting allocation at the CQC visit (Jan 2025).
DOLS_AWAITING = Curve((
    (date(2023, 4, 1), 1_820.0),
    (date(2024, 1, 31), 1_960.0),
    (date(2024, 4, 30), 1_760.0),
    (date(2024, 10, 31), 1_200.0),
    (date(2025, 1, 31), 1_270.0),
    (date(2025, 3, 31), 1_230.0),
    (date(2026, 3, 31), 1_150.0),
))
#: Safeguarding concern volume multiplier: a surge through 2024 ("37% increase in referrals"
#: at the CQC visit; "25% increase over the last weeks" in Dec 2024; 4,586 in six months of 2024).
CONCERN_SURGE = Curve((
    (date(2024, 3, 31), 1.0),
    (date(2024, 6, 30), 1.15),
    (date(2024, 8, 31), 1.36),
    (date(2024, 12, 15), 1.36),
    (date(2025, 3, 31), 1.2),
    (date(2025, 9, 30), 1.1),
))
#: How slowly enquiries were worked (1.0 = the July 2024 pace). 273 open over 12 weeks in July 2023
#: and 13-18 in July 2024, rising to 47 in November 2024 during the surge.
ENQUIRY_PACE = Curve((
    (date(2023, 1, 1), 1.7),
    (date(2023, 12, 31), 1.4),
    (date(2024, 3, 31), 1.0),
    (date(2024, 7, 31), 0.95),
    (date(2024, 11, 30), 1.25),
    (date(2025, 3, 31), 1.0),
))
#: Share of enquiries that stall for months (the 2023 backlog, a little again in the 2024 surge);
#: historic stalled enquiries were closed down by the middle of 2024.
ENQUIRY_STALLED = Curve((
    (date(2023, 1, 1), 0.34),
    (date(2023, 9, 30), 0.22),
    (date(2024, 1, 31), 0.04),
    (date(2024, 4, 30), 0.02),
    (date(2024, 6, 30), 0.04),
    (date(2024, 8, 31), 0.10),
    (date(2024, 12, 31), 0.06),
    (date(2025, 3, 31), 0.03),
))
#: Stalled enquiries still open on this date were concluded by the following few weeks.
HISTORIC_CLEARANCE = date(2024, 5, 15)
#: ... for enquiries started before this date (the historic backlog).
HISTORIC_BEFORE = date(2024, 1, 1)
#: Share of enquiries allocated within a week of triage: 35% (Apr 2023) -> 55% (Apr 2024).
ENQUIRY_ALLOCATED_WITHIN_WEEK = Curve((
    (date(2023, 4, 1), 0.35),
    (date(2024, 4, 30), 0.55),
    (date(2025, 3, 31), 0.62),
))
#: Vacancy rate of social work establishment: averaging 15.2% over 2023-25, improving.
VACANCY_RATE = Curve((
    (date(2023, 4, 1), 0.19),
    (date(2024, 4, 1), 0.168),
    (date(2025, 3, 31), 0.145),
))
#: Open enquiries carried into the range (527 open, 268 over 12 weeks in July 2023).
ENQUIRY_BACKLOG_AT_START = 540.0

# --- Rates ----------------------------------------------------------------------------------
ANNUAL_TURNOVER = 0.139  # internal ASC turnover, rolling year (workforce report)
SICKNESS_DAYS_PER_FTE = 9.5
S42_SHARE = 0.21  # 1,377 of 6,698 concerns (21%) went to a s42 enquiry
OTHER_ENQUIRY_SHARE = 0.03
CARE_PROVIDER_SOURCE_SHARE = 0.29
MSP_ASKED = Curve(((date(2023, 4, 1), 0.82), (date(2025, 3, 31), 0.88)))
REABLEMENT_INDEPENDENT = 0.77  # fully independent after reablement, Jul 2023-Jun 2024
DOLS_URGENT_SHARE = 0.15
PRIORITY_SHARES = {"high": 0.15, "medium": 0.45, "low": 0.40}

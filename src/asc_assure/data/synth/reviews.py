"""Reviews of long-term support: the review history of every package and the review status extract.

Each package has a review six to twelve weeks after it starts (most new packages) and then roughly
annual reviews that often run late, so about 62% of people in long-term support have been reviewed
in the last 12 months (the reference council's 61.5% in 2023/24). Packages already running at the
start carry their last review from before the range. Some reviews change the package: for home
care this goes back to brokerage.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from .brokerage import HOME_CARE, Brokerage
from .calibration import Curve
from .context import Context
from .events import COMPONENTS, OUTCOMES, Events, code
from .longterm import END_DEATH, Packages
from .people import label_list
from .rng import pick
from .workdays import NEVER

#: Review intervals were longer while teams cleared backlogs in 2023.
REVIEW_PACE = Curve(((date(2023, 4, 1), 1.08), (date(2024, 10, 1), 0.95)))
REVIEW_OUTCOMES = {"Continuation of support or services": 0.84, "Progress to support planning or services": 0.12,
                   "Progress to reablement/ST-Max": 0.01, "Admitted to hospital": 0.01,
                   "NFA: Referral to NHS services or NHS funded social care": 0.02}


def review_team(ctx: Context, person: np.ndarray) -> np.ndarray:
    psr_values = label_list("cld_primary_support_reason")
    psr = ctx.people.col("psr")[person]
    geo = ctx.geo
    return np.where(psr == psr_values.index("Learning disability support"), geo.team_index("Learning Disability Team"),
                    np.where(psr == psr_values.index("Mental health support"), geo.team_index("Mental Health Team"),
                             geo.team_index("Reviewing Team")))


def review_history(ctx: Context, pk: Packages) -> tuple[np.ndarray, np.ndarray]:
    """Review completion days per package: (packages x slots) array, NEVER where none.

    Column 0 is the last review before the range for packages already running (NEVER if none).
    """
    rng = ctx.rng("reviews")
    cal = ctx.cal
    n = len(pk.num)
    horizon = ctx.end - ctx.start + 400
    slots = int(np.ceil(horizon / 150)) + 2
    anchor = pk.start.copy()
    before = np.full(n, NEVER, dtype=np.int64)
    stock = pk.stock
    prior = ctx.start - np.floor(rng.uniform(0, 1.35 * 365, n)).astype(np.int64)
    has_prior = stock & (prior >= pk.start + 42) & (rng.random(n) < 0.92)
    before[has_prior] = cal.next_workday(prior[has_prior])
    anchor = np.where(has_prior, before, anchor)
    first_gap = np.where(rng.random(n) < 0.7, rng.integers(42, 91, n), 0)
    gaps = np.floor(500 * np.exp(0.45 * rng.standard_normal((n, slots)))).astype(np.int64)
    gaps = np.clip(gaps, 120, 1000)
    gaps[:, 0] = np.where((~has_prior) & (first_gap > 0), first_gap, gaps[:, 0])
    reviews = anchor[:, None] + np.cumsum(gaps, axis=1)
    pace = REVIEW_PACE.at(reviews.ravel()).reshape(reviews.shape)
    reviews = anchor[:, None] + np.cumsum(np.floor(gaps * np.where(np.arange(slots) == 0, 1.0, pace)), axis=1)
    reviews = reviews.astype(np.int64)
    reviews = cal.next_workday(reviews.ravel()).reshape(reviews.shape)
    alive = (reviews < pk.end[:, None]) & (reviews < ctx.people.col("death")[pk.person][:, None])
    reviews = np.where(alive & (reviews <= ctx.end + 400), reviews, NEVER)
    return np.concatenate([before[:, None], reviews], axis=1), has_prior


def review_events(ctx: Context, pk: Packages, history: np.ndarray, brokerage: Brokerage) -> Events:
    """CLD Review rows (completed reviews) and brokerage requests for home-care changes."""
    rng = ctx.rng("review-events")
    pkg, slot = np.nonzero(history[:, 1:] < NEVER)
    done = history[pkg, slot + 1]
    keep = done <= ctx.end + 200
    pkg, slot, done = pkg[keep], slot[keep], done[keep]
    n = len(pkg)
    start = np.maximum(done - rng.integers(0, 15, n), pk.start[pkg])
    mix = REVIEW_OUTCOMES
    outcome = np.array([code(OUTCOMES, o) for o in mix])[pick(rng, n, mix)]
    ending = (pk.end[pkg] - done <= 30) & (pk.end_reason[pkg] != END_DEATH)
    outcome = np.where(ending, code(OUTCOMES, "NFA: Support ended for other reason"), outcome)
    reason = np.where(rng.random(n) < 0.82, 0, 1)
    method = pick(rng, n, (0.6, 0.25, 0.05, 0.0, 0.10))
    achieved = pick(rng, n, (0.55, 0.35, 0.05, 0.05))
    change = (outcome == code(OUTCOMES, "Progress to support planning or services")) & (
        pk.primary[pkg] == code(COMPONENTS, "Home support or domiciliary care"))
    c = np.flatnonzero(change)
    new_hours = np.clip(np.round(pk.hours[pkg[c]] * rng.uniform(0.8, 1.6, len(c)) * 4) / 4, 1.5, 60)
    brokerage.request(ctx, rng, pk.person[pkg[c]], done[c] + rng.integers(1, 10, len(c)), HOME_CARE, new_hours)
    return Events.make(pk.person[pkg], "Review", start, done, ref_kind=4, ref_num=pk.num[pkg] * 100 + slot,
                       outcome=outcome, review_reason=reason, method=method, review_achieved=achieved,
                       description=7)


def review_table(ctx: Context, pk: Packages, history: np.ndarray) -> dict[str, np.ndarray]:
    """The review-status extract at the extract date: one row per package running in the range."""
    keep = np.flatnonzero((pk.start <= ctx.end) & (pk.end >= ctx.start))
    h = history[keep]
    h = np.where(h <= ctx.end, h, NEVER)
    h_sorted = np.sort(h, axis=1)
    count = (h_sorted < NEVER).sum(axis=1)
    rows = np.arange(len(keep))
    latest = np.where(count >= 1, h_sorted[rows, np.maximum(count - 1, 0)], NEVER)
    previous = np.where(count >= 2, h_sorted[rows, np.maximum(count - 2, 0)], NEVER)
    current = (latest < NEVER) & (latest >= ctx.end - 364)
    review_completed = np.where(current, latest, NEVER)
    last_review = np.where(current, previous, latest)
    base = np.where(latest < NEVER, latest, pk.start[keep])
    due = base + 365
    return {"package": keep, "last_review": last_review, "review_due": due, "review_completed": review_completed,
            "team": review_team(ctx, pk.person[keep])}

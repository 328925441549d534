"""Brokerage: finding a provider for home care or a care-home place.

Requests reach brokerage on a working day after support planning. Days to source are skewed: in
the reference council 47% of home care packages were sourced within 48 hours and 63% of care-home
placements within 5 days, the rest over days to months (slower in 2023). Some requests are
cancelled (needs changed, the person died). A package starts only once sourced, so brokerage delay
feeds straight into service start dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from .calibration import Curve
from .context import Context
from .workdays import NEVER

HOME_CARE, CARE_HOME = 0, 1
SERVICE_TYPES = ("home_care", "care_home")
#: Sourcing was slower before the 2024 market work.
SOURCING_PACE = Curve(((date(2023, 4, 1), 1.3), (date(2024, 6, 30), 1.0)))


@dataclass
class Brokerage:
    """All brokerage requests of a council (appended to by the services that need them)."""

    parts: list[dict[str, np.ndarray]] = field(default_factory=list)

    def request(self, ctx: Context, rng: np.random.Generator, person: np.ndarray, decided: np.ndarray,
                kind: np.ndarray | int, hours: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Raise requests; returns (sourced day, usable) where unusable requests were cancelled.

        ``sourced`` is the true day a provider was found (may be after the extract date).
        """
        n = len(person)
        kind = np.broadcast_to(np.asarray(kind, dtype=np.int64), (n,)).copy()
        requested = ctx.cal.next_workday(decided)
        pace = SOURCING_PACE.at(requested)
        fast = rng.random(n) < np.where(kind == HOME_CARE, 0.5, 0.63)
        fast_days = np.where(kind == HOME_CARE, rng.integers(0, 3, n), rng.integers(0, 6, n))
        median = np.where(kind == HOME_CARE, 9.0, 12.0) * pace
        slow_days = np.floor(np.minimum(median * np.exp(np.where(kind == HOME_CARE, 1.0, 0.8)
                                                        * rng.standard_normal(n)), 240)).astype(np.int64)
        slow_days = np.maximum(slow_days, np.where(kind == HOME_CARE, 3, 6))
        sourced = requested + np.where(fast, fast_days, slow_days)
        sourced = ctx.cal.next_workday(sourced)
        cancel_at = requested + 1 + np.floor(rng.exponential(14.0, n)).astype(np.int64)
        cancels = rng.random(n) < 0.06
        death = ctx.people.col("death")[person]
        cancelled = np.where(cancels & (cancel_at < sourced), ctx.cal.next_workday(cancel_at), NEVER)
        died = death <= sourced
        cancelled = np.where(died & (cancelled >= NEVER),
                             ctx.cal.next_workday(np.maximum(death, requested)), cancelled)
        sourced = np.where(cancelled < NEVER, NEVER, sourced)
        if hours is None:
            hours = np.full(n, np.nan)
        hours = np.where(kind == HOME_CARE, hours, np.nan)
        self.parts.append({"person": person, "kind": kind, "requested": requested, "sourced": sourced,
                           "cancelled": cancelled, "hours": hours})
        return sourced, cancelled >= NEVER

    def table(self, ctx: Context) -> dict[str, np.ndarray]:
        """Requests in the extract: requested within the range, or earlier and still open at the start."""
        if not self.parts:
            return {}
        cols = {k: np.concatenate([p[k] for p in self.parts]) for k in self.parts[0]}
        closed = np.minimum(cols["sourced"], cols["cancelled"])
        keep = (cols["requested"] <= ctx.end) & ((cols["requested"] >= ctx.start) | (closed >= ctx.start))
        idx = np.flatnonzero(keep)
        idx = idx[np.lexsort((cols["person"][idx], cols["requested"][idx]))]
        out = {k: v[idx] for k, v in cols.items()}
        out["num"] = np.arange(len(idx)) + 1
        return out

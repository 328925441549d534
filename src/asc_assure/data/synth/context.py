"""What every part of one council's generation shares: dates, calendar, places, people, staffing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .catalogue import CouncilSpec
from .geography import Geography
from .people import People
from .rng import stream
from .staffing import Staffing
from .workdays import NEVER, WorkCalendar, day_of_year

#: Days simulated before the range so queues start the range with a realistic backlog.
WARMUP_DAYS = 420


@dataclass
class Context:
    spec: CouncilSpec
    seed: int
    start: int
    end: int
    cal: WorkCalendar
    geo: Geography
    people: People
    scale: float  # demand index (population weighted to the 65+) vs the reference council
    scale_old: float  # 65+ population vs the reference council
    locality_share: np.ndarray  # share of demand by locality
    staffing: Staffing | None = None

    @property
    def sim_first(self) -> int:
        return self.start - WARMUP_DAYS

    def rng(self, name: str) -> np.random.Generator:
        return stream(self.seed, self.spec.index, name)

    def daily_rate(self, annual: float, days: np.ndarray, *, weekend: float, bank: float,
                   winter: float, trend: np.ndarray | None = None) -> np.ndarray:
        """Expected arrivals per day: weekdays mostly, fewer at weekends and on bank holidays,
        a winter peak in mid-January, an optional multiplier curve. Averages ``annual``/365.25 a day
        over a year (before the trend)."""
        wd = (days + 3) % 7
        factor = np.where(wd >= 5, weekend, 1.0)
        factor = np.where(self.cal.bank_holiday_mask(days), bank, factor)
        norm = 0.693 + 0.285 * weekend + 0.022 * bank
        season = 1.0 + winter * np.cos(2 * np.pi * (day_of_year(days) - 15) / 365.25)
        rate = annual / 365.25 * factor / norm * season
        return rate if trend is None else rate * trend

    def arrivals(self, rng: np.random.Generator, annual: float, first: int, last: int, *,
                 weekend: float = 0.06, bank: float = 0.1, winter: float = 0.08,
                 trend: np.ndarray | None = None) -> np.ndarray:
        """Arrival days (sorted) of a Poisson stream shaped by ``daily_rate``."""
        days = np.arange(first, last + 1, dtype=np.int64)
        rate = self.daily_rate(annual, days, weekend=weekend, bank=bank, winter=winter, trend=trend)
        return np.repeat(days, rng.poisson(rate))

    def reuse(self, rng: np.random.Generator, pool: np.ndarray, days: np.ndarray, rounds: int = 6) -> np.ndarray:
        """For each event day pick someone from ``pool`` known and alive on that day (-1 if none found)."""
        out = np.full(len(days), -1, dtype=np.int64)
        if len(pool) == 0 or len(days) == 0:
            return out
        known = self.people.col("known_from")
        death = self.people.col("death")
        todo = np.arange(len(days))
        for _ in range(rounds):
            cand = pool[rng.integers(0, len(pool), len(todo))]
            ok = (known[cand] <= days[todo]) & (death[cand] > days[todo])
            out[todo[ok]] = cand[ok]
            todo = todo[~ok]
            if len(todo) == 0:
                break
        return out

    def reuse_window(self, rng: np.random.Generator, person: np.ndarray, frm: np.ndarray, to: np.ndarray,
                     days: np.ndarray, rounds: int = 6) -> np.ndarray:
        """Like ``reuse`` but the pool is (person, from, to) spells, e.g. time in a care home."""
        out = np.full(len(days), -1, dtype=np.int64)
        if len(person) == 0 or len(days) == 0:
            return out
        death = self.people.col("death")
        todo = np.arange(len(days))
        for _ in range(rounds):
            k = rng.integers(0, len(person), len(todo))
            d = days[todo]
            ok = (frm[k] <= d) & (to[k] > d) & (death[person[k]] > d)
            out[todo[ok]] = person[k[ok]]
            todo = todo[~ok]
            if len(todo) == 0:
                break
        return out

    def staffing_factor(self, team: str, first: int, n: int) -> np.ndarray:
        """Daily capacity factor of a team for days ``first .. first+n-1`` (1.0 outside the staffing span)."""
        out = np.ones(n)
        if self.staffing is None:
            return out
        daily = self.staffing.daily[team]
        offset = self.staffing.first - first
        lo, src_lo = max(0, offset), max(0, -offset)
        m = min(n - lo, len(daily) - src_lo)
        if m > 0:
            out[lo:lo + m] = daily[src_lo:src_lo + m]
        return out

    def censor(self, days: np.ndarray) -> np.ndarray:
        """Dates after the extract date become NEVER (written blank)."""
        days = np.asarray(days, dtype=np.int64)
        return np.where(days > self.end, NEVER, days)

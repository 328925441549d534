"""Seeded random streams.

Each council and each part of the generator (referrals, safeguarding, ...) draws from its own
``numpy.random.Generator`` seeded from (seed, council index, stream name). Changing how one part
draws therefore never shifts the numbers of another, and council 7 is the same whether 10 or 153
councils are generated.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, council_index: int, name: str) -> np.random.Generator:
    """The generator for one named stream of one council."""
    key = zlib.crc32(name.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence([seed, council_index, key]))


def pick(rng: np.random.Generator, n: int, shares: dict[str, float] | list[float]) -> np.ndarray:
    """Draw ``n`` category indices with the given shares (normalised)."""
    p = np.asarray(list(shares.values()) if isinstance(shares, dict) else shares, dtype=np.float64)
    return rng.choice(len(p), size=n, p=p / p.sum())


def lognormal_days(rng: np.random.Generator, n: int, median: float | np.ndarray, sigma: float,
                   cap: float | None = None) -> np.ndarray:
    """Skewed durations in whole days with the given median (most short, a long tail)."""
    x = np.asarray(median, dtype=np.float64) * np.exp(sigma * rng.standard_normal(n))
    if cap is not None:
        x = np.minimum(x, cap)
    return np.floor(x).astype(np.int64)


def exponential_days(rng: np.random.Generator, n: int, annual_rate: float | np.ndarray) -> np.ndarray:
    """Days until an event that happens at ``annual_rate`` (a proportion per year) in continuous time."""
    rate = np.asarray(annual_rate, dtype=np.float64)
    hazard = -np.log1p(-np.clip(rate, 1e-9, 0.999999)) / 365.25
    return np.floor(rng.exponential(1.0, n) / hazard).astype(np.int64)

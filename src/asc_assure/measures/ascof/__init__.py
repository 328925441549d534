"""ASCOF measures derived from the Client Level Data, by DHSC's published method.

``engine.run(store_dir, period)`` applies the SQL in ``sql/`` (DHSC's common processing, then 2A, 2B/2C,
2E, 3D and, when hospital episodes are loaded, 2D) and returns the figures for every council in the
store; ``periods`` names financial years and rolling 12-month periods; ``cache`` keeps computed results
beside the workspace so the web pages do not recompute them on every view.
"""

from __future__ import annotations

from asc_assure.measures.ascof.cache import cached_run, seed_demo
from asc_assure.measures.ascof.engine import AscofResult, run
from asc_assure.measures.ascof.periods import Period, PeriodError, financial_year, resolve, rolling

__all__ = ["AscofResult", "Period", "PeriodError", "cached_run", "financial_year", "resolve", "rolling", "run",
           "seed_demo"]

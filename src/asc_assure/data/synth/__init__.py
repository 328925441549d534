"""Synthetic councils: complete, internally consistent extracts for testing, demos and benchmarks.

``generate()`` writes, for each council, every operational extract (referrals, safeguarding
concerns and enquiries, DoLS applications, reviews, brokerage, workforce, people), the reference
files (teams, targets, areas) and quarterly CLD submissions, all following the data contracts, plus
a ``manifest.json`` with what was generated and the headline figures it produced. Council 1 is
calibrated to published figures for a real shire county (see ``calibration``); others vary.

The same seed and parameters always give byte-identical files. Councils are generated and written
one at a time, so 153 councils need no more memory than the largest one.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .catalogue import build_catalogue
from .council import generate_council
from .workdays import day_number

__all__ = ["generate"]

DATE_STYLES = ("iso", "uk")


def generate(out: Path, seed: int = 1, people: int | None = None, start: date = date(2023, 4, 1),
             end: date = date(2025, 3, 31), councils: int = 1, error_rate: float = 0.0,
             date_style: str = "iso") -> dict:
    """Generate ``councils`` synthetic councils under ``out`` and return a JSON-able summary.

    Parameters
    ----------
    out: folder to write into; each council gets ``out/<la_code>_<slug>/``.
    seed: random seed; the same seed and parameters give byte-identical files.
    people: resident population of council 1 (default 700,000); other councils' populations are
        drawn between about 150k and 1.6m and scaled by ``people / 700,000``.
    start, end: the range of the extracts; ``end`` is the extract date (nothing is dated after it).
    councils: how many councils.
    error_rate: share of rows in each operational extract and CLD file given one data-quality fault
        (counts per file are in each manifest's ``injected_errors``).
    date_style: ``"iso"`` (yyyy-mm-dd) or ``"uk"`` (dd/mm/yyyy) for operational extracts; CLD and
        reference files are always ISO.
    """
    if end < start:
        raise ValueError("end must not be before start")
    if date_style not in DATE_STYLES:
        raise ValueError(f"date_style must be one of {DATE_STYLES}")
    if not 0.0 <= error_rate <= 1.0:
        raise ValueError("error_rate must be between 0 and 1")
    if people is not None and people < 1_000:
        raise ValueError("people must be at least 1,000")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    parameters: dict[str, object] = {
        "seed": seed, "people": people, "start": start.isoformat(), "end": end.isoformat(), "councils": councils,
        "error_rate": error_rate, "date_style": date_style,
    }
    results = []
    for spec in build_catalogue(seed, councils, people):
        results.append(generate_council(spec, seed, day_number(start), day_number(end), out, error_rate,
                                        date_style, parameters))
    totals = {
        "councils": len(results),
        "population": sum(int(r["population"]) for r in results),
        "rows": sum(sum(r["rows"].values()) for r in results),
        "cld_rows": sum(int(r["cld_rows"]) for r in results),
        "injected_errors": sum(sum(r["injected_errors"].values()) for r in results),
    }
    return {"parameters": parameters, "councils": results, "totals": totals}

"""Assemble what the weekly pack shows: measure results plus the data-quality picture of the store.

The pack renderer (``asc_assure.reports``) only formats; every figure, rating and note is decided here
or in the engine, so the pack, the CLI and the web app show the same numbers.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from asc_assure.data.store import Store
from asc_assure.measures.engine import run_measures
from asc_assure.measures.equity import summary as equity_summary

#: How often each extract is expected; a newer extract overdue by more than this is "late".
EXPECTED_EVERY_DAYS = {
    "referrals": 7, "safeguarding_concerns": 7, "safeguarding_enquiries": 7, "dols_applications": 7,
    "reviews": 7, "brokerage": 7, "people": 7, "workforce": 31, "cld": 92,
}


def data_quality(store: Store, as_of: dt.date) -> dict[str, Any]:
    """Loads in force, extracts that are late for this as-of date, and notes on quarantined rows."""
    in_force = [m for kind in EXPECTED_EVERY_DAYS | {"teams": 0, "targets": 0, "areas": 0}
                for m in store.loads_for(kind, as_of, first_if_later=True)]
    in_force.sort(key=lambda m: m["seq"])
    loads = [{k: m.get(k) for k in ("kind", "source_file", "as_of", "rows_read", "rows_loaded",
                                    "rows_quarantined", "loaded_at")} for m in in_force]
    versions = store.versions(as_of, first_if_later=True)
    late = []
    for kind, latest in sorted(versions.items()):
        allowed = EXPECTED_EVERY_DAYS.get(kind)
        age = (as_of - dt.date.fromisoformat(latest)).days
        if allowed is not None and age > allowed:
            late.append({"kind": kind, "latest_as_of": latest, "days_late": age - allowed})
    notes = []
    quarantined = sum(m["rows_quarantined"] for m in in_force)
    if quarantined:
        kinds = sorted({m["kind"] for m in in_force if m["rows_quarantined"]})
        notes.append(f"{quarantined:,} rows were quarantined at load and are not counted "
                     f"({', '.join(kinds)}); the data owners have the row-level error reports.")
    later = sorted(k for k, v in versions.items() if v > as_of.isoformat())
    if later:
        notes.append(f"No extract of {', '.join(later)} was loaded on or before {as_of.isoformat()}; their "
                     f"first extract is used, measured as at {as_of.isoformat()}.")
    if not in_force:
        notes.append("No data has been loaded.")
    return {"loads": loads, "late_extracts": late, "notes": notes}


def build_pack_data(store_dir: Path | str, as_of: dt.date, period: str = "week", public: bool = False,
                    council: str | None = None, definitions: Path | None = None) -> dict[str, Any]:
    store = Store(store_dir)
    measures = run_measures(store_dir, as_of, period, definitions=definitions, public=public)
    return {
        "council": council or store.meta.get("council") or "Adult social care",
        "as_of": as_of.isoformat(),
        "period": period,
        "period_start": measures[0]["period_start"] if measures else as_of.isoformat(),
        "period_end": as_of.isoformat(),
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "public": public,
        "headline": [m["id"] for m in measures if m.get("headline")],
        "measures": measures,
        "data_quality": data_quality(store, as_of),
        "equity": equity_summary(store_dir, as_of, public=public, definitions=definitions),
    }

"""Read the measure snapshots kept in the store (``store/results/<period>/<as_of>.json``).

``measures.engine.save_snapshot`` writes one file per period end with every measure's result (without
the trend). Reading them back is much cheaper than running the measures again, and it shows the
figure as it was reported on that date, which is what a document quoting "as at" a date should show.
A file that is half-written (``.json.tmp``), misnamed or unreadable is skipped, never fatal.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asc_assure.measures.periods import PERIODS


@dataclass(frozen=True)
class Snapshot:
    """One saved run: its date, period, when it was generated and the results by measure id."""

    as_of: dt.date
    period: str
    generated_at: str | None
    path: Path
    measures: dict[str, dict[str, Any]]

    def get(self, measure_id: str) -> dict[str, Any] | None:
        return self.measures.get(measure_id)


def snapshot_folder(store_dir: Path | str, period: str) -> Path:
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    return Path(store_dir) / "results" / period


def snapshot_dates(store_dir: Path | str, period: str = "week") -> list[dt.date]:
    """The as-of dates with a saved snapshot, oldest first."""
    folder = snapshot_folder(store_dir, period)
    if not folder.is_dir():
        return []
    dates = []
    for path in folder.glob("*.json"):
        try:
            dates.append(dt.date.fromisoformat(path.stem))
        except ValueError:
            continue
    return sorted(dates)


def load_snapshot(store_dir: Path | str, as_of: dt.date, period: str = "week") -> Snapshot | None:
    """The snapshot saved for exactly ``as_of``, or None if there is none (or it cannot be read)."""
    path = snapshot_folder(store_dir, period) / f"{as_of.isoformat()}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    measures = {m["id"]: m for m in raw.get("measures", []) if isinstance(m, dict) and "id" in m}
    return Snapshot(as_of=as_of, period=raw.get("period", period), generated_at=raw.get("generated_at"),
                    path=path, measures=measures)


def latest_snapshot(store_dir: Path | str, on_or_before: dt.date | None = None,
                    period: str = "week") -> Snapshot | None:
    """The newest readable snapshot on or before ``on_or_before`` (any date when None)."""
    for day in reversed(snapshot_dates(store_dir, period)):
        if on_or_before is not None and day > on_or_before:
            continue
        snap = load_snapshot(store_dir, day, period)
        if snap is not None:
            return snap
    return None

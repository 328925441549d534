"""Computed ASCOF results kept beside the workspace, keyed by period and by the loads they came from.

Running every measure over a council's CLD takes a few seconds; pages and reports ask for the same period
again and again. A result is stored as JSON under the workspace's files folder, named by the period and a
fingerprint of the CLD, population and hospital-episode loads in force, so a new load is picked up at once
and nothing stale is ever shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from asc_assure.assurance.workspace import Workspace
from asc_assure.data.store import Store
from asc_assure.measures.ascof import engine
from asc_assure.measures.ascof.periods import Period, available


def fingerprint(store_dir: Path | str) -> str:
    """Identifies the inputs: the load ids of every CLD, population and hospital-episodes load."""
    store = Store(store_dir)
    ids = sorted(m["load_id"] for m in store.manifests() if m["kind"] in engine.INPUTS)
    return hashlib.sha256("|".join(ids).encode()).hexdigest()[:16]


def _path(ws: Workspace, period: Period, print_: str) -> Path:
    return Path(ws.files_dir) / "ascof" / f"{period.key}-{print_}.json"


def cached_run(ws: Workspace, store_dir: Path | str, period: Period) -> dict[str, Any]:
    """The result for ``period`` as a dict (``AscofResult.as_dict``), computed once per set of loads."""
    path = _path(ws, period, fingerprint(store_dir))
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    data = engine.run(store_dir, period).as_dict()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, default=str), encoding="utf-8")
    tmp.replace(path)
    return json.loads(path.read_text(encoding="utf-8"))


def seed_demo(ws: Workspace, store_dir: Path, today: dt.date) -> None:
    """Compute the demo council's ASCOF for every financial year its CLD covers, so the pages open at once.

    Nothing is typed in: the figures come from the synthetic council's CLD, population and hospital
    episodes through the same SQL a real council runs.
    """
    span = engine.data_range(store_dir)
    if span is None:
        return
    for period in available(span[0], min(span[1], today)):
        if period.kind == "year":
            cached_run(ws, store_dir, period)

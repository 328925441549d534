"""Saved results: the demo keeps a baseline projection and a back-test beside the workspace, so the
demand and capacity page opens with figures before anyone runs a scenario. The files are plain JSON
in ``ws.files_dir / "simulation"``; they hold counts only, no person-level rows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

SAVED = ("baseline", "backtest")


def _folder(ws: Any) -> Path:
    return Path(ws.files_dir) / "simulation"


def save(ws: Any, name: str, result: dict[str, Any]) -> Path:
    """Keep a result under ``name`` (baseline or backtest), replacing an earlier one."""
    if name not in SAVED:
        raise ValueError(f"name must be one of {', '.join(SAVED)}")
    folder = _folder(ws)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(result, default=str), encoding="utf-8")
    return path


def load(ws: Any, name: str) -> dict[str, Any] | None:
    """A saved result, or None if there is none (or it cannot be read)."""
    path = _folder(ws) / f"{name}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def seed_demo(ws: Any, store_dir: Path, today: dt.date) -> None:
    """Run the baseline as at ``today`` and the back-test on the demo council, and keep both."""
    from asc_assure.operations.simulation.backtest import backtest
    from asc_assure.operations.simulation.results import run_simulation
    from asc_assure.operations.simulation.scenarios import examples, parse_yaml

    save(ws, "baseline", run_simulation(store_dir, parse_yaml(examples()["baseline"]), weeks=52,
                                        replications=10, seed=1, as_of=today))
    save(ws, "backtest", backtest(store_dir, replications=20, seed=1))

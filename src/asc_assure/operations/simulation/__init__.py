"""Demand and capacity: a discrete-event simulation of the assessment waiting list.

``calibrate`` measures the council's history in the store, ``scenarios`` reads what to change,
``model`` runs the SimPy replications, ``results`` summarises them, ``backtest`` checks the model
against a year the council has already lived through, and ``chart`` draws the projection.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from asc_assure.operations.simulation.calibrate import Calibration, CalibrationError, calibrate
from asc_assure.operations.simulation.results import run_simulation
from asc_assure.operations.simulation.scenarios import (
    RULES,
    Scenario,
    ScenarioError,
    examples,
    load_scenario,
    parse_scenario,
    parse_yaml,
)

__all__ = ["RULES", "Calibration", "CalibrationError", "Scenario", "ScenarioError", "calibrate", "examples",
           "load_scenario", "parse_scenario", "parse_yaml", "run_simulation", "seed_demo"]


def seed_demo(ws, store_dir: Path, today: dt.date) -> None:
    """Keep the demo's back-test and baseline projection so the page opens with results (see store.py)."""
    from asc_assure.operations.simulation.store import seed_demo as _seed

    _seed(ws, store_dir, today)

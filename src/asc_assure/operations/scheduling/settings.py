"""Scheduler settings: targets by priority, objective weights and solver limits, from YAML.

The defaults ship beside this module (``settings.yaml``); a council can pass its own file. Anything
missing from a council's file keeps its default, so a file may set only the targets.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from asc_assure.assurance.workspace import WorkspaceError

PRIORITIES = ("high", "medium", "low")
DISCIPLINES = ("social_worker", "occupational_therapist")
NEEDS = ("social_worker", "occupational_therapist", "both")
BREACH_RULES = ("fewest", "baseline")


class ScheduleError(WorkspaceError):
    """The scheduler cannot run with these inputs (no roster, bad settings, bad dates)."""


@dataclass(frozen=True)
class Settings:
    targets: dict[str, int]
    unprioritised: str
    undisciplined: str
    same_team_only: bool
    breaches: str
    breach_weight: dict[str, int]
    wait_weight: dict[str, int]
    longest_wait_weight: int
    travel_weight: int
    time_limit: float
    workers: int
    seed: int

    def with_solver(self, time_limit: float | None = None, workers: int | None = None,
                    seed: int | None = None) -> Settings:
        """A copy with other solver limits (the CLI and benchmarks change only these)."""
        from dataclasses import replace

        return replace(self, time_limit=self.time_limit if time_limit is None else time_limit,
                       workers=self.workers if workers is None else workers,
                       seed=self.seed if seed is None else seed)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(base[k], v) if isinstance(v, dict) and isinstance(base.get(k), dict) else v
    return out


def _int(raw: Any, name: str, low: int = 0) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < low:
        raise ScheduleError(f"scheduler setting {name} must be a whole number of at least {low}, not {raw!r}")
    return raw


def load_settings(path: Path | None = None) -> Settings:
    """Defaults, overlaid with ``path`` when given."""
    raw = yaml.safe_load(resources.files(__package__).joinpath("settings.yaml").read_text(encoding="utf-8"))
    if path is not None:
        try:
            over = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ScheduleError(f"cannot read scheduler settings {path}: {exc}") from None
        if not isinstance(over, dict):
            raise ScheduleError(f"scheduler settings {path} must be a mapping of names to values")
        raw = _merge(raw, over)
    if raw["unprioritised"] not in PRIORITIES:
        raise ScheduleError(f"scheduler setting unprioritised must be one of {', '.join(PRIORITIES)}, "
                            f"not {raw['unprioritised']!r}")
    if raw["undisciplined"] not in NEEDS:
        raise ScheduleError(f"scheduler setting undisciplined must be one of {', '.join(NEEDS)}, "
                            f"not {raw['undisciplined']!r}")
    if raw["breaches"] not in BREACH_RULES:
        raise ScheduleError(f"scheduler setting breaches must be one of {', '.join(BREACH_RULES)}, "
                            f"not {raw['breaches']!r}")
    w = raw["weights"]
    solver = raw["solver"]
    limit = solver["time_limit_seconds"]
    if isinstance(limit, bool) or not isinstance(limit, int | float) or limit <= 0:
        raise ScheduleError(f"scheduler setting solver.time_limit_seconds must be a positive number, not {limit!r}")
    return Settings(
        targets={p: _int(raw["targets"][p], f"targets.{p}") for p in PRIORITIES},
        unprioritised=raw["unprioritised"], undisciplined=raw["undisciplined"],
        same_team_only=bool(raw["same_team_only"]), breaches=raw["breaches"],
        breach_weight={p: _int(w["breach"][p], f"weights.breach.{p}", 1) for p in PRIORITIES},
        wait_weight={p: _int(w["wait"].get(p, 0), f"weights.wait.{p}") for p in PRIORITIES},
        longest_wait_weight=_int(w["longest_wait"], "weights.longest_wait"),
        travel_weight=_int(w["travel"], "weights.travel"),
        time_limit=float(limit), workers=_int(solver["workers"], "solver.workers", 1),
        seed=_int(solver["seed"], "solver.seed"),
    )

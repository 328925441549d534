"""Build the demo council used by ``make demo``: synthetic extracts, loaded into a store.

The demo folder holds ``extracts/`` (what a council would export), ``store/`` (what ASC Assure keeps),
``pseudonym.key`` (the demo's own key, outside the store, as a council's would be) and the latest
weekly pack as ``weekly-pack.html`` and ``weekly-pack.pdf``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from asc_assure.data.ingest import ingest_files
from asc_assure.data.pseudonymise import load_key
from asc_assure.data.store import Store

DEMO_START = dt.date(2023, 4, 1)
DEMO_END = dt.date(2025, 3, 31)
DEMO_ERROR_RATE = 0.002


def build_demo(folder: Path, seed: int = 1, people: int | None = None,
               echo: Callable[[str], Any] = print, with_pack: bool = True) -> dict[str, Any]:
    """Generate and load a demo council from scratch (an existing demo folder is replaced)."""
    from asc_assure.data.synth import generate

    folder = Path(folder)
    extracts, store_dir = folder / "extracts", folder / "store"
    for old in (extracts, store_dir):
        if old.exists():
            shutil.rmtree(old)
    echo(f"Generating a synthetic council into {extracts} ...")
    synth = generate(extracts, seed=seed, people=people, start=DEMO_START, end=DEMO_END, councils=1,
                     error_rate=DEMO_ERROR_RATE)
    key = load_key(folder / "pseudonym.key")
    files = sorted(p for p in extracts.rglob("*") if p.suffix in {".csv", ".xlsx"})
    echo(f"Loading {len(files)} extract files into {store_dir} ...")
    results = ingest_files(store_dir, files, as_of=DEMO_END, key=key, actor="demo")
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise RuntimeError("demo extracts failed to load: " + "; ".join(f"{r.file}: {r.reason}" for r in failed))
    Store(store_dir).set_meta("council", synth["councils"][0]["name"])
    read = sum(r.rows_read for r in results)
    quarantined = sum(r.rows_quarantined for r in results)
    echo(f"Loaded {read - quarantined:,} rows; {quarantined:,} quarantined with reasons "
         f"(the demo injects a few faults on purpose).")
    packs = build_demo_pack(folder, store_dir, echo) if with_pack else []
    seeded = seed_workspace(store_dir, DEMO_END, echo)
    return {"synth": synth, "loads": [r.to_dict() for r in results], "store": Store(store_dir).summary(),
            "packs": [str(p) for p in packs], "workspace": seeded}


# Modules whose seed_demo() fills the assurance workspace, in dependency order (evidence before the
# information return that links to it; the plan before the risks that link to its actions).
DEMO_SEEDERS = (
    "asc_assure.assurance.evidence",
    "asc_assure.assurance.self_assessment",
    "asc_assure.assurance.scores",
    "asc_assure.assurance.timeline",
    "asc_assure.assurance.information_return",
    "asc_assure.assurance.case_tracking",
    "asc_assure.assurance.plan",
    "asc_assure.assurance.risks",
    "asc_assure.assurance.budget",
    "asc_assure.assurance.commentary",
    "asc_assure.operations.dols",
    "asc_assure.operations.safeguarding_queues",
    "asc_assure.operations.prioritisation",
    "asc_assure.operations.simulation",
    "asc_assure.operations.dsr",
    "asc_assure.measures.workforce",
    "asc_assure.measures.ascof",
    "asc_assure.measures.benchmark",
)


def seed_workspace(store_dir: Path, today: dt.date, echo: Callable[[str], Any] = print,
                   only: tuple[str, ...] | None = None) -> list[str]:
    """Fill the demo's assurance workspace (evidence, self-assessment, plan, risks...) as of ``today``;
    ``only`` names a subset of ``DEMO_SEEDERS`` (e.g. for a small test store without a year of history)."""
    import importlib

    from asc_assure.assurance.workspace import Workspace

    ws = Workspace.for_store(store_dir)
    seeded = []
    for name in DEMO_SEEDERS:
        if only is not None and name not in only:
            continue
        module = importlib.import_module(name)
        seed = getattr(module, "seed_demo", None)
        if seed is not None:
            seed(ws, store_dir, today)
            seeded.append(name.rsplit(".", 1)[1])
    echo("Assurance workspace filled: " + ", ".join(seeded))
    return seeded


def build_demo_pack(folder: Path, store_dir: Path, echo: Callable[[str], Any] = print) -> list[Path]:
    """A year of weekly snapshots and the latest weekly pack, as HTML and PDF."""
    from asc_assure.measures.engine import rebuild_snapshots
    from asc_assure.measures.pack_input import build_pack_data
    from asc_assure.reports.pack import write_pack

    as_of = DEMO_END - dt.timedelta(days=(DEMO_END.weekday() + 1) % 7)  # the last Sunday of the data
    echo(f"Computing measures and weekly snapshots up to {as_of.isoformat()} ...")
    rebuild_snapshots(store_dir, as_of - dt.timedelta(weeks=51), as_of)
    data = build_pack_data(store_dir, as_of)
    out = [write_pack(data, folder / "weekly-pack.html"), write_pack(data, folder / "weekly-pack.pdf")]
    echo(f"Weekly pack: {out[0]} and {out[1]}")
    return out

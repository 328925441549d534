"""Write small extracts in a contract's shape for tests: a list of dicts becomes a CSV file."""

from __future__ import annotations

import csv
from pathlib import Path

from asc_assure.data.contracts import get_contract


def write_extract(path: Path, kind: str, rows: list[dict]) -> Path:
    """A CSV with every column of ``kind``'s contract; columns a row doesn't give are blank."""
    cols = get_contract(kind).column_names
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        w.writerows([[r.get(c, "") for c in cols] for r in rows])
    return path


def build_figures_store(folder: Path) -> Path:
    """A small store whose figures are worked out by hand: on 31 March 2025 four people wait for
    assessment (three in North Team, one in South Team), against a target of 3 with tolerance 2."""
    import datetime as dt

    from asc_assure.data.ingest import ingest_file

    as_of, key = dt.date(2025, 3, 31), bytes(range(32))
    store = folder / "store"
    base = {"person_id": "P", "priority": "high"}
    rows = [
        {**base, "referral_id": "R1", "received_date": "2025-03-01", "team": "North Team", "locality": "North"},
        {**base, "referral_id": "R2", "received_date": "2025-03-21", "team": "North Team", "locality": "North"},
        {**base, "referral_id": "R3", "received_date": "2025-03-30", "team": "South Team", "locality": "South"},
        {**base, "referral_id": "R4", "received_date": "2025-03-10", "team": "North Team", "locality": "North"},
    ]
    ingest_file(store, write_extract(folder / "referrals.csv", "referrals", rows), as_of=as_of, key=key)
    targets = [{"measure_id": "waiting_list.count", "effective_from": "2024-04-01", "target": "3",
                "amber_tolerance": "2", "notes": "Set by the Director"}]
    ingest_file(store, write_extract(folder / "targets.csv", "targets", targets), as_of=as_of, key=key)
    return store

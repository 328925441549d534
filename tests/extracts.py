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

"""Append-only, hash-chained audit log kept beside the store.

Each line is a JSON record holding the hash of the line before it, so editing or deleting any
earlier line breaks the chain and ``verify`` says where. Loads and every look-up of a restricted
local reference are written here.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
from pathlib import Path
from typing import Any

GENESIS = "0" * 64


def _digest(prev: str, body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev + canonical).encode()).hexdigest()


def _last_hash(path: Path) -> str:
    if not path.exists() or path.stat().st_size == 0:
        return GENESIS
    with path.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - 65536))
        tail = fh.read().splitlines()
    return json.loads(tail[-1])["hash"]


def append(path: Path, event: str, actor: str, **details: Any) -> dict[str, Any]:
    """Append one record (under an exclusive lock so concurrent writers keep the chain)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            body = {
                "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "event": event,
                "actor": actor,
                "details": details,
                "prev": _last_hash(path),
            }
            record = {**body, "hash": _digest(body["prev"], body)}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    return record


def read(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def verify(path: Path) -> tuple[bool, int | None, str]:
    """Check the chain: (ok, first bad line number or None, explanation)."""
    prev = GENESIS
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines() if path.exists() else [], 1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            return False, n, f"line {n} is not valid JSON"
        claimed = record.pop("hash", None)
        if record.get("prev") != prev:
            return False, n, f"line {n} does not follow line {n - 1} (a line was removed or reordered)"
        if _digest(prev, record) != claimed:
            return False, n, f"line {n} was altered after it was written"
        prev = claimed
    return True, None, "audit log intact"

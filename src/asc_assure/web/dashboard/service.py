"""The dashboard's window on the core: measures for a date, cached while the store is unchanged.

Views never compute figures themselves; they ask here, and here asks ``asc_assure.measures``. Results
are cached per (store state, date, period, public) so repeated page views are fast; any new load
changes the store state and so the cache key.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from django.conf import settings

from asc_assure.data.store import Store, StoreError
from asc_assure.measures.engine import run_measures
from asc_assure.measures.registry import load_registry

CACHE_SIZE = 32
_cache: OrderedDict[tuple, list[dict[str, Any]]] = OrderedDict()
_lock = threading.Lock()


def store_dir() -> Path:
    return Path(settings.ASC_ASSURE_STORE)


def open_store() -> Store | None:
    try:
        return Store(store_dir())
    except StoreError:
        return None


def store_state(store: Store) -> tuple[str, ...]:
    return tuple(m["load_id"] for m in store.manifests())


def latest_as_of(store: Store | None) -> dt.date | None:
    """The date of the newest extract loaded: the natural 'as at' date for the dashboard."""
    if store is None:
        return None
    dates = [m["as_of"] for m in store.manifests() if m["kind"] not in {"teams", "targets", "areas"}]
    return dt.date.fromisoformat(max(dates)) if dates else None


def measures_for(store: Store, as_of: dt.date, period: str, public: bool) -> list[dict[str, Any]]:
    key = (str(store.root), store_state(store), as_of, period, public)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    results = run_measures(store.root, as_of, period, public=public)
    with _lock:
        _cache[key] = results
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return results


def registry() -> dict[str, Any]:
    return load_registry()


def target_history(store: Store, measure_id: str) -> list[dict[str, Any]]:
    """Every target row ever set for a measure (from the targets extract), newest first."""
    con = store.connect()
    try:
        rows = con.execute(
            "SELECT team, effective_from, target, amber_tolerance, notes, _source_file, _as_of "
            "FROM targets_history WHERE measure_id = ? ORDER BY effective_from DESC, _as_of DESC",
            [measure_id]).fetchall()
    finally:
        con.close()
    keys = ("team", "effective_from", "target", "amber_tolerance", "notes", "source_file", "loaded_as_of")
    return [dict(zip(keys, r, strict=True)) for r in rows]

"""What the web app needs to know about the store it reads (kept cheap: store.json only)."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

_cache: dict[Path, tuple[float, dict]] = {}


def store_meta() -> dict:
    """The store's ``store.json`` (empty if the store is missing or unreadable), re-read when it changes."""
    path = Path(settings.ASC_ASSURE_STORE) / "store.json"
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return {}
    hit = _cache.get(path)
    if hit and hit[0] == mtime:
        return hit[1]
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = {}
    _cache[path] = (mtime, meta)
    return meta


def council_name() -> str:
    return str(store_meta().get("council") or "")

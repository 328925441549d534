"""Key statistics: live links from the self-assessment to registry measures, resolved when shown.

A self-assessment that types "592 people waiting" is out of date the week after it is approved. Here a
key statistic is only a *link* — a measure id from the registry, the column it belongs in (Activity,
Working well, Priority area, as the council's own self-assessment lays them out) and an optional label.
The figure, its date, period, source and RAG are looked up each time the page is viewed or the
document exported:

1. the newest saved snapshot (``store/results/<period>/<date>.json``) on or before the date, if it is
   no older than one period — it is the figure as reported on that date;
2. otherwise the measures engine runs for that date;
3. if neither gives a figure, the statistic says "no data yet" and why, never zero.

The date defaults to the newest extract in the store (capped at today), as the dashboard does, so a
store whose data stops in March is not measured as if it ran to today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from asc_assure.assurance.workspace import WorkspaceError
from asc_assure.domain.suppression import public_figures
from asc_assure.reports import formatting as fmt

GROUPS = ("Activity", "Working well", "Priority area")
NO_DATA = "no data yet"
# How old a snapshot may be and still stand for the date asked about (one period).
MAX_SNAPSHOT_AGE_DAYS = {"week": 6, "month": 31, "quarter": 92, "year": 366}
REFERENCE_KINDS = {"teams", "targets", "areas"}


def registry() -> dict[str, Any]:
    from asc_assure.measures.registry import load_registry

    return load_registry()


def normalise_group(value: Any) -> str:
    """'working well', 'Working Well' and 'working_well' are all 'Working well'."""
    text = " ".join(str(value or "").replace("_", " ").replace("-", " ").split()).lower()
    for group in GROUPS:
        if text == group.lower():
            return group
    raise WorkspaceError(f"key statistic group {value!r} is not one of: {', '.join(GROUPS)}")


def check_items(items: Iterable[Mapping[str, Any]] | None, known: Mapping[str, Any] | None = None
                ) -> list[dict[str, Any]]:
    """Validated key statistic links, in the order given. An unknown measure id is refused."""
    known = registry() if known is None else known
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for n, item in enumerate(items or [], 1):
        if not isinstance(item, Mapping):
            raise WorkspaceError(f"key statistic {n} must have a measure_id and a group, not {item!r}")
        mid = str(item.get("measure_id") or item.get("measure") or "").strip()
        if not mid:
            raise WorkspaceError(f"key statistic {n} has no measure_id")
        if mid not in known:
            raise WorkspaceError(f"key statistic {n}: unknown measure id {mid!r} "
                                 f"(see `asc-assure measures list` for the ids in the registry)")
        group = normalise_group(item.get("group"))
        if (mid, group) in seen:
            raise WorkspaceError(f"key statistic {mid!r} is listed twice under {group}")
        seen.add((mid, group))
        label = " ".join(str(item.get("label") or "").split())
        out.append({"measure_id": mid, "group": group, **({"label": label} if label else {})})
    return out


def default_as_of(store_dir: Path | str | None, today: dt.date) -> dt.date | None:
    """The newest operational extract date in the store, but never later than ``today``."""
    from asc_assure.data.store import Store, StoreError

    if store_dir is None:
        return None
    try:
        manifests = Store(store_dir).manifests()
    except (StoreError, OSError, ValueError):
        return None
    dates = [dt.date.fromisoformat(m["as_of"]) for m in manifests if m.get("kind") not in REFERENCE_KINDS]
    return min(max(dates), today) if dates else None


def _results(store_dir: Path | str, as_of: dt.date, period: str, ids: list[str]
             ) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Results by measure id, and where each came from ('snapshot' or 'computed')."""
    from asc_assure.data.store import StoreError
    from asc_assure.measures.engine import MeasureError, run_measures
    from asc_assure.measures.snapshots import latest_snapshot

    found: dict[str, dict[str, Any]] = {}
    origin: dict[str, str] = {}
    snap = latest_snapshot(store_dir, as_of, period)
    if snap is not None and (as_of - snap.as_of).days <= MAX_SNAPSHOT_AGE_DAYS[period]:
        for mid in ids:
            if snap.get(mid) is not None:
                found[mid], origin[mid] = snap.get(mid), "snapshot"
    missing = [mid for mid in ids if mid not in found]
    if missing:
        try:
            for r in run_measures(store_dir, as_of, period, ids=missing, trend_points=1):
                found[r["id"]], origin[r["id"]] = r, "computed"
        except (StoreError, MeasureError, OSError):
            pass  # no store, or a measure's SQL failed: those statistics show "no data yet"
    return found, origin


def _value_text(result: dict[str, Any], public: bool) -> tuple[str | None, bool]:
    value, unit = result.get("value"), result.get("unit")
    suppressed = False
    if public and value is not None:
        value, _, _, suppressed = public_figures(value, result.get("numerator"), result.get("denominator"),
                                                 unit == "count")
    return fmt.format_value(value, unit), suppressed


def resolve(store_dir: Path | str | None, items: Iterable[Mapping[str, Any]], as_of: dt.date | None,
            period: str = "week", public: bool = False, known: Mapping[str, Any] | None = None
            ) -> list[dict[str, Any]]:
    """Each key statistic with its figure: value and unit, dates, source, RAG, or "no data yet".

    ``public`` applies small-number suppression (for documents that leave the council).
    """
    from asc_assure.data.contracts import get_contract

    known = registry() if known is None else known
    links = list(items)
    ids = list(dict.fromkeys(str(i["measure_id"]) for i in links if str(i["measure_id"]) in known))
    found, origin = (_results(store_dir, as_of, period, ids) if store_dir is not None and as_of is not None
                     and ids else ({}, {}))
    out = []
    for link in links:
        mid = str(link["measure_id"])
        measure = known.get(mid)
        result = found.get(mid)
        value_text, suppressed = _value_text(result, public) if result else (None, False)
        try:
            source_title = get_contract(measure.source).title if measure else None
        except Exception:  # a council's own measure may read a kind this version does not know
            source_title = measure.source if measure else None
        reason = None
        if measure is None:
            reason = f"measure {mid} is no longer in the registry"
        elif result is None:
            reason = "No figures have been loaded for this measure"
        elif value_text is None:
            reason = result.get("reason") or "No figure for this date"
        target = result.get("target") if result else None
        unit = measure.unit if measure else None
        out.append({
            "measure_id": mid,
            "group": link.get("group"),
            "label": link.get("label") or (measure.title if measure else mid),
            "measure_title": measure.title if measure else mid,
            "unit": unit,
            "has_value": value_text is not None,
            "value": None if suppressed or result is None else result.get("value"),
            "value_text": value_text if value_text is not None else NO_DATA,
            "reason": reason,
            "suppressed": suppressed,
            "as_of": result.get("as_of") if result else None,
            "as_of_text": fmt.format_date(result["as_of"]) if result and result.get("as_of") else NO_DATA,
            "period": result.get("period") if result else period,
            "period_start": result.get("period_start") if result else None,
            "data_as_of": result.get("data_as_of") if result else None,
            "source": measure.source if measure else None,
            "source_title": source_title,
            "rag": result.get("rag") if result and value_text is not None else None,
            "rag_text": fmt.rag_label(result.get("rag") if result and value_text is not None else None),
            "target_text": (fmt.format_value(target, unit) if target is not None else "No target"),
            "origin": origin.get(mid),
        })
    return out


def by_group(resolved: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """Statistics in the three columns of the council's layout, each column in the order given."""
    groups: dict[str, list[Mapping[str, Any]]] = {g: [] for g in GROUPS}
    for item in resolved:
        groups.setdefault(str(item.get("group")), []).append(item)
    return groups


def statistic_line(item: Mapping[str, Any]) -> str:
    """One statistic as a sentence for text output and documents: label, value, date, source, RAG."""
    if not item["has_value"]:
        return f"{item['label']}: {NO_DATA} ({item['reason']}) [measure {item['measure_id']}]"
    rag = f"; RAG {item['rag_text']}" if item.get("rag") else ""
    return (f"{item['label']}: {item['value_text']} as at {item['as_of_text']} ({item['period']}{rag}). "
            f"Source: {item['measure_title']} [{item['measure_id']}], {item['source_title']}")

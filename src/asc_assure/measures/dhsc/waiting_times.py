"""DHSC dashboard waiting times from the council's own CLD, beside its operational waiting-list measures.

DHSC's local authority CLD dashboard shows two waits for new clients aged 25 and over: days from a
request to the first response (an assessment, or a service if that came first) and from a request
to the first service. The council wants to see the same figures before DHSC publishes them, and to
explain to members why they differ from the waits its own teams report from the case-recording
system. The method is DHSC's published SQL, ported in ``waiting_times.sql`` (source and commit are in
its header); this module runs it on the store and lines the results up, quarter by quarter, with the
``waiting_list.*`` and ``assessment.*`` measures from the registry.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from asc_assure.assurance.workspace import WorkspaceError
from asc_assure.data.store import Store, StoreError
from asc_assure.domain.suppression import SUPPRESSED, is_small, public_count

PART_1 = "Wait time to first response"
PART_2 = "Wait time to first service"
METRICS = (PART_1, PART_2)
AGE_BANDS = ("25 to 64", "65 and above")
DASHBOARD_FROM = dt.date(2024, 4, 1)  # DHSC's dashboard shows quarters from April 2024 (Stage 6)

#: Operational measures shown beside DHSC's (registry ids; see measures/definitions).
OPERATIONAL_IDS = (
    "assessment.request_to_assessment_median_days",
    "assessment.completed",
    "assessment.referrals_received",
    "waiting_list.count",
    "waiting_list.median_wait_days",
)

#: Why the council's figures and DHSC's differ, in words a councillor can follow.
DIFFERENCES = (
    ("Who is counted",
     "DHSC counts new clients only: service users aged 25 or over at the request, not already receiving "
     "long-term support (or short-term support in the last 3 months), and not requests that ended in no "
     "further action or a hospital admission. The council's measures count every referral for a Care Act "
     "assessment, at any adult age, whatever the outcome."),
    ("When a wait ends",
     "DHSC's first response is the start of the first assessment, or of a service if that came first; "
     "the council's measure runs to the assessment being completed. A service before any assessment "
     "(for example reablement) ends DHSC's wait early."),
    ("Which quarter a wait falls in",
     "DHSC puts each wait in the quarter its response or service started; the council's completed-"
     "assessment measure uses the quarter the assessment was completed."),
    ("People still waiting",
     "DHSC's medians are of completed waits only. The council's waiting list is a snapshot of people "
     "still waiting at the quarter end; a long list shows in DHSC's figures only once those people are "
     "seen, so the two can move in opposite directions."),
    ("Which records",
     "DHSC uses the CLD return (events as submitted, de-duplicated across quarterly files); the council's "
     "measures use the referrals extract from the case-recording system. Requests in the CLD that the "
     "referrals extract does not hold (or the reverse) make the counts differ."),
    ("Age bands",
     "DHSC splits by age at the end of the response or service event (25 to 64, 65 and above); the "
     "council's measures are not split by age."),
)


class WaitingTimesError(WorkspaceError):
    """No CLD in the store, or a quarter the user typed that cannot be read."""


@cache
def waiting_times_sql() -> str:
    """The DHSC method as one DuckDB query over the ``cld`` view (transpilable to Spark SQL)."""
    return resources.files(__package__).joinpath("waiting_times.sql").read_text(encoding="utf-8")


# -- quarters ---------------------------------------------------------------------------------------
def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def quarter_end(start: dt.date) -> dt.date:
    month = start.month + 2
    nxt = dt.date(start.year + (month // 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def quarter_label(start: dt.date) -> str:
    """'Q1 2024-25 (Apr to Jun 2024)': financial-year quarters, as councils report them."""
    fy = start.year if start.month >= 4 else start.year - 1
    q = ((start.month - 4) % 12) // 3 + 1
    end = quarter_end(start)
    return f"Q{q} {fy}-{str(fy + 1)[-2:]} ({start:%b} to {end:%b %Y})"


_FY_QUARTER = re.compile(r"^\s*(?:Q([1-4])\s*(\d{4})\s*[-/]\s*(\d{2,4})|(\d{4})\s*[-/]\s*(\d{2,4})\s*Q([1-4]))\s*$",
                         re.IGNORECASE)


def parse_quarter(text: str) -> dt.date:
    """The first day of a quarter typed as 'Q1 2024-25', '2024/25 Q1' or any date in the quarter."""
    m = _FY_QUARTER.match(text)
    if m:
        q = int(m.group(1) or m.group(6))
        fy = int(m.group(2) or m.group(4))
        month = 4 + 3 * (q - 1)
        return dt.date(fy + (month > 12), (month - 1) % 12 + 1, 1)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return quarter_start(dt.datetime.strptime(text.strip(), fmt).date())
        except ValueError:
            pass
    raise WaitingTimesError(f"quarter {text!r} is not a quarter: use Q1 2024-25 or a date such as 2024-04-01")


# -- computing --------------------------------------------------------------------------------------
def compute(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Run the method on a connection that has a ``cld`` view; one dict per council, metric, quarter, band."""
    cur = con.execute(waiting_times_sql())
    names = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        r = dict(zip(names, row, strict=True))
        start = r["quarter_start"]
        r.update(quarter_start=start.isoformat(), quarter_end=quarter_end(start).isoformat(),
                 quarter=quarter_label(start), median_days=float(r["median_days"]))
        out.append({k: (int(v) if isinstance(v, float | int) and k not in {"median_days"} and v is not None
                        and not isinstance(v, bool) else v) for k, v in r.items()})
    return out


def _open_cld(store_dir: Path | str, as_of: dt.date | None) -> Store:
    try:
        store = Store(store_dir)
    except StoreError as exc:
        raise WaitingTimesError(str(exc)) from None
    if not store.loads_for("cld", as_of, True):
        raise WaitingTimesError("no CLD file has been loaded into the store yet; load the council's CLD "
                                "returns with 'asc-assure ingest' first")
    return store


def waiting_times(store_dir: Path | str, first: dt.date | None = None, last: dt.date | None = None,
                  as_of: dt.date | None = None, public: bool = False) -> list[dict[str, Any]]:
    """DHSC's medians for every quarter from ``first`` to ``last`` (quarter starts; both optional).

    ``as_of`` chooses which CLD loads are in force (default: the latest). ``public`` applies the
    small-number rule (``domain.suppression``): counts rounded, medians of 1 to 4 waits withheld.
    """
    store = _open_cld(store_dir, as_of)
    con = store.connect(as_of, first_if_later=True, only=("cld",))
    try:
        rows = compute(con)
    finally:
        con.close()
    lo = quarter_start(first) if first else dt.date.min
    hi = quarter_start(last) if last else dt.date.max
    rows = [r for r in rows if lo <= dt.date.fromisoformat(r["quarter_start"]) <= hi]
    return [_public(r) for r in rows] if public else rows


def _public(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    if is_small(row["waits"]):
        out["median_days"] = SUPPRESSED
    for k, v in row.items():
        if isinstance(v, int) and k != "la_code":
            out[k] = public_count(v)
    out["suppressed"] = is_small(row["waits"])
    return out


def table(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per council and quarter, with the four DHSC figures side by side (for screens and Excel)."""
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        key = (r["la_code"], r["quarter_start"])
        item = by_key.setdefault(key, {"la_code": r["la_code"], "quarter_start": r["quarter_start"],
                                       "quarter_end": r["quarter_end"], "quarter": r["quarter"], "cells": {}})
        item["cells"][(r["metric"], r["age_band"])] = {"median_days": r["median_days"], "waits": r["waits"]}
    return [by_key[k] for k in sorted(by_key)]


def reconcile(store_dir: Path | str, first: dt.date | None = None, last: dt.date | None = None,
              as_of: dt.date | None = None, public: bool = False) -> dict[str, Any]:
    """DHSC's quarterly medians beside the council's operational measures for the same quarters.

    The operational figures come from the measure registry (``run_many`` with ``period='quarter'``
    and each quarter's last day as the as-of date): completed-assessment waits in the quarter and the
    waiting list on the quarter's last day.
    """
    from asc_assure.measures.engine import run_many

    rows = waiting_times(store_dir, first, last, as_of, public)
    quarters = table(rows)
    ends = sorted({dt.date.fromisoformat(q["quarter_end"]) for q in quarters})
    operational: dict[str, dict[str, dict[str, Any]]] = {}
    loaded = {m["kind"] for m in Store(store_dir).manifests()}
    if ends and "referrals" in loaded:
        results = run_many(store_dir, ends, period="quarter", ids=list(OPERATIONAL_IDS), trend_points=1,
                           public=public)
        for end, measures in results.items():
            operational[end.isoformat()] = {
                m["id"]: {"value": m["value"], "denominator": m["denominator"], "reason": m["reason"],
                          "title": m["title"], "unit": m["unit"]} for m in measures}
    for q in quarters:
        q["operational"] = operational.get(q["quarter_end"], {})
    return {"quarters": quarters, "rows": rows, "differences": [{"topic": t, "text": x} for t, x in DIFFERENCES],
            "operational_ids": list(OPERATIONAL_IDS), "referrals_loaded": "referrals" in loaded,
            "metrics": list(METRICS), "age_bands": list(AGE_BANDS), "public": public}

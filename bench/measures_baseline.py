"""A straightforward pandas implementation of every shipped measure: the baseline for bench_measures.py.

It reads the store's Parquet loads directly (``store/loads/*/data.parquet``, chosen by kind and as-of
date through each load's ``manifest.json``, as the store's views do) and reproduces each measure's
definition and SQL in ``src/asc_assure/measures/definitions/*.yaml`` with pandas and numpy, for a list of
as-of dates and a weekly period (the seven days ending on the as-of date).

Working days follow the project's rule (``asc_assure.domain.working_days``): the working days after
the start date up to and including the end date, a non-working start counting from the next working
day, never negative. With ``numpy.busday_count`` (which counts ``[begin, end)``) and England's bank
holidays that is ``max(0, busday_count(start + 1, end + 1) - (start is not a working day))``.

Each measure gives its population on a date as a frame (one row per record, with the breakdown
columns and the column its aggregate needs); one aggregator turns that into the overall figure and,
optionally, a figure per breakdown key, as the engine's ``GROUPING SETS`` do. Measures that share a
population in the YAML (the waiting list, open DoLS, the workforce snapshot, ...) share it here too.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from asc_assure.domain.working_days import all_bank_holidays

NOT_RECORDED = "(not recorded)"
ENQUIRY_DECISIONS = ["s42_enquiry", "other_enquiry"]

# Columns the measures read from each extract (the baseline reads only these, plus the business key
# and provenance when rows have to be superseded).
COLUMNS = {
    "referrals": ["team", "locality", "priority", "received_date", "assessment_start_date",
                  "assessment_completed_date", "closed_date"],
    "safeguarding_concerns": ["concern_id", "team", "locality", "received_date", "triage_completed_date",
                              "decision"],
    "safeguarding_enquiries": ["concern_id", "team", "start_date", "allocated_date",
                               "completed_date", "msp_asked", "msp_outcome", "risk_outcome"],
    "dols_applications": ["received_date", "urgent", "urgent_extended", "screening_priority",
                          "completed_date", "outcome"],
    "reviews": ["team", "service_start_date", "service_end_date", "last_review_date",
                "review_completed_date"],
    "brokerage": ["locality", "service_type", "requested_date", "sourced_date", "cancelled_date"],
    "workforce": ["snapshot_date", "team", "role", "headcount", "fte", "vacancies_fte", "agency_fte",
                  "leavers_12m"],
}
KEYS = {"referrals": ["referral_id"], "safeguarding_concerns": ["concern_id"],
        "safeguarding_enquiries": ["enquiry_id"], "dols_applications": ["application_id"],
        "reviews": ["service_id"], "brokerage": ["request_id"], "workforce": ["snapshot_date", "team", "role"]}


def read_kind(store: Path, kind: str, as_of: dt.date) -> pd.DataFrame | None:
    """The rows of a kind in force on ``as_of`` (or from its first extract, if all are later).

    With more than one load in force, the latest version of each business key wins (newest extract
    date, then newest load), as in the store's views; with one load there is nothing to supersede.
    """
    loads = []
    for manifest in sorted((store / "loads").glob("*/manifest.json")):
        m = json.loads(manifest.read_text())
        if m["kind"] == kind:
            loads.append((dt.date.fromisoformat(m["as_of"]), m["seq"], manifest.parent / "data.parquet"))
    if not loads:
        return None
    in_force = [x for x in loads if x[0] <= as_of] or [x for x in loads if x[0] == min(y[0] for y in loads)]
    several = len(in_force) > 1
    extra = ([k for k in KEYS[kind] if k not in COLUMNS[kind]] + ["_as_of", "_load_seq"]) if several else []
    columns = COLUMNS[kind] + extra
    frames = [pd.read_parquet(path, columns=columns, to_pandas_kwargs={"date_as_object": False})
              for _, _, path in in_force]
    df = pd.concat(frames, ignore_index=True) if several else frames[0]
    if several:
        df = (df.sort_values(["_as_of", "_load_seq"], ascending=False)
              .drop_duplicates(KEYS[kind]).drop(columns=extra))
    return df


# -- working days -----------------------------------------------------------------------------------

_HOLIDAYS = np.array([d.isoformat() for d in all_bank_holidays()], dtype="datetime64[D]")
_CALENDAR = np.busdaycalendar(weekmask="1111100", holidays=_HOLIDAYS)


def _days(values: pd.Series | pd.Timestamp) -> np.ndarray:
    """Dates as numpy day numbers (``datetime64[D]``); missing dates become NaT."""
    if isinstance(values, pd.Timestamp):
        return np.datetime64(values.date(), "D")
    return values.to_numpy(dtype="datetime64[D]")


def working_days(start: pd.Series, end: pd.Series | pd.Timestamp) -> pd.Series:
    """Working days elapsed (the project's rule), as floats with NaN where either date is missing."""
    s = _days(start)
    e = np.broadcast_to(_days(end), s.shape)
    ok = ~np.isnat(s) & ~np.isnat(e)
    out = np.full(s.shape, np.nan)
    s_ok, e_ok = s[ok], e[ok]
    one = np.timedelta64(1, "D")
    count = np.busday_count(s_ok + one, e_ok + one, busdaycal=_CALENDAR)
    count -= (~np.is_busday(s_ok, busdaycal=_CALENDAR)).astype(count.dtype)
    out[ok] = np.maximum(count, 0)
    return pd.Series(out, index=start.index)


def due_dates(start: pd.Series, n: int) -> pd.Series:
    """The deadline: the n-th working day after the start (or after the next working day)."""
    s = _days(start)
    ok = ~np.isnat(s)
    out = np.full(s.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    out[ok] = np.busday_offset(s[ok], n, roll="forward", busdaycal=_CALENDAR)
    return pd.Series(pd.to_datetime(out), index=start.index)


def day_diff(a: pd.Series | pd.Timestamp, b: pd.Series | pd.Timestamp) -> pd.Series:
    """``datediff('day', a, b)``: whole days from a to b (NaN where missing)."""
    return (b - a).dt.days


# -- populations ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Spec:
    """What the aggregator needs for one measure: its population, aggregate and breakdowns."""

    id: str
    population: str  # key of a population function (shared between measures with the same SQL)
    aggregate: str  # count | count_if | pct | mean | median | max | ratio
    column: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    breakdowns: tuple[str, ...] = ()


TLP = ("team", "locality", "priority")
TL = ("team", "locality")
T = ("team",)
L = ("locality",)
P = ("priority",)

SPECS = [
    # Waiting list (snapshot)
    Spec("waiting_list.count", "waiting", "count", breakdowns=TLP),
    Spec("waiting_list.longest_wait_days", "waiting", "max", "wait_days", breakdowns=TLP),
    Spec("waiting_list.mean_wait_days", "waiting", "mean", "wait_days", breakdowns=TLP),
    Spec("waiting_list.median_wait_days", "waiting", "median", "wait_days", breakdowns=TLP),
    Spec("waiting_list.pct_prioritised", "waiting", "pct", "prioritised", breakdowns=TL),
    # Assessment (flow)
    Spec("assessment.completed", "assessed", "count", breakdowns=TLP),
    Spec("assessment.request_to_assessment_median_days", "assessed", "median", "days_to_assessment",
         breakdowns=TLP),
    Spec("assessment.referrals_received", "referred", "count", breakdowns=TLP),
    # Safeguarding
    Spec("safeguarding.concerns_received", "concerns", "count", breakdowns=TL),
    Spec("safeguarding.triage_within_2wd_pct", "triage", "pct", "on_time", breakdowns=TL),
    Spec("safeguarding.allocation_within_10wd_pct", "allocation", "pct", "on_time", breakdowns=TL),
    Spec("safeguarding.enquiry_within_20wd_pct", "enquiry20", "pct", "on_time", breakdowns=T),
    Spec("safeguarding.open_enquiries", "open_enquiries", "count", breakdowns=T),
    Spec("safeguarding.open_over_12_weeks", "open_enquiries", "count_if", "over_12_weeks", breakdowns=T),
    Spec("safeguarding.concern_to_enquiry_conversion_pct", "conversion", "pct", "to_enquiry", breakdowns=TL),
    Spec("safeguarding.msp_asked_pct", "msp_asked", "pct", "asked", breakdowns=T),
    Spec("safeguarding.msp_fully_achieved_pct", "msp_fully", "pct", "fully", breakdowns=T),
    Spec("safeguarding.risk_removed_or_reduced_pct", "risk", "pct", "removed_or_reduced", breakdowns=T),
    # DoLS
    Spec("dols.received", "dols_received", "count", breakdowns=P),
    Spec("dols.open", "dols_open", "count", breakdowns=P),
    Spec("dols.open_by_priority", "dols_open", "count", breakdowns=P),
    Spec("dols.standard_within_21d_pct", "dols_standard", "pct", "on_time", breakdowns=P),
    Spec("dols.urgent_within_7d_pct", "dols_urgent", "pct", "on_time", breakdowns=P),
    # Reviews (snapshot)
    Spec("reviews.overdue_pct", "reviews_overdue", "pct", "overdue", breakdowns=T),
    Spec("reviews.reviewed_in_12_months_pct", "reviews_reviewed", "pct", "reviewed", breakdowns=T),
    # Brokerage
    Spec("brokerage.home_care_within_48h_pct", "home_care", "pct", "on_time", breakdowns=L),
    Spec("brokerage.care_home_within_5d_pct", "care_home", "pct", "on_time", breakdowns=L),
    Spec("brokerage.median_days_to_source", "sourced", "median", "days", breakdowns=L),
    # Workforce (latest snapshot on or before the date)
    Spec("workforce.vacancy_rate_pct", "workforce", "ratio", "vacancies_fte", "establishment_fte", 100.0, T),
    Spec("workforce.turnover_pct", "workforce", "ratio", "leavers_12m", "headcount", 100.0, T),
    Spec("workforce.agency_pct", "workforce", "ratio", "agency_fte", "establishment_fte", 100.0, T),
]

SOURCE = {
    "waiting": "referrals", "assessed": "referrals", "referred": "referrals",
    "concerns": "safeguarding_concerns", "triage": "safeguarding_concerns", "conversion": "safeguarding_concerns",
    "allocation": "safeguarding_enquiries", "enquiry20": "safeguarding_enquiries",
    "open_enquiries": "safeguarding_enquiries", "msp_asked": "safeguarding_enquiries",
    "msp_fully": "safeguarding_enquiries", "risk": "safeguarding_enquiries",
    "dols_received": "dols_applications", "dols_open": "dols_applications",
    "dols_standard": "dols_applications", "dols_urgent": "dols_applications",
    "reviews_overdue": "reviews", "reviews_reviewed": "reviews",
    "home_care": "brokerage", "care_home": "brokerage", "sourced": "brokerage", "workforce": "workforce",
}


def _between(s: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    return (s >= start) & (s <= end)


def _on_or_before(s: pd.Series, day: pd.Timestamp) -> pd.Series:
    """``s <= day`` with a missing date counting as not (SQL's NULL in a WHERE or inside coalesce)."""
    return s.notna() & (s <= day)


def _not_yet(s: pd.Series, day: pd.Timestamp) -> pd.Series:
    """``s IS NULL OR s > day``."""
    return s.isna() | (s > day)


def _is_true(s: pd.Series) -> pd.Series:
    """A yes/no column with blanks: true only where it is true (``coalesce(x, false)``)."""
    return s.eq(True).fillna(False).astype(bool)


class Populations:
    """Each measure's rows on one date, built from the extracts (shared populations built once)."""

    def __init__(self, data: dict[str, pd.DataFrame | None]):
        self.data = data
        self.r = data.get("referrals")
        self.c = data.get("safeguarding_concerns")
        self.e = data.get("safeguarding_enquiries")
        self.d = data.get("dols_applications")
        self.v = data.get("reviews")
        self.b = data.get("brokerage")
        self.w = data.get("workforce")
        self._joined: pd.DataFrame | None = None
        self._due_cache: dict[tuple, pd.Series] = {}
        if self.r is not None:
            self.r = self.r.assign(priority=self.r["priority"].fillna("not prioritised"),
                                   prioritised=self.r["priority"].notna())
        if self.d is not None:
            self.d = self.d.assign(priority=self.d["screening_priority"].fillna("not screened"))

    def build(self, name: str, as_of: pd.Timestamp, start: pd.Timestamp) -> pd.DataFrame:
        return getattr(self, name)(as_of, start)

    # Referrals
    def waiting(self, day, start):
        r = self.r
        m = (r["received_date"] <= day) & _not_yet(r["assessment_start_date"], day) & _not_yet(r["closed_date"], day)
        w = r.loc[m, ["team", "locality", "priority", "prioritised", "received_date"]]
        return w.assign(wait_days=day_diff(w["received_date"], day))

    def assessed(self, day, start):
        r = self.r
        a = r.loc[_between(r["assessment_completed_date"], start, day)]
        return a.assign(days_to_assessment=day_diff(a["received_date"], a["assessment_completed_date"]))

    def referred(self, day, start):
        return self.r.loc[_between(self.r["received_date"], start, day)]

    # Safeguarding concerns
    def concerns(self, day, start):
        return self.c.loc[_between(self.c["received_date"], start, day)]

    def _due(self, frame: pd.DataFrame, start_col: str, n: int) -> pd.Series:
        key = (id(frame), start_col, n)
        if key not in self._due_cache:
            self._due_cache[key] = due_dates(frame[start_col], n)
        return self._due_cache[key]

    def triage(self, day, start):
        c = self.c
        c = c.loc[_between(self._due(c, "received_date", 2), start, day)]
        on_time = working_days(c["received_date"], c["triage_completed_date"]) <= 2
        return c.assign(on_time=on_time)

    def conversion(self, day, start):
        c = self.c
        c = c.loc[_between(c["triage_completed_date"], start, day) & c["decision"].notna()]
        return c.assign(to_enquiry=c["decision"].isin(ENQUIRY_DECISIONS))

    # Safeguarding enquiries
    def _enquiries_with_concern(self) -> pd.DataFrame:
        if self._joined is None:
            self._joined = self.e[["concern_id", "team", "allocated_date"]].merge(
                self.c[["concern_id", "locality", "triage_completed_date"]], on="concern_id", how="inner")
        return self._joined

    def allocation(self, day, start):
        j = self._enquiries_with_concern()
        j = j.loc[_between(self._due(j, "triage_completed_date", 10), start, day)]
        on_time = working_days(j["triage_completed_date"], j["allocated_date"]) <= 10
        return j.assign(on_time=on_time)

    def enquiry20(self, day, start):
        e = self.e
        e = e.loc[_between(self._due(e, "allocated_date", 20), start, day)]
        on_time = working_days(e["allocated_date"], e["completed_date"]) <= 20
        return e.assign(on_time=on_time)

    def open_enquiries(self, day, start):
        e = self.e
        o = e.loc[(e["start_date"] <= day) & _not_yet(e["completed_date"], day)]
        return o.assign(over_12_weeks=day_diff(o["start_date"], day) > 84)

    def _completed(self, day, start) -> pd.DataFrame:
        return self.e.loc[_between(self.e["completed_date"], start, day)]

    def msp_asked(self, day, start):
        e = self._completed(day, start)
        return e.assign(asked=_is_true(e["msp_asked"]))

    def msp_fully(self, day, start):
        e = self._completed(day, start)
        e = e.loc[e["msp_outcome"].isin(["fully", "partially", "not_achieved"])]
        return e.assign(fully=e["msp_outcome"] == "fully")

    def risk(self, day, start):
        e = self._completed(day, start)
        e = e.loc[e["risk_outcome"].isin(["removed", "reduced", "remains"])]
        return e.assign(removed_or_reduced=e["risk_outcome"].isin(["removed", "reduced"]))

    # DoLS
    def dols_received(self, day, start):
        return self.d.loc[_between(self.d["received_date"], start, day)]

    def dols_open(self, day, start):
        d = self.d
        return d.loc[(d["received_date"] <= day) & _not_yet(d["completed_date"], day)]

    def _decided(self, day, start, urgent: bool) -> pd.DataFrame:
        d = self.d
        urgent_rows = _is_true(d["urgent"]) if urgent else d["urgent"].eq(False).fillna(False).astype(bool)
        m = _between(d["completed_date"], start, day) & urgent_rows & d["outcome"].isin(["granted", "not_granted"])
        return d.loc[m]

    def dols_standard(self, day, start):
        d = self._decided(day, start, urgent=False)
        return d.assign(on_time=day_diff(d["received_date"], d["completed_date"]) <= 21)

    def dols_urgent(self, day, start):
        d = self._decided(day, start, urgent=True)
        limit = np.where(_is_true(d["urgent_extended"]), 14, 7)
        return d.assign(on_time=day_diff(d["received_date"], d["completed_date"]) <= limit)

    # Reviews (a year before the date: DuckDB's ``date - INTERVAL 12 MONTH``, clipped at month end)
    def _reviews(self, day) -> tuple[pd.DataFrame, pd.Series, pd.Timestamp]:
        v = self.v
        v = v.loc[_not_yet(v["service_end_date"], day)]
        last = v["last_review_date"].where(v["last_review_date"] <= day)
        done = v["review_completed_date"].where(v["review_completed_date"] <= day)
        latest = last.where(last.notna() & (done.isna() | (last >= done)), done)  # greatest(), ignoring NULLs
        return v, latest, day - pd.DateOffset(months=12)

    def reviews_overdue(self, day, start):
        v, latest, year_ago = self._reviews(day)
        keep = v["service_start_date"] <= year_ago
        return v.assign(overdue=latest.isna() | (latest <= year_ago)).loc[keep]

    def reviews_reviewed(self, day, start):
        v, latest, year_ago = self._reviews(day)
        keep = v["service_start_date"] <= day
        return v.assign(reviewed=latest.notna() & (latest > year_ago)).loc[keep]

    # Brokerage (calendar days)
    def _sourcing(self, day, start, service: str, limit: int) -> pd.DataFrame:
        b = self.b
        b = b.loc[_between(b["requested_date"], start, day) & (b["service_type"] == service)
                  & _not_yet(b["cancelled_date"], day)]
        sourced = _on_or_before(b["sourced_date"], day)
        b = b.loc[sourced | (day_diff(b["requested_date"], day) > limit)]
        sourced = _on_or_before(b["sourced_date"], day)
        return b.assign(on_time=sourced & (day_diff(b["requested_date"], b["sourced_date"]) <= limit))

    def home_care(self, day, start):
        return self._sourcing(day, start, "home_care", 2)

    def care_home(self, day, start):
        return self._sourcing(day, start, "care_home", 5)

    def sourced(self, day, start):
        b = self.b.loc[_between(self.b["sourced_date"], start, day)]
        return b.assign(days=day_diff(b["requested_date"], b["sourced_date"]))

    # Workforce
    def workforce(self, day, start):
        w = self.w
        dates = w.loc[w["snapshot_date"] <= day, "snapshot_date"]
        if dates.empty:
            return w.iloc[:0].assign(establishment_fte=pd.Series(dtype=float))
        w = w.loc[w["snapshot_date"] == dates.max()]
        return w.assign(establishment_fte=w["fte"] + w["vacancies_fte"].fillna(0))


# -- aggregation ------------------------------------------------------------------------------------

def _figure(spec: Spec, df: pd.DataFrame) -> float | None:
    """One figure from a population (None where the engine has no figure)."""
    n = len(df)
    if spec.aggregate == "count":
        return float(n)
    if spec.aggregate == "count_if":
        return float(df[spec.column].sum())
    if spec.aggregate == "pct":
        return 100.0 * float(df[spec.column].sum()) / n if n else None
    if spec.aggregate == "ratio":  # SQL's sum() of nothing (or of blanks only) is NULL
        num, den = df[spec.column].sum(min_count=1), df[spec.denominator].sum(min_count=1)
        return None if pd.isna(num) or pd.isna(den) or den == 0 else spec.scale * float(num) / float(den)
    values = df[spec.column].dropna()
    if values.empty:
        return None
    return float({"mean": values.mean, "median": values.median, "max": values.max}[spec.aggregate]())


def _by(spec: Spec, df: pd.DataFrame, dim: str) -> dict[str, float | None]:
    """Figures per breakdown key (a blank key is shown as the engine shows it)."""
    keys = df[dim].astype(object).where(df[dim].notna(), NOT_RECORDED)
    g = df.groupby(keys, sort=True, observed=True)
    if spec.aggregate == "count":
        out = g.size().astype(float)
    elif spec.aggregate == "count_if":
        out = g[spec.column].sum().astype(float)
    elif spec.aggregate == "pct":
        out = 100.0 * g[spec.column].sum() / g.size()
    elif spec.aggregate == "ratio":
        out = spec.scale * g[spec.column].sum(min_count=1) / g[spec.denominator].sum(min_count=1).replace(0, np.nan)
    else:
        out = getattr(g[spec.column], spec.aggregate)()
    return {str(k): (None if pd.isna(v) else float(v)) for k, v in out.items()}


@dataclass
class Figures:
    overall: dict[str, dict[dt.date, float | None]]
    breakdowns: dict[str, dict[dt.date, dict[str, dict[str, float | None]]]]


def run_baseline(store: Path | str, dates: list[dt.date], breakdowns: bool = False,
                 specs: list[Spec] | None = None) -> Figures:
    """Every measure for each date (weekly periods): read the Parquet, build populations, aggregate."""
    store = Path(store)
    specs = specs or SPECS
    latest = max(dates)
    kinds = {SOURCE[s.population] for s in specs}
    if "safeguarding_enquiries" in kinds:
        kinds.add("safeguarding_concerns")  # for the allocation measure's join
    data = {k: read_kind(store, k, latest) for k in sorted(kinds)}
    pops = Populations(data)
    overall: dict[str, dict[dt.date, float | None]] = {s.id: {} for s in specs}
    by_dim: dict[str, dict[dt.date, dict[str, dict[str, float | None]]]] = {s.id: {} for s in specs}
    for day in dates:
        ts, start = pd.Timestamp(day), pd.Timestamp(day - dt.timedelta(days=6))
        cache: dict[str, pd.DataFrame] = {}
        for spec in specs:
            source = SOURCE[spec.population]
            if data[source] is None or (spec.population == "allocation" and data["safeguarding_concerns"] is None):
                overall[spec.id][day] = None
                continue
            if spec.population not in cache:
                cache[spec.population] = pops.build(spec.population, ts, start)
            df = cache[spec.population]
            overall[spec.id][day] = _figure(spec, df)
            if breakdowns:
                by_dim[spec.id][day] = {dim: _by(spec, df, dim) for dim in spec.breakdowns}
    return Figures(overall, by_dim)


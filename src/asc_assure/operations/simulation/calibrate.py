"""Calibrate the demand and capacity model from the council's own history in the store.

Everything is worked out as the data stood on the calibration date (``as_of``): dates after it are
treated as not yet known, so the back-test can calibrate on year one of a two-year extract without
seeing year two. What is measured:

* **Arrivals**: referrals received per week, split by priority. A week-of-year profile (the winter
  peak, Christmas) comes from the ratio of each week to the average, smoothed over neighbouring
  weeks; a trend (growth a year) is fitted only when two full years are available, because with one
  year a trend cannot be told apart from the season. Arrivals are spread over the days of the week
  in the proportions seen.
* **Prioritisation**: days from referral to first contact, when the referral is triaged.
* **Capacity**: Care Act assessments started per working day per assessing FTE (social workers,
  occupational therapists and social care practitioners in the teams that hold referrals, from the
  workforce extract; agency cover counts, vacancies do not) over the last few weeks, so it reflects
  the team as it is now. Without a workforce extract, FTE comes from the staff roster (each worker's
  working days / 5); without either, capacity is assessments started per working day.
* **Assessment duration**: days from assessment start to completion (the empirical distribution).
* **Drop-out**: the chance per day of waiting that a referral closes without an assessment (no
  longer required, moved away, deceased...), by how long the person has waited.
* **Starting list**: the people waiting on ``as_of``, by the waiting-list measure's own rule
  (``measures/definitions/10_waiting_list.yaml``), with how long each has waited and their priority.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from asc_assure.assurance.workspace import WorkspaceError
from asc_assure.domain.working_days import is_working_day

PRIORITIES = ("high", "medium", "low")
WAITING_MEASURE = "waiting_list.count"
ASSESSING_ROLES = ("social worker", "occupational therapist", "social care practitioner")
# Drop-out bands by days waited: [start, end) in days; the last band is open-ended.
DROPOUT_BANDS = (0, 14, 28, 56, 91, 182, 365)
HISTORY_WEEKS = 104
CAPACITY_WEEKS = 52
MIN_WEEKS = 8
MAX_TREND = 0.25  # a fitted trend beyond +/-25% a year is treated as noise and capped


class CalibrationError(WorkspaceError):
    """The store cannot support a calibration (no referrals, too little history...)."""


@dataclass
class Calibration:
    """What the model needs, measured from the store as at ``as_of`` (JSON-able via ``to_dict``)."""

    as_of: dt.date
    history_start: dt.date
    history_weeks: int
    weekly_arrivals: float  # level at as_of, before the week-of-year factor
    season: list[float]  # 53 factors by week of year (day of year // 7)
    weekday_share: list[float]  # Monday..Sunday
    annual_trend_pct: float
    trend_fitted: bool
    priority_share: dict[str, float]
    first_contact_days: list[int]
    capacity_weeks: int
    assessments_started: int  # in the capacity window
    fte: float | None  # assessing FTE on as_of
    fte_source: str | None  # "workforce", "staff_roster" or None
    starts_per_fte_day: float | None  # per working day
    starts_per_working_day: float
    duration_days: list[int]
    dropout_hazard: list[float]  # per day, one per DROPOUT_BANDS entry
    start_received: list[dt.date] = field(repr=False)
    start_priority: list[str | None] = field(repr=False)
    target: float | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def start_waiting(self) -> int:
        return len(self.start_received)

    def summary(self) -> dict[str, Any]:
        """The calibrated figures a user checks before trusting a projection (no per-person rows)."""
        d = asdict(self)
        for k in ("start_received", "start_priority", "first_contact_days", "duration_days", "season", "history"):
            d.pop(k)
        d["as_of"] = self.as_of.isoformat()
        d["history_start"] = self.history_start.isoformat()
        d["start_waiting"] = self.start_waiting
        d["dropout_bands_days"] = list(DROPOUT_BANDS)
        d["duration_median_days"] = float(np.median(self.duration_days)) if self.duration_days else None
        d["first_contact_median_days"] = float(np.median(self.first_contact_days)) if self.first_contact_days else None
        d["weekly_capacity"] = round(self.starts_per_working_day * 5, 1)
        return d


def _week_of_year(day: dt.date) -> int:
    return min((day.timetuple().tm_yday - 1) // 7, 52)


def waiting_sql() -> str:
    """The waiting-list measure's own SQL (one row per person waiting per date in ``periods``)."""
    from asc_assure.measures.registry import load_registry

    return load_registry()[WAITING_MEASURE].sql


def _install_periods(con: Any, dates: list[dt.date]) -> None:
    con.execute("DROP TABLE IF EXISTS periods")
    con.register("_sim_periods", pa.Table.from_pydict({"as_of": dates, "period_start": dates}))
    con.execute("CREATE TABLE periods AS SELECT * FROM _sim_periods")
    con.unregister("_sim_periods")


def weekly_waiting(con: Any, dates: list[dt.date]) -> dict[dt.date, int]:
    """The waiting list on each date, by the measure's definition."""
    if not dates:
        return {}
    _install_periods(con, dates)
    rows = con.execute(f"WITH base AS ({waiting_sql()}) SELECT as_of, count(*) FROM base GROUP BY as_of").fetchall()
    found = {r[0]: int(r[1]) for r in rows}
    return {d: found.get(d, 0) for d in dates}


def open_store(store_dir: Path | str, as_of: dt.date) -> Any:
    """A DuckDB connection over the extracts in force on ``as_of`` (or the first, if loaded later)."""
    from asc_assure.data.store import Store, StoreError

    try:
        store = Store(store_dir)
    except StoreError as exc:
        raise CalibrationError(str(exc)) from exc
    if not any(m["kind"] == "referrals" for m in store.manifests()):
        raise CalibrationError("The store has no referrals extract: load one before running a simulation.")
    return store.connect(as_of, first_if_later=True, only=("referrals", "workforce", "staff_roster", "targets"))


def latest_referrals_date(store_dir: Path | str) -> dt.date:
    """The date of the newest referrals extract: the natural start for a projection."""
    from asc_assure.data.store import Store, StoreError

    try:
        dates = [m["as_of"] for m in Store(store_dir).manifests() if m["kind"] == "referrals"]
    except StoreError as exc:
        raise CalibrationError(str(exc)) from exc
    if not dates:
        raise CalibrationError("The store has no referrals extract: load one before running a simulation.")
    return dt.date.fromisoformat(max(dates))


def _referrals(con: Any, as_of: dt.date) -> dict[str, np.ndarray]:
    """Referral dates as day numbers, each blanked (-1) if after ``as_of``."""
    cols = ("first_contact_date", "assessment_start_date", "assessment_completed_date", "closed_date")
    known = ", ".join(f"CASE WHEN {c} <= $as_of THEN datediff('day', DATE '2000-01-01', {c}) END AS {c}" for c in cols)
    rows = con.execute(
        f"SELECT datediff('day', DATE '2000-01-01', received_date) AS received, priority, {known} "
        "FROM referrals WHERE received_date <= $as_of", {"as_of": as_of}).fetchall()
    if not rows:
        raise CalibrationError(f"No referrals were received on or before {as_of:%d/%m/%Y}: choose a later date.")
    out: dict[str, np.ndarray] = {"received": np.array([r[0] for r in rows], dtype=np.int64),
                                  "priority": np.array([r[1] or "" for r in rows], dtype=object)}
    for i, c in enumerate(cols, start=2):
        out[c] = np.array([-1 if r[i] is None else r[i] for r in rows], dtype=np.int64)
    return out


def _day(d: dt.date) -> int:
    return (d - dt.date(2000, 1, 1)).days


def _date(n: int) -> dt.date:
    return dt.date(2000, 1, 1) + dt.timedelta(days=int(n))


def _history_start(received: np.ndarray, as_of: dt.date, weeks: int) -> tuple[dt.date, np.ndarray]:
    """First day of complete history in the window, and weekly arrivals from it (oldest first).

    An extract often holds only the referrals still open from before its range (the list carried in),
    which makes its first weeks look quiet; weeks are dropped from the start until four weeks in a row
    average at least 80% of the median week's referrals.
    """
    end = _day(as_of)
    first = max(int(received.min()), end - 7 * weeks + 1)
    n_weeks = (end - first + 1) // 7
    if n_weeks < MIN_WEEKS:
        raise CalibrationError(f"The referrals extract holds {max(n_weeks, 0)} full week(s) of history before "
                               f"{as_of:%d/%m/%Y}; at least {MIN_WEEKS} are needed to calibrate.")
    start = end - 7 * n_weeks + 1
    counts = np.bincount((received[received >= start] - start) // 7, minlength=n_weeks)[:n_weeks]
    floor = 0.8 * float(np.median(counts))
    runs = np.convolve(counts, np.ones(4) / 4, mode="valid")
    skip = int(np.argmax(runs >= floor)) if floor > 0 and (runs >= floor).any() else 0
    if n_weeks - skip < MIN_WEEKS:
        skip = n_weeks - MIN_WEEKS
    return _date(start + 7 * skip), counts[skip:].astype(float)


def _season_and_trend(start: dt.date, counts: np.ndarray) -> tuple[list[float], float, bool, float]:
    """Week-of-year factors, the annual trend (as a fraction), whether it was fitted, and the level."""
    n = len(counts)
    t_years = (np.arange(n) - (n - 1)) * 7 / 365.25  # 0 at the last week
    fitted = n >= 104 and counts.min() > 0
    b = 0.0
    if fitted:
        b = float(np.polyfit(t_years, np.log(counts), 1)[0])
        b = float(np.clip(b, np.log(1 - MAX_TREND), np.log(1 + MAX_TREND)))
    detrended = counts / np.exp(b * t_years)
    mean = float(detrended.mean()) or 1.0
    ratio_sum, ratio_n = np.zeros(53), np.zeros(53)
    for i, r in enumerate(detrended / mean):
        w = _week_of_year(start + dt.timedelta(days=7 * i + 3))
        ratio_sum[w] += r
        ratio_n[w] += 1
    raw = np.where(ratio_n > 0, ratio_sum / np.maximum(ratio_n, 1), np.nan)
    season = np.ones(53)
    for w in range(53):  # smooth over 5 neighbouring weeks of the year (circular), ignoring unseen weeks
        near = [raw[(w + k) % 53] for k in range(-2, 3)]
        seen = [x for x in near if not np.isnan(x)]
        season[w] = float(np.mean(seen)) if seen else 1.0
    seen_weeks = [_week_of_year(start + dt.timedelta(days=7 * i + 3)) for i in range(n)]
    season /= float(np.mean(season[seen_weeks]))
    level = float(np.mean(detrended / season[seen_weeks]))
    return [round(float(s), 4) for s in season], float(np.exp(b) - 1), fitted, level


def _dropout_hazard(ref: dict[str, np.ndarray], start: int, end: int) -> list[float]:
    """Closures without assessment per day waited, by band, over the history window."""
    received = ref["received"]
    began, closed = ref["assessment_start_date"], ref["closed_date"]
    stop = np.full(len(received), end + 1)
    stop = np.where(began >= 0, np.minimum(stop, began), stop)
    stop = np.where(closed >= 0, np.minimum(stop, closed), stop)
    left = (closed >= 0) & (began < 0) & (closed >= start) & (closed <= end)
    left_wait = (closed - received)[left]
    hazard = []
    for lo, hi in itertools.pairwise([*DROPOUT_BANDS, 10**6]):
        a = np.maximum(received + lo, start)
        b = np.minimum(received + hi, stop)
        exposure = float(np.clip(b - a, 0, None).sum())
        events = int(((left_wait >= lo) & (left_wait < hi)).sum())
        hazard.append(events / exposure if exposure > 0 else 0.0)
    return [round(h, 6) for h in hazard]


def _assessing_fte(con: Any, as_of: dt.date, teams: list[str]) -> tuple[dict[dt.date, float], str | None]:
    """Assessing FTE by snapshot date (workforce), else from the roster; empty if neither is loaded."""
    roles = " OR ".join(f"lower(role) LIKE '%{r}%'" for r in ASSESSING_ROLES)
    rows = con.execute(
        f"SELECT snapshot_date, sum(fte + coalesce(agency_fte, 0)) FROM workforce "
        f"WHERE snapshot_date <= $as_of AND ({roles}) AND team IN (SELECT unnest($teams)) "
        "GROUP BY snapshot_date ORDER BY snapshot_date", {"as_of": as_of, "teams": teams}).fetchall()
    if rows:
        return {r[0]: float(r[1]) for r in rows}, "workforce"
    rows = con.execute(
        "SELECT sum(len(string_split(working_days, ';')) / 5.0) FROM staff_roster "
        "WHERE (start_date IS NULL OR start_date <= $as_of) AND (end_date IS NULL OR end_date >= $as_of) "
        "AND team IN (SELECT unnest($teams))", {"as_of": as_of, "teams": teams}).fetchall()
    if rows and rows[0][0]:
        return {as_of: float(rows[0][0])}, "staff_roster"
    return {}, None


def _fte_on(series: dict[dt.date, float], day: dt.date) -> float | None:
    known = [d for d in series if d <= day]
    if known:
        return series[max(known)]
    return series[min(series)] if series else None


def _target(con: Any, as_of: dt.date) -> float | None:
    from asc_assure.measures.engine import Targets
    from asc_assure.measures.registry import load_registry

    return Targets(con).for_(load_registry()[WAITING_MEASURE], as_of).target


def calibrate(store_dir: Path | str, as_of: dt.date | None = None, history_weeks: int = HISTORY_WEEKS,
              capacity_weeks: int = CAPACITY_WEEKS) -> Calibration:
    """Measure arrivals, capacity, durations, drop-out and the starting list as at ``as_of``.

    ``as_of`` defaults to the date of the newest referrals extract.
    """
    as_of = as_of or latest_referrals_date(store_dir)
    con = open_store(store_dir, as_of)
    try:
        ref = _referrals(con, as_of)
        start, counts = _history_start(ref["received"], as_of, history_weeks)
        season, trend, fitted, level = _season_and_trend(start, counts)
        s, e = _day(start), _day(as_of)
        in_window = ref["received"] >= s
        weekday = np.bincount([(_date(int(d)).weekday()) for d in ref["received"][in_window]], minlength=7)
        prio = ref["priority"][in_window]
        known = np.array([p in PRIORITIES for p in prio])
        if not known.any():
            raise CalibrationError("No referral in the history has a priority (high, medium or low); the model "
                                   "needs the priority mix.")
        share = {p: float((prio == p).sum() / known.sum()) for p in PRIORITIES}
        fc = ref["first_contact_date"]
        contact = (fc - ref["received"])[in_window & (fc >= 0)]
        cap_start = max(s, e - 7 * capacity_weeks + 1)
        began = ref["assessment_start_date"]
        started = int(((began >= cap_start) & (began <= e)).sum())
        days = [_date(d) for d in range(cap_start, e + 1)]
        working = [d for d in days if is_working_day(d)]
        teams = [r[0] for r in con.execute("SELECT DISTINCT team FROM referrals WHERE team IS NOT NULL").fetchall()]
        fte_series, fte_source = _assessing_fte(con, as_of, teams)
        fte_days = sum(_fte_on(fte_series, d) or 0.0 for d in working) if fte_series else 0.0
        done = ref["assessment_completed_date"]
        duration = (done - began)[(done >= s) & (began >= 0)]
        waiting_rows = _start_list(con, as_of)
        history_dates = [as_of - dt.timedelta(days=7 * k) for k in range((e - s + 1) // 7 - 1, -1, -1)]
        history = [{"week_ending": d.isoformat(), "waiting": n} for d, n in weekly_waiting(con, history_dates).items()]
        target = _target(con, as_of)
    finally:
        con.close()
    fte_now = _fte_on(fte_series, as_of) if fte_series else None
    return Calibration(
        as_of=as_of, history_start=start, history_weeks=len(counts), weekly_arrivals=round(level, 3),
        season=season, weekday_share=[round(float(x), 4) for x in weekday / max(weekday.sum(), 1)],
        annual_trend_pct=round(100 * trend, 2), trend_fitted=bool(fitted), priority_share=share,
        first_contact_days=sorted(int(x) for x in contact), capacity_weeks=(e - cap_start + 1) // 7,
        assessments_started=started, fte=None if fte_now is None else round(fte_now, 2), fte_source=fte_source,
        starts_per_fte_day=(started / fte_days) if fte_days > 0 else None,
        starts_per_working_day=started / max(len(working), 1),
        duration_days=sorted(int(x) for x in duration), dropout_hazard=_dropout_hazard(ref, s, e),
        start_received=[r[0] for r in waiting_rows], start_priority=[r[1] for r in waiting_rows],
        target=target, history=history)


def _start_list(con: Any, as_of: dt.date) -> list[tuple[dt.date, str | None]]:
    """Who is waiting on ``as_of`` (received date and priority), oldest first, by the measure's rule."""
    _install_periods(con, [as_of])
    rows = con.execute(f"WITH base AS ({waiting_sql()}) SELECT wait_days, priority FROM base "
                       "ORDER BY wait_days DESC, priority").fetchall()
    return [(as_of - dt.timedelta(days=int(w)), p if p in PRIORITIES else None) for w, p in rows]

"""Build a scheduling problem from the store: the waiting list, the roster and booked leave.

The waiting list on the plan's first day is every referral received on or before it, with no
assessment started by then and not closed by then (the data contract's definition). Workers'
capacity on each plan day is their assessments per working day if the day is one of their working
days, inside their start and end dates and not inside a booked leave period; bank holidays are never
plan days. Only pseudonymised keys leave the store (referral, person and worker pseudonyms).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from asc_assure.data.store import Store, StoreError

from .model import Instance, Person, Worker, plan_days, waits_at
from .settings import PRIORITIES, ScheduleError, Settings

WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
MAX_DAYS = 130  # half a year of working days


def _open(store_dir: Path, as_of: dt.date):
    try:
        store = Store(store_dir)
    except StoreError as exc:
        raise ScheduleError(str(exc)) from None
    return store, store.connect(as_of, first_if_later=True, only=("referrals", "staff_roster", "staff_leave"))


def load_instance(store_dir: Path | str, start: dt.date, days: int, settings: Settings,
                  teams: Iterable[str] | None = None) -> Instance:
    """The problem for ``days`` working days from ``start`` (``teams``: only these teams; None: all)."""
    if not 1 <= days <= MAX_DAYS:
        raise ScheduleError(f"days must be between 1 and {MAX_DAYS} working days, not {days}")
    horizon = plan_days(start, days)
    first, last = horizon[0], horizon[-1]
    wanted = sorted(set(teams)) if teams is not None else None
    _store, con = _open(Path(store_dir), first)
    team_sql, params = "", []
    if wanted is not None:
        team_sql = f" AND team IN ({', '.join('?' for _ in wanted)})"
        params = list(wanted)
    roster = con.execute(
        "SELECT worker_id, discipline, team, localities, working_days, assessments_per_day, start_date, end_date "
        "FROM staff_roster WHERE (end_date IS NULL OR end_date >= ?) AND (start_date IS NULL OR start_date <= ?)"
        f"{team_sql} ORDER BY worker_id", [first, last, *params]).fetchall()
    if not roster:
        scope = f" for {', '.join(wanted)}" if wanted else ""
        raise ScheduleError(f"no staff roster is loaded{scope} for {first:%d/%m/%Y} to {last:%d/%m/%Y}: load a "
                            "staff_roster extract (see docs/data-contract.md) before planning appointments")
    leave = con.execute("SELECT worker_id, leave_start, leave_end FROM staff_leave WHERE leave_end >= ? "
                        "AND leave_start <= ?", [first, last]).fetchall()
    referrals = con.execute(
        "SELECT referral_id, person_id, priority, discipline_needed, team, locality, received_date FROM referrals "
        "WHERE received_date <= ? AND (assessment_start_date IS NULL OR assessment_start_date > ?) "
        f"AND (closed_date IS NULL OR closed_date > ?){team_sql} ORDER BY received_date, referral_id",
        [first, first, first, *params]).fetchall()
    con.close()
    away: dict[str, list[tuple[dt.date, dt.date]]] = {}
    for wid, a, b in leave:
        away.setdefault(wid, []).append((a, b))
    workers = tuple(_worker(row, horizon, away.get(row[0], [])) for row in roster)
    waits = waits_at((r[6] for r in referrals), first)
    people = tuple(
        Person(key=rid, person=pid, priority=prio if prio in PRIORITIES else settings.unprioritised,
               need=need or settings.undisciplined, team=team, locality=loc or None, received=rec,
               base_wait=waits[rec])
        for rid, pid, prio, need, team, loc, rec in referrals)
    return Instance(horizon, people, workers, settings)


def _worker(row: tuple, horizon: tuple[dt.date, ...], leave: list[tuple[dt.date, dt.date]]) -> Worker:
    wid, discipline, team, localities, pattern, per_day, start, end = row
    days = {WEEKDAYS[d.strip().lower()[:3]] for d in pattern.split(";") if d.strip()}
    cap = []
    for day in horizon:
        working = day.weekday() in days and (start is None or day >= start) and (end is None or day <= end)
        away = any(a <= day <= b for a, b in leave)
        cap.append(int(per_day) if working and not away else 0)
    locs = tuple(x.strip() for x in localities.split(";") if x.strip())
    return Worker(wid, discipline, team, locs, tuple(cap))


def teams_in(store_dir: Path | str, as_of: dt.date) -> list[str]:
    """Teams with a rostered assessing worker (the teams a plan can be made for)."""
    try:
        _store, con = _open(Path(store_dir), as_of)
    except ScheduleError:
        return []
    try:
        return [r[0] for r in con.execute("SELECT DISTINCT team FROM staff_roster ORDER BY team").fetchall()]
    finally:
        con.close()

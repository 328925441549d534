"""Appointment-setting optimiser: give everyone on the assessment waiting list an appointment.

``run_schedule(store, start, days, teams)`` reads the waiting list (referrals), the staff roster and
booked leave from the store, plans N working days with the first-in first-out baseline and with the
optimiser, checks both plans with an independent checker and returns metrics side by side and the
plan rows (pseudonymised keys only). See docs/scheduling.md.
"""

from __future__ import annotations

from .service import CSV_COLUMNS, ScheduleResult, plan_instance, run_schedule
from .settings import ScheduleError, Settings, load_settings

__all__ = ["CSV_COLUMNS", "ScheduleError", "ScheduleResult", "Settings", "load_settings", "plan_instance",
           "run_schedule"]

"""KPI commentary: what the service says about a measure in a month, carried into the monthly report.

The council's Business Management and Monitoring Report shows each performance exception (Red, or
Amber for two months or more) with "supporting commentary from the Directorate": why the figure is
where it is and what is being done. That text is written by people, so it lives in the assurance
workspace, one thread per measure per month.

Why versions: commentary is edited as the report is drafted and challenged, and a published report
must be able to say whose words it carried. Every save adds a version (nothing is overwritten); the
report uses the latest, and the history keeps who wrote each earlier wording and when.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from asc_assure.assurance.workspace import Workspace, WorkspaceError, rows, utc_now

ENTITY = "kpi_commentary"
MAX_LENGTH = 4000
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: Any, field: str = "month") -> str:
    """A reporting month as ``YYYY-MM``; anything else is refused with the value named."""
    text = str(value or "").strip()
    match = _MONTH.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise WorkspaceError(f"{field} {text!r} is not a month: use the form YYYY-MM, for example 2025-03")
    return text


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of a ``YYYY-MM`` month."""
    year, mon = (int(x) for x in parse_month(month).split("-"))
    first = dt.date(year, mon, 1)
    following = dt.date(year + (mon == 12), mon % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def month_label(month: str) -> str:
    """``2025-03`` -> ``March 2025``, as the council's reports name their months."""
    first, _ = month_bounds(month)
    return f"{first:%B %Y}"


def shift_month(month: str, months: int) -> str:
    """The month ``months`` later (negative for earlier)."""
    year, mon = (int(x) for x in parse_month(month).split("-"))
    y, m = divmod(year * 12 + mon - 1 + months, 12)
    return f"{y:04d}-{m + 1:02d}"


def _known_measures() -> dict[str, Any]:
    from asc_assure.measures.registry import load_registry

    return load_registry()


def clean_text(value: Any) -> str:
    """Commentary text: required, trimmed, at most MAX_LENGTH characters, Windows line ends unified."""
    text = str(value or "").replace("\r\n", "\n").strip()
    if not text:
        raise WorkspaceError("commentary text is empty: write what explains the figure and what is being done")
    if len(text) > MAX_LENGTH:
        raise WorkspaceError(f"commentary text is {len(text):,} characters long: keep it to {MAX_LENGTH:,} or fewer")
    return text


def write_commentary(ws: Workspace, actor: str, measure_id: str, month: str, text: str,
                     written_at: str | None = None) -> dict[str, Any]:
    """Save a new version of the commentary for ``measure_id`` in ``month`` and return it.

    Saving the same words as the latest version changes nothing (no empty versions in the history).
    ``written_at`` is for loading past commentary (e.g. the demo); people's saves are stamped now.
    """
    month = parse_month(month)
    mid = str(measure_id or "").strip()
    if mid not in _known_measures():
        raise WorkspaceError(f"measure {mid!r} is not in the measure registry")
    body = clean_text(text)
    with ws.transaction() as con:
        latest = con.execute(
            "SELECT * FROM kpi_commentary WHERE measure_id = ? AND month = ? ORDER BY version DESC LIMIT 1",
            (mid, month)).fetchone()
        if latest is not None and latest["text"] == body:
            return dict(latest)
        version = 1 if latest is None else latest["version"] + 1
        stamp = written_at or utc_now()
        cur = con.execute(
            "INSERT INTO kpi_commentary (measure_id, month, version, text, author, written_at) "
            "VALUES (?, ?, ?, ?, ?, ?)", (mid, month, version, body, str(actor), stamp))
        Workspace.log(con, actor, ENTITY, f"{mid}@{month}", "create" if version == 1 else "revise",
                      version=version, characters=len(body))
        row = con.execute("SELECT * FROM kpi_commentary WHERE id = ?", (cur.lastrowid,)).fetchone()
    return dict(row)


def latest_commentary(ws: Workspace, month: str) -> dict[str, dict[str, Any]]:
    """The current commentary of every measure that has some for ``month``, by measure id.

    Each carries ``versions`` (how many there are) so a reader can tell it has been revised.
    """
    month = parse_month(month)
    with ws.read() as con:
        found = rows(con.execute(
            "SELECT c.*, (SELECT count(*) FROM kpi_commentary v WHERE v.measure_id = c.measure_id "
            "AND v.month = c.month) AS versions FROM kpi_commentary c WHERE c.month = ? AND c.version = "
            "(SELECT max(version) FROM kpi_commentary m WHERE m.measure_id = c.measure_id AND m.month = c.month)",
            (month,)))
    return {r["measure_id"]: r for r in found}


def get_commentary(ws: Workspace, measure_id: str, month: str) -> dict[str, Any] | None:
    """The latest version for one measure and month, or None when nobody has written any."""
    return latest_commentary(ws, month).get(measure_id)


def commentary_history(ws: Workspace, measure_id: str, month: str) -> list[dict[str, Any]]:
    """Every version for one measure and month, newest first."""
    month = parse_month(month)
    with ws.read() as con:
        return rows(con.execute(
            "SELECT * FROM kpi_commentary WHERE measure_id = ? AND month = ? ORDER BY version DESC",
            (measure_id, month)))


def previous_commentary(ws: Workspace, measure_id: str, month: str) -> dict[str, Any] | None:
    """The latest commentary for the measure in an earlier month: a starting point for this month's."""
    month = parse_month(month)
    with ws.read() as con:
        found = rows(con.execute(
            "SELECT * FROM kpi_commentary WHERE measure_id = ? AND month < ? "
            "ORDER BY month DESC, version DESC LIMIT 1", (measure_id, month)))
    return found[0] if found else None


# -- demo --------------------------------------------------------------------------------------------------
# What an officer would write for each headline measure when it is an exception: the reason and the
# action, never a figure (the report shows the figures beside the words, from the measures).
DEMO_AUTHORS = {
    "waiting_list": "performance-analyst", "assessment": "team-manager", "safeguarding": "team-manager",
    "dols": "team-manager", "reviews": "team-manager", "brokerage": "performance-analyst",
    "workforce": "assurance-lead",
}
DEMO_TEXT: dict[str, tuple[str, ...]] = {
    "waiting_list.count": (
        "Referrals have arrived faster than assessments could be allocated. The "
        "locality teams have moved to daily allocation meetings and agency assessors are covering "
        "vacant posts until the new starters complete induction.",
        "The list is being worked in priority order. Everyone waiting has had a contact call and a named "
        "worker to call if things change; the duty team is reviewing the longest waits weekly.",
    ),
    "waiting_list.longest_wait_days": (
        "A small number of people with lower-priority needs have waited longest while urgent hospital "
        "discharge work took precedence. Each long wait has been reviewed by a team manager and a "
        "wellbeing call made; those still appropriate will be allocated through the Saturday clinics.",
        "The longest waits are people whose needs were judged stable at triage. Team managers now review "
        "every wait over six weeks at the weekly allocation meeting and record the decision on the case.",
    ),
    "assessment.request_to_assessment_median_days": (
        "Time to assessment remains above target because of practitioner vacancies in some locality teams. "
        "Recruitment is under way, and the strengths-based conversation at first contact is resolving "
        "some needs without a full Care Act assessment.",
        "Assessment capacity has been moved to the teams with the longest queues and a trusted assessor "
        "arrangement with the reablement service is being piloted. The service expects improvement to "
        "show once the new practitioners carry full caseloads.",
    ),
    "safeguarding.triage_within_2wd_pct": (
        "Concerns arriving late on Fridays and before bank holidays are the main cause of triage falling "
        "outside two working days. The safeguarding hub has added a senior practitioner to the Friday rota.",
        "Triage timeliness is improving but remains just below target. Late-week concerns are now "
        "screened the same day by the hub's duty senior and the rota change is being kept under review.",
    ),
    "safeguarding.open_over_12_weeks": (
        "A group of complex enquiries involving provider concerns remains open while partner "
        "investigations conclude. Each has a plan agreed with the lead agency and is reviewed monthly by "
        "the safeguarding service manager.",
        "The service manager is reviewing every enquiry open over twelve weeks with the allocated worker. "
        "Enquiries that are waiting only for partner outcomes are being escalated through the "
        "Safeguarding Adults Board's operational group.",
    ),
    "dols.standard_within_21d_pct": (
        "Demand for standard authorisations continues to exceed Best Interests Assessor capacity, in "
        "line with the national picture. Applications are screened on receipt using the ADASS priority "
        "tool so that the highest-risk applications are completed first.",
        "Additional assessments have been commissioned from independent Best Interests Assessors and the "
        "team is running a backlog clinic each week. Care homes have been reminded how to request an "
        "urgent authorisation when circumstances change.",
    ),
    "reviews.overdue_pct": (
        "Annual reviews fell behind while practitioners prioritised new assessments and hospital "
        "discharges. A dedicated review team has been set up and is working through the oldest overdue "
        "reviews first, starting with people in residential care.",
        "The review team is now fully staffed and providers are completing self-reviews for people with "
        "stable packages, with a practitioner signing off each one. Progress is reported to the Adults "
        "Extended Leadership Team each month.",
    ),
    "brokerage.home_care_within_48h_pct": (
        "Home care capacity is tight in rural areas, where the time to start a package is longest. "
        "Brokerage is working with providers on rounds in those areas and bridging support is offered "
        "through reablement while a package is sourced.",
        "The new home care framework is in its first months and more providers are taking rural packages. "
        "Brokerage escalates any package not placed within two days to the commissioning lead.",
    ),
    "workforce.vacancy_rate_pct": (
        "Vacancies remain highest among qualified social workers and occupational therapists. The "
        "recruitment campaign and the apprenticeship route continue, and agency use is reviewed monthly "
        "against the workforce plan.",
        "Several offers have been accepted and new starters join over the next two months. Retention "
        "payments for hard-to-fill roles are being considered as part of the workforce strategy.",
    ),
}


def seed_demo(ws: Workspace, store_dir: Path, today: dt.date) -> None:
    """Commentary for the demo's exceptions in the three months to ``today``, as officers write it.

    Which measures are exceptions comes from the measures themselves, so the demo never claims an
    exception the figures do not show. In the latest month the first exception's commentary is
    revised by the assurance lead, so the history shows two versions. A measure and month that
    already has commentary is left alone, so running it again adds nothing.
    """
    from asc_assure.reports.monthly import kpi_rows, month_as_of

    last = f"{today:%Y-%m}"
    for step, month in enumerate(shift_month(last, k) for k in (-2, -1, 0)):
        as_of = min(month_as_of(store_dir, month), today)
        written = dt.datetime.combine(as_of, dt.time(16, 0), dt.UTC) - dt.timedelta(days=2)
        existing = latest_commentary(ws, month)
        exceptions = [k for k in kpi_rows(store_dir, month, as_of) if k["exception"] and k["id"] in DEMO_TEXT]
        for n, kpi in enumerate(exceptions):
            if kpi["id"] in existing:
                continue
            texts = DEMO_TEXT[kpi["id"]]
            author = DEMO_AUTHORS.get(kpi["id"].split(".", 1)[0], "assurance-lead")
            stamp = (written + dt.timedelta(minutes=17 * n)).isoformat()
            write_commentary(ws, author, kpi["id"], month, texts[step % len(texts)], written_at=stamp)
            if month == last and n == 0:
                revised = texts[step % len(texts)] + " The Director has asked for an update at next month's " \
                                                     "performance meeting."
                write_commentary(ws, "assurance-lead", kpi["id"], month, revised,
                                 written_at=(written + dt.timedelta(days=1)).isoformat())

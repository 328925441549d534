"""Operational extracts as typed polars frames, censored at the extract date.

Each builder turns a stream's arrays into the contract's columns. Dates later than the extract date
are blank, and so is anything that depends on them (a decision not yet made, an outcome of an
enquiry not yet completed), so every contract rule holds in the files as written.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .brokerage import SERVICE_TYPES as BROKER_TYPES
from .context import Context
from .dols import OUTCOMES as DOLS_OUTCOMES
from .dols import PRIORITIES as DOLS_PRIORITIES
from .dols import SETTINGS, Dols
from .geography import Geography
from .longterm import SETTING_NAMES, Packages
from .people import SEX_VALUES, ids, label_list, labels
from .referrals import CLOSURE_REASONS, DISCIPLINES, PRIORITIES, SOURCES, Referrals
from .safeguarding import ABUSE, DECISIONS, LOCATIONS, MSP, RISK, Safeguarding
from .safeguarding import SOURCES as SG_SOURCES
from .workdays import NEVER


def dates(days: np.ndarray, end: int) -> pl.Series:
    """Day numbers as a Date series, blank when NEVER or after ``end``."""
    d = np.asarray(days, dtype=np.int64)
    s = pl.Series(np.where(d > end, 0, d).astype(np.int32))
    return pl.select(pl.when(pl.Series(d <= end)).then(s).otherwise(None).cast(pl.Date)).to_series()


def floats(values: np.ndarray) -> pl.Series:
    """Floats with NaN written blank."""
    return pl.Series(np.asarray(values, dtype=np.float64)).fill_nan(None)


def yes_no(flag: np.ndarray, show: np.ndarray | None = None) -> pl.Series:
    out = np.where(np.asarray(flag, dtype=bool), "Y", "N").astype(object)
    if show is not None:
        out = np.where(show, out, None)
    return pl.Series(out.tolist(), dtype=pl.Utf8)


def _names(values: tuple[str, ...] | list[str], codes: np.ndarray) -> pl.Series:
    return labels(tuple(values), codes)


def people_frame(ctx: Context) -> pl.DataFrame:
    p = ctx.people
    c = p.cols
    return pl.DataFrame({
        "person_id": p.person_ids(), "nhs_number": p.nhs_strings(), "date_of_birth": dates(c["dob"], ctx.end),
        "date_of_death": dates(c["death"], ctx.end), "sex": _names(SEX_VALUES, c["sex"]),
        "ethnicity": _names(label_list("cld_ethnicity"), c["ethnicity"]), "postcode": p.postcodes(),
        "lsoa_code": pl.Series(ctx.geo.lsoa_code[c["lsoa"]].tolist(), dtype=pl.Utf8),
        "primary_support_reason": _names(label_list("cld_primary_support_reason"), c["psr"]),
    }).sort("person_id")


def referrals_frame(ctx: Context, r: Referrals) -> pl.DataFrame:
    p, geo, end = ctx.people, ctx.geo, ctx.end
    closed = np.where(r.closed <= end, r.closed, NEVER)
    return pl.DataFrame({
        "referral_id": ids("R", r.num, 7), "person_id": p.person_ids(r.person), "nhs_number": p.nhs_strings(r.person),
        "received_date": dates(r.received, end), "team": _names(geo.teams, r.team),
        "locality": _names(geo.localities, referral_locality(ctx, r)),
        "priority": _names(PRIORITIES, r.priority), "discipline_needed": _names(DISCIPLINES, r.discipline),
        "referral_source": _names(SOURCES, r.source), "first_contact_date": dates(r.first_contact, end),
        "assessment_start_date": dates(r.assess_start, end), "assessment_completed_date": dates(r.assess_done, end),
        "closed_date": dates(closed, end), "closure_reason": _names(CLOSURE_REASONS, np.where(closed < NEVER,
                                                                                             r.closure, -1)),
    })


def _loc(geo: Geography, team: int) -> int:
    loc = geo.team_locality[team]
    return geo.localities.index(loc) if loc is not None else -1


def referral_locality(ctx: Context, r: Referrals) -> np.ndarray:
    """Locality of the team, or of the person for central teams."""
    team_loc = np.array([_loc(ctx.geo, t) for t in range(len(ctx.geo.teams))], dtype=np.int64)[r.team]
    return np.where(team_loc >= 0, team_loc, ctx.people.locality(r.person))


def concerns_frame(ctx: Context, s: Safeguarding) -> pl.DataFrame:
    p, geo, end = ctx.people, ctx.geo, ctx.end
    triaged = s.triage <= end
    numbers = np.append(s.e_num, -1)  # -1 for concerns without an enquiry
    enquiry_num = np.where(triaged, numbers[np.where(s.c_enquiry >= 0, s.c_enquiry, len(s.e_num))], -1)
    enq = ids("SE", np.maximum(enquiry_num, 0), 7)
    enq = pl.select(pl.when(pl.Series(enquiry_num >= 0)).then(enq)).to_series()
    return pl.DataFrame({
        "concern_id": ids("SC", s.c_num, 7), "person_id": p.person_ids(s.c_person),
        "nhs_number": p.nhs_strings(s.c_person), "received_date": dates(s.received, end),
        "urgent": yes_no(s.urgent), "source": _names(SG_SOURCES, s.source), "team": _names(geo.teams, s.c_team),
        "locality": _names(geo.localities, p.locality(s.c_person)), "triage_completed_date": dates(s.triage, end),
        "decision": _names(DECISIONS, np.where(triaged, s.decision, -1)), "enquiry_id": enq,
        "closed_date": dates(s.c_closed, end),
    })


def enquiries_frame(ctx: Context, s: Safeguarding) -> pl.DataFrame:
    p, geo, end = ctx.people, ctx.geo, ctx.end
    person = s.c_person[s.e_concern]
    allocated = s.allocated <= end
    done = s.completed <= end
    return pl.DataFrame({
        "enquiry_id": ids("SE", s.e_num, 7), "concern_id": ids("SC", s.c_num[s.e_concern], 7),
        "person_id": p.person_ids(person), "nhs_number": p.nhs_strings(person),
        "enquiry_type": _names(DECISIONS, s.e_type), "team": _names(geo.teams, s.e_team),
        "abuse_type": _names(ABUSE, s.abuse), "location_of_risk": _names(LOCATIONS, s.location[s.e_concern]),
        "start_date": dates(s.e_start, end), "allocated_date": dates(s.allocated, end),
        "completed_date": dates(s.completed, end), "msp_asked": yes_no(s.msp_asked, allocated),
        "msp_outcome": _names(MSP, np.where(done & allocated, s.msp_outcome, -1)),
        "risk_outcome": _names(RISK, np.where(done, s.risk, -1)),
    })


def dols_frame(ctx: Context, d: Dols) -> pl.DataFrame:
    p, end = ctx.people, ctx.end
    done = d.completed <= end
    ext = np.where(d.urgent & done, d.urgent_extended, np.where(d.urgent, -1, 0))
    return pl.DataFrame({
        "application_id": ids("D", d.num, 7), "person_id": p.person_ids(d.person),
        "nhs_number": p.nhs_strings(d.person),
        "received_date": dates(d.received, end), "urgent": yes_no(d.urgent),
        "urgent_extended": yes_no(ext == 1, ext >= 0), "setting": _names(SETTINGS, d.setting),
        "managing_authority": pl.Series(d.authority.tolist(), dtype=pl.Utf8),
        "screening_priority": _names(DOLS_PRIORITIES, d.priority), "allocated_date": dates(d.allocated, end),
        "completed_date": dates(d.completed, end), "outcome": _names(DOLS_OUTCOMES, np.where(done, d.outcome, -1)),
        "authorisation_end_date": dates(np.where(done, d.authorisation_end, NEVER), NEVER - 1),
    })


def reviews_frame(ctx: Context, pk: Packages, table: dict[str, np.ndarray]) -> pl.DataFrame:
    p, geo, end = ctx.people, ctx.geo, ctx.end
    k = table["package"]
    person = pk.person[k]
    return pl.DataFrame({
        "service_id": ids("SP", pk.num[k], 7), "person_id": p.person_ids(person), "nhs_number": p.nhs_strings(person),
        "team": _names(geo.teams, table["team"]), "service_type": _names(SETTING_NAMES, pk.setting[k]),
        "service_start_date": dates(pk.start[k], end), "service_end_date": dates(pk.end[k], end),
        "last_review_date": dates(table["last_review"], end),
        "review_due_date": dates(table["review_due"], NEVER - 1),
        "review_completed_date": dates(table["review_completed"], end),
    }).sort("service_id")


def brokerage_frame(ctx: Context, b: dict[str, np.ndarray]) -> pl.DataFrame:
    p, end = ctx.people, ctx.end
    hours = b["hours"]
    return pl.DataFrame({
        "request_id": ids("B", b["num"], 7), "person_id": p.person_ids(b["person"]),
        "nhs_number": p.nhs_strings(b["person"]), "service_type": _names(BROKER_TYPES, b["kind"]),
        "locality": _names(ctx.geo.localities, p.locality(b["person"])),
        "hours_per_week": floats(hours),
        "requested_date": dates(b["requested"], end), "sourced_date": dates(b["sourced"], end),
        "cancelled_date": dates(b["cancelled"], end),
    })

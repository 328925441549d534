"""The quarterly CLD submissions.

One file per financial quarter in the range, named ``cld_<start>_<end>.csv`` with that quarter as the
reporting period (clipped to the range when the range starts or ends mid-quarter). A file holds the
requests, assessments and reviews that *ended* in the quarter, and every service *active* in it:
an open service is repeated in each quarter with a blank end date until the quarter it ends in, as
councils submit them. Person details are repeated on every row; a date of death appears only in
quarters on or after it. Labels are the Release 2 defined lists; dates are ISO.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from .context import Context
from .events import (
    ASSESSMENT_TYPES,
    CARING_HOURS,
    CLIENT_TYPES,
    COMPONENTS,
    COST_FREQUENCY,
    DELIVERY,
    DESCRIPTIONS,
    EVENT_TYPES,
    METHODS,
    OUTCOMES,
    REF_PREFIX,
    REVIEW_ACHIEVED,
    REVIEW_REASONS,
    ROUTES,
    SERVICE_TYPES,
    Events,
    code,
)
from .people import CLD_GENDER, HEARING, VISUAL, YES_NO_UNKNOWN, label_list, labels
from .tables import dates, floats
from .workdays import NEVER, day_date

SERVICE = code(EVENT_TYPES, "Service")
REVIEW = code(EVENT_TYPES, "Review")
ASSESSMENT = code(EVENT_TYPES, "Assessment")


@dataclass(frozen=True)
class Period:
    start: int
    end: int

    @property
    def filename(self) -> str:
        return f"cld_{day_date(self.start).isoformat()}_{day_date(self.end).isoformat()}.csv"


def quarters(start: int, end: int) -> list[Period]:
    """Financial quarters (Apr-Jun, Jul-Sep, Oct-Dec, Jan-Mar) overlapping [start, end], clipped to it."""
    month = np.datetime64(day_date(start), "M")
    while month.astype(np.int64) % 3 != 0:  # quarters start in Jan, Apr, Jul, Oct
        month -= 1
    out = []
    while True:
        qs = int(month.astype("datetime64[D]").astype(np.int64))
        if qs > end:
            break
        qe = int((month + 3).astype("datetime64[D]").astype(np.int64)) - 1
        out.append(Period(max(qs, start), min(qe, end)))
        month += 3
    return out


def sanitise(ctx: Context, ev: Events) -> Events:
    """Drop events starting on or after the person's death; end everything else by death."""
    death = ctx.people.col("death")[ev.person]
    keep = np.flatnonzero((ev.start < death) & (ev.start <= ctx.end))
    ev = ev.take(keep)
    death = death[keep]
    ev.end = np.minimum(ev.end, np.maximum(death, ev.start))
    return ev


def person_frame(ctx: Context) -> pl.DataFrame:
    """CLD person columns for everyone, in person index order (death kept as a day number)."""
    p = ctx.people
    c = p.cols
    geo = ctx.geo
    gp = c["gp"]
    return pl.DataFrame({
        "nhs_number": p.nhs_strings(), "la_person_unique_identifier": p.person_ids(),
        "gp_practice_name": labels(tuple(geo.gp_name), gp), "gp_practice_code": labels(tuple(geo.gp_code), gp),
        "gender": labels(CLD_GENDER, c["sex"]), "ethnicity": labels(label_list("cld_ethnicity"), c["ethnicity"]),
        "date_of_birth": dates(c["dob"], NEVER - 1), "_death": c["death"],
        "primary_support_reason": labels(label_list("cld_primary_support_reason"), c["psr"]),
        "postcode": p.postcodes(), "accommodation_status": labels(label_list("cld_accommodation_status"),
                                                                  c["accommodation"]),
        "employment_status": labels(label_list("cld_employment_status"), c["employment"]),
        "has_unpaid_carer": labels(YES_NO_UNKNOWN, c["has_carer"]),
        "autism_spectrum_disorder_asd": labels(YES_NO_UNKNOWN, c["asd"]),
        "visual_impairment": labels(VISUAL, c["visual"]), "hearing_impairment": labels(HEARING, c["hearing"]),
        "dementia": labels(YES_NO_UNKNOWN, c["dementia"]),
        "client_funding_status": labels(label_list("cld_client_funding_status"), c["funding"]),
    })


def quarter_frames(ctx: Context, ev: Events, columns: list[str]) -> Iterator[tuple[Period, pl.DataFrame]]:
    """Each quarter's rows as a typed frame in contract column order."""
    persons = person_frame(ctx)
    numbers = ctx.people.cols["number"]
    geo = ctx.geo
    provider_names = (np.asarray(geo.care_home_name, dtype=object), np.asarray(geo.agency_name, dtype=object),
                      np.array([geo.reablement_provider[0]], dtype=object))
    provider_ids = (np.asarray(geo.care_home_id, dtype=object), np.asarray(geo.agency_id, dtype=object),
                    np.array([geo.reablement_provider[1]], dtype=object))
    is_service = ev.event_type == SERVICE
    for period in quarters(ctx.start, ctx.end):
        sel = np.where(is_service, (ev.start <= period.end) & (ev.end >= period.start),
                       (ev.end >= period.start) & (ev.end <= period.end))
        idx = np.flatnonzero(sel)
        q = ev.take(idx)
        order = np.lexsort((q.ref_num, q.event_type, q.start, numbers[q.person]))
        q = q.take(order)
        n = len(q)
        end_shown = q.end <= period.end
        pf = persons[q.person]
        death = pf["_death"].to_numpy()
        service = q.event_type == SERVICE
        outcome = np.where(service & ~end_shown, -1, q.outcome)
        prov_name = np.full(n, None, dtype=object)
        prov_id = np.full(n, None, dtype=object)
        for k in range(3):
            m = q.provider_kind == k
            prov_name[m] = provider_names[k][q.provider[m]]
            prov_id[m] = provider_ids[k][q.provider[m]]
        review = q.event_type == REVIEW
        assessment = q.event_type == ASSESSMENT
        prefix = np.array(REF_PREFIX, dtype=object)[q.ref_kind]
        refs = pl.select(pl.concat_str([pl.Series(prefix.tolist(), dtype=pl.Utf8),
                                        pl.Series(q.ref_num).cast(pl.Utf8).str.zfill(8)])).to_series()
        def linked(a: np.ndarray) -> pl.Series:
            return _person_ids(numbers, a)
        frame = pf.drop("_death").with_columns(
            pl.lit(ctx.spec.la_code).alias("la_code"),
            dates(np.full(n, period.start), NEVER - 1).alias("reporting_period_start_date"),
            dates(np.full(n, period.end), NEVER - 1).alias("reporting_period_end_date"),
            dates(death, period.end).alias("date_of_death"),
            labels(CLIENT_TYPES, q.client_type).alias("client_type"),
            labels(EVENT_TYPES, q.event_type).alias("event_type"),
            refs.alias("event_reference"),
            dates(q.start, NEVER - 1).alias("event_start_date"),
            dates(np.where(end_shown, q.end, NEVER), period.end).alias("event_end_date"),
            labels(DESCRIPTIONS, q.description).alias("event_description"),
            labels(OUTCOMES, outcome).alias("event_outcome"),
            labels(ROUTES, q.route).alias("request_route_of_access"),
            labels(ASSESSMENT_TYPES, q.assessment_type).alias("assessment_type"),
            labels(("No", "Yes"), q.eligible).alias("eligible_needs_identified"),
            labels(METHODS, np.where(assessment, q.method, -1)).alias("method_of_assessment"),
            labels(CARING_HOURS, q.caring_hours).alias("total_hrs_caring_per_week"),
            pl.Series(q.n_adults).replace(-1, None).alias("no_of_adults_being_cared_for"),
            linked(q.adult1).alias("adult_1_linked_person_id"),
            linked(q.adult2).alias("adult_2_linked_person_id"),
            linked(np.full(n, -1)).alias("adult_3_linked_person_id"),
            labels(SERVICE_TYPES, q.service_type).alias("service_type"),
            labels(COMPONENTS, q.component).alias("service_component"),
            labels(DELIVERY, q.delivery).alias("delivery_mechanism"),
            pl.Series(prov_name.tolist(), dtype=pl.Utf8).alias("provider_cqc_location_name"),
            pl.Series(prov_id.tolist(), dtype=pl.Utf8).alias("provider_cqc_location_id"),
            labels(REVIEW_REASONS, q.review_reason).alias("review_reason"),
            labels(REVIEW_ACHIEVED, q.review_achieved).alias("review_outcomes_achieved"),
            labels(METHODS, np.where(review, q.method, -1)).alias("method_of_review"),
            floats(q.unit_cost).alias("unit_cost"),
            labels(COST_FREQUENCY, q.cost_frequency).alias("cost_frequency_unit_type"),
            floats(q.units).alias("planned_units_per_week"),
        )
        carer_rows = q.client_type > 0
        if carer_rows.any():
            frame = frame.with_columns(
                pl.when(pl.Series(carer_rows)).then(None).otherwise(pl.col("primary_support_reason"))
                .alias("primary_support_reason"))
        yield period, frame.select(columns)


def _person_ids(numbers: np.ndarray, idx: np.ndarray) -> pl.Series:
    idx = np.asarray(idx, dtype=np.int64)
    s = pl.Series(numbers[np.maximum(idx, 0)]).cast(pl.Utf8).str.zfill(7)
    return pl.select(pl.when(pl.Series(idx >= 0)).then(pl.concat_str([pl.lit("P"), s]))).to_series()

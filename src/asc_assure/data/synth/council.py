"""Generate one council: run every stream in dependency order, then write its folder.

Order matters because later streams reuse people created by earlier ones: long-term support
already running, then referrals (some from people already supported), front-door requests,
reablement, new packages and care-home moves (through brokerage), short-term stays, reviews, carers,
DoLS (care-home residents) and finally safeguarding (anyone known, or someone new).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..contracts import get_contract
from .brokerage import Brokerage
from .carers import carers
from .catalogue import CouncilSpec
from .cld import quarter_frames, sanitise
from .context import Context
from .dols import WARMUP as DOLS_WARMUP
from .dols import Dols, generate_dols
from .events import OUTCOMES, Events, code
from .faults import inject
from .geography import build_geography
from .hospital import hospital_frame, population_frame
from .longterm import (
    COMMUNITY,
    Packages,
    care_home_moves,
    new_packages,
    number_packages,
    package_events,
    stock_packages,
)
from .output import to_text, write_csv
from .people import People
from .reference import areas_frame, targets_frame, teams_frame
from .referrals import LTS, REABLE, TEAM_KINDS, Referrals, generate_referrals, referral_events
from .reviews import review_events, review_history, review_table, review_team
from .rng import stream
from .roster import roster_frames
from .safeguarding import Safeguarding, generate_safeguarding
from .shortterm import Decisions, front_door, reablement, short_term_stays
from .staffing import build_staffing
from .summary import headline, open_counts
from .tables import (
    brokerage_frame,
    concerns_frame,
    dols_frame,
    enquiries_frame,
    people_frame,
    referrals_frame,
    reviews_frame,
)
from .workdays import NEVER, WorkCalendar, day_date, month_ends
from .workforce import workforce_frame

OPERATIONAL = ("referrals", "safeguarding_concerns", "safeguarding_enquiries", "dols_applications", "reviews",
               "brokerage", "workforce", "staff_roster", "staff_leave", "people")
REFERENCE = ("teams", "targets", "areas", "population", "hospital_episodes")


def build_context(spec: CouncilSpec, seed: int, start: int, end: int) -> Context:
    cal = WorkCalendar(start - DOLS_WARMUP - 60, end + 3 * 366)
    geo = build_geography(spec, seed)
    people = People(spec, geo, stream(seed, spec.index, "people"))
    weights = geo.lsoa_adults * np.where(geo.lsoa_rural, 1.2, 1.0)
    share = np.bincount(geo.lsoa_locality, weights=weights, minlength=len(geo.localities))
    ctx = Context(spec=spec, seed=seed, start=start, end=end, cal=cal, geo=geo, people=people,
                  scale=spec.demand_index(), scale_old=spec.demand_index(older_weight=1.0),
                  locality_share=share / share.sum())
    ctx.staffing = build_staffing(ctx.rng("staffing"), geo, start - DOLS_WARMUP, end, ctx.locality_share,
                                  ctx.scale, ctx.scale_old)
    return ctx


def generate_council(spec: CouncilSpec, seed: int, start: int, end: int, out: Path, error_rate: float,
                     date_style: str, parameters: dict[str, object]) -> dict[str, object]:
    """Write one council's folder and return its summary (also written as manifest.json)."""
    ctx = build_context(spec, seed, start, end)
    people = ctx.people
    stock = stock_packages(ctx)
    ref_all = generate_referrals(ctx, stock.person[stock.setting == COMMUNITY])
    ref = ref_all.take(ref_all.in_extract)
    fd_events, fd_reablement = front_door(ctx)
    done = ref_all.assess_done < NEVER
    to_reab = np.flatnonzero(done & (ref_all.outcome == code(OUTCOMES, REABLE)) & ~ref_all.existing)
    to_lts = np.flatnonzero(done & (ref_all.outcome == code(OUTCOMES, LTS)) & ~ref_all.existing)
    hospital = TEAM_KINDS.index("hospital")
    reab_in = Decisions(
        np.concatenate([ref_all.person[to_reab], fd_reablement.person]),
        np.concatenate([ref_all.assess_done[to_reab], fd_reablement.day]),
        np.concatenate([np.where(ref_all.kind[to_reab] == hospital, 0, 1), fd_reablement.source]),
        np.concatenate([np.zeros(len(to_reab), dtype=np.int64), fd_reablement.setting]))
    reab_events, reab_follow, episodes = reablement(ctx, reab_in)
    brokerage = Brokerage()
    changes = np.flatnonzero(done & (ref_all.outcome == code(OUTCOMES, LTS)) & ref_all.existing)
    rng = ctx.rng("package-changes")
    brokerage.request(ctx, rng, ref_all.person[changes],
                      ref_all.assess_done[changes] + rng.integers(2, 10, len(changes)), 0,
                      np.clip(np.round(8 * np.exp(0.5 * rng.standard_normal(len(changes))) * 4) / 4, 1.5, 60))
    new1 = new_packages(ctx, brokerage, ref_all.person[to_lts], ref_all.assess_done[to_lts],
                        ref_all.setting[to_lts], "lts-new")
    new2 = new_packages(ctx, brokerage, reab_follow.person, reab_follow.day, reab_follow.setting, "lts-reablement")
    pk = Packages.concat([stock, new1, new2])
    pk = Packages.concat([pk, care_home_moves(ctx, brokerage, pk)])
    number_packages(ctx, pk)
    community = pk.setting == COMMUNITY
    lts_spells = (pk.person[community], pk.start[community], pk.end[community])
    home_spells = (pk.person[~community], pk.start[~community], pk.end[~community])
    stays = short_term_stays(ctx, brokerage, lts_spells)
    history, _ = review_history(ctx, pk)
    rev_events = review_events(ctx, pk, history, brokerage)
    rev_table = review_table(ctx, pk, history)
    carer_events, has_carer = carers(ctx, np.concatenate([pk.person[community], ref.person]))
    dols = generate_dols(ctx, home_spells)
    known = np.unique(np.concatenate([ref.person, dols.person]))
    sg = generate_safeguarding(ctx, lts_spells, home_spells, known)
    # everyone exists now: give them ids and the fields that depend on their support
    people.freeze()
    latest = np.lexsort((pk.start, pk.person))
    setting = np.full(people.n, -1, dtype=np.int64)
    component = np.full(people.n, -1, dtype=np.int64)
    setting[pk.person[latest]] = pk.setting[latest]
    component[pk.person[latest]] = pk.primary[latest]
    carer_mask = np.zeros(people.n, dtype=bool)
    carer_mask[has_carer] = True
    self_funder = np.zeros(people.n, dtype=bool)
    self_funder[dols.person[dols.setting == 0]] = True
    people.describe(end, setting, component, carer_mask, self_funder)
    events = sanitise(ctx, Events.concat([*referral_events(ctx, ref), fd_events, reab_events,
                                          package_events(ctx, pk), stays, rev_events, carer_events]))
    broker = brokerage.table(ctx)

    folder = out / spec.folder
    folder.mkdir(parents=True, exist_ok=True)
    workforce = workforce_frame(ctx, _workload(ctx, ref, sg, dols, pk, broker, rev_events))
    roster, leave = roster_frames(ctx, workforce)
    frames = {
        "referrals": referrals_frame(ctx, ref),
        "safeguarding_concerns": concerns_frame(ctx, sg),
        "safeguarding_enquiries": enquiries_frame(ctx, sg),
        "dols_applications": dols_frame(ctx, dols),
        "reviews": reviews_frame(ctx, pk, rev_table),
        "brokerage": brokerage_frame(ctx, broker),
        "workforce": workforce,
        "staff_roster": roster,
        "staff_leave": leave,
        "people": people_frame(ctx),
        "teams": teams_frame(ctx),
        "targets": targets_frame(ctx),
        "areas": areas_frame(ctx),
        "population": population_frame(ctx),
        "hospital_episodes": hospital_frame(ctx, episodes),
    }
    rows: dict[str, int] = {}
    faults: dict[str, int] = {}
    for kind, frame in frames.items():
        contract = get_contract(kind)
        style = date_style if kind in OPERATIONAL else "iso"
        text = to_text(frame, contract, style)
        name = f"{kind}.csv"
        if kind in OPERATIONAL and error_rate > 0:
            text, faults[name] = inject(text, contract, error_rate, ctx.rng(f"faults:{name}"), style)
        rows[name] = write_csv(text, contract, folder / name)
    cld = get_contract("cld")
    for period, frame in quarter_frames(ctx, events, cld.column_names):
        text = to_text(frame, cld, "iso")
        name = period.filename
        if error_rate > 0:
            text, faults[name] = inject(text, cld, error_rate, ctx.rng(f"faults:{name}"), "iso")
        rows[name] = write_csv(text, cld, folder / name)
    summary: dict[str, object] = {
        "la_code": spec.la_code, "name": spec.name, "folder": spec.folder, "population": spec.population,
        "share_65_plus": spec.share_65, "districts": ctx.geo.districts, "localities": ctx.geo.localities,
        "people": people.n, "rows": rows, "cld_rows": sum(v for k, v in rows.items() if k.startswith("cld_")),
        "injected_errors": {k: faults.get(k, 0) for k in rows if k.removesuffix(".csv") not in REFERENCE},
        "headline": headline(ctx, ref, sg, dols, pk, rev_table, broker, episodes),
    }
    manifest = {**summary, "character": spec.as_dict(), "parameters": parameters,
                "extract_date": day_date(end).isoformat()}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return summary


def _workload(ctx: Context, ref: Referrals, sg: Safeguarding, dols: Dols, pk: Packages,
              broker: dict[str, np.ndarray], reviews: Events) -> dict[str, np.ndarray]:
    """Open work items per team at each month end (for workforce open cases)."""
    geo = ctx.geo
    snaps = month_ends(ctx.start, ctx.end)
    out: dict[str, np.ndarray] = {team: np.zeros(len(snaps)) for team in geo.teams}
    in_progress = ref.assess_start < NEVER
    for t, team in enumerate(geo.teams):
        m = in_progress & (ref.team == t)
        out[team] += open_counts(ref.assess_start[m], np.minimum(ref.closed[m], ref.assess_done[m] + 28), snaps)
        e = sg.e_team == t
        out[team] += open_counts(sg.allocated[e], np.maximum(sg.completed[e], sg.allocated[e]), snaps)
    held = review_team(ctx, pk.person)
    for t, team in enumerate(geo.teams):
        m = held == t
        out[team] += 0.05 * open_counts(pk.start[m], pk.end[m], snaps)
    loc = ctx.people.locality(pk.person)
    for i in range(len(geo.localities)):
        m = (loc == i) & (pk.setting == COMMUNITY)
        out[geo.teams[geo.locality_team(i)]] += 0.08 * open_counts(pk.start[m], pk.end[m], snaps)
    allocated = dols.allocated < NEVER
    out["DoLS Team"] += open_counts(dols.allocated[allocated], dols.completed[allocated], snaps)
    closed = np.minimum(broker["sourced"], broker["cancelled"])
    out["Brokerage"] += open_counts(broker["requested"], closed, snaps)
    out["Reviewing Team"] += open_counts(reviews.start, reviews.end, snaps)
    return {k: np.round(v) for k, v in out.items()}


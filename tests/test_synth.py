"""Tests for the synthetic-council generator (asc_assure.data.synth).

Conformance is checked by loading the files through the real ingest (the contracts' one validator):
a clean council loads with no errors or warnings, and a faulted one quarantines exactly the rows the
generator says it faulted.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from asc_assure.data.contracts import get_contract
from asc_assure.data.ingest import FileResult, ingest_files
from asc_assure.data.synth import generate
from asc_assure.domain.nhs_number import is_valid

SMALL = {"people": 60_000, "start": date(2023, 4, 1), "end": date(2024, 3, 31)}
POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$")
OPERATIONAL = ("referrals", "safeguarding_concerns", "safeguarding_enquiries", "dols_applications", "reviews",
               "brokerage", "workforce", "staff_roster", "staff_leave", "people")
REFERENCE = ("teams", "targets", "areas", "population", "hospital_episodes")
FORMATS = {"iso": "%Y-%m-%d", "uk": "%d/%m/%Y"}


# ----------------------------------------------------------------------------- validator
def read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def kind_of(path: Path) -> str:
    return "cld" if path.name.startswith("cld_") else path.stem


def ingest_all(folder: Path, store: Path, as_of: date = SMALL["end"]) -> dict[str, FileResult]:
    files = sorted(folder.glob("*.csv"))
    results = ingest_files(store, files, as_of=as_of, key=bytes(range(32)))
    return {r.file: r for r in results}


def council_dir(out: Path) -> Path:
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return folder


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("small")
    summary = generate(out, seed=1, **SMALL)
    return council_dir(out), summary


@pytest.fixture(scope="module")
def small_faulty(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("faulty")
    summary = generate(out, seed=1, error_rate=0.02, date_style="uk", **SMALL)
    return council_dir(out), summary


# ----------------------------------------------------------------------------- tests
def test_layout_and_manifest(small: tuple[Path, dict]) -> None:
    folder, summary = small
    council = summary["councils"][0]
    assert folder.name == council["folder"] == f"{council['la_code']}_{folder.name.split('_', 1)[1]}"
    assert re.fullmatch(r"\d{3}", council["la_code"])
    expected = {f"{k}.csv" for k in (*OPERATIONAL, *REFERENCE)} | {"manifest.json"}
    expected |= {f"cld_{s}_{e}.csv" for s, e in (("2023-04-01", "2023-06-30"), ("2023-07-01", "2023-09-30"),
                                                  ("2023-10-01", "2023-12-31"), ("2024-01-01", "2024-03-31"))}
    assert {p.name for p in folder.iterdir()} == expected
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["rows"] == council["rows"]
    assert manifest["parameters"]["seed"] == 1
    for name, rows in council["rows"].items():
        assert read(folder / name).height == rows
    json.dumps(summary)  # JSON-able


def test_deterministic_for_a_seed(small: tuple[Path, dict], tmp_path: Path) -> None:
    folder, _ = small
    again = council_dir(_regen(tmp_path / "again", seed=1))
    other = council_dir(_regen(tmp_path / "other", seed=2))
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    for name in names:
        assert (folder / name).read_bytes() == (again / name).read_bytes(), name
    assert (folder / "referrals.csv").read_bytes() != (other / "referrals.csv").read_bytes()
    assert (folder / "people.csv").read_bytes() != (other / "people.csv").read_bytes()


def _regen(out: Path, seed: int, **kw: object) -> Path:
    generate(out, seed=seed, **{**SMALL, **kw})
    return out


def test_headers_match_contracts(small: tuple[Path, dict]) -> None:
    folder, _ = small
    for path in folder.glob("*.csv"):
        contract = get_contract(kind_of(path))
        assert read(path).columns == [c.display_header for c in contract.columns], path.name
    assert read(next(folder.glob("cld_*.csv"))).columns[:3] == ["LA Code", "Reporting Period Start Date",
                                                                 "Reporting Period End Date"]


def test_every_value_passes_its_contract(small: tuple[Path, dict], tmp_path: Path) -> None:
    folder, _ = small
    for name, result in ingest_all(folder, tmp_path / "store").items():
        assert result.status == "loaded", (name, result.reason)
        assert result.rows_quarantined == 0, (name, result.errors[:3])
        assert result.errors_total == 0 and result.warnings_total == 0, (name, result.errors[:3])
        assert result.rows_loaded == read(folder / name).height


def test_referential_integrity(small: tuple[Path, dict]) -> None:
    folder, _ = small
    people = read(folder / "people.csv")
    ids = set(people["person_id"])
    assert people["person_id"].is_unique().all()
    for name in ("referrals", "safeguarding_concerns", "safeguarding_enquiries", "dols_applications", "reviews",
                 "brokerage"):
        assert set(read(folder / f"{name}.csv")["person_id"]) <= ids, name
    cld = pl.concat([read(p) for p in folder.glob("cld_*.csv")])
    assert set(cld["LA Person Unique Identifier"]) <= ids
    linked = cld["Adult 1 Linked Person_ID"].drop_nulls()
    assert len(linked) > 0 and set(linked) <= ids
    concerns = read(folder / "safeguarding_concerns.csv")
    enquiries = read(folder / "safeguarding_enquiries.csv")
    joined = enquiries.join(concerns.select("concern_id", "decision", "enquiry_id", "person_id"), on="concern_id",
                            how="left", suffix="_c")
    assert joined["decision"].null_count() == 0
    assert set(joined["decision"]) <= {"s42_enquiry", "other_enquiry"}
    assert (joined["enquiry_id"] == joined["enquiry_id_c"]).all()
    assert (joined["person_id"] == joined["person_id_c"]).all()
    assert (joined["enquiry_type"] == joined["decision"]).all()
    areas = read(folder / "areas.csv")
    assert set(people["lsoa_code"]) <= set(areas["lsoa_code"])
    teams = set(read(folder / "teams.csv")["team"])
    for name in ("referrals", "safeguarding_concerns", "safeguarding_enquiries", "reviews"):
        assert set(read(folder / f"{name}.csv")["team"].drop_nulls()) <= teams, name
    assert set(read(folder / "workforce.csv")["team"]) == teams
    # postcode area and district agree: an outward code belongs to one district only
    pc = people.join(areas, on="lsoa_code").with_columns(pl.col("postcode").str.split(" ").list.first().alias("out"))
    assert pc.group_by("out").agg(pl.col("district").n_unique())["district"].max() == 1


def test_same_person_same_nhs_number_everywhere(small: tuple[Path, dict]) -> None:
    folder, _ = small
    people = read(folder / "people.csv").select("person_id", "nhs_number")
    nhs = people["nhs_number"].drop_nulls()
    assert nhs.str.starts_with("999").all()
    assert all(is_valid(x) for x in nhs)
    assert nhs.is_unique().all()
    missing = people["nhs_number"].null_count() / people.height
    assert 0.01 < missing < 0.06
    lookup = dict(zip(people["person_id"], people["nhs_number"], strict=True))
    for name in ("referrals", "safeguarding_concerns", "dols_applications", "reviews", "brokerage"):
        df = read(folder / f"{name}.csv")
        assert all(lookup[p] == n for p, n in zip(df["person_id"], df["nhs_number"], strict=True)), name
    cld = read(next(folder.glob("cld_*.csv")))
    assert all(lookup[p] == n for p, n in zip(cld["LA Person Unique Identifier"], cld["NHS Number"], strict=True))


def test_cross_field_rules_and_censoring(small: tuple[Path, dict]) -> None:
    folder, _ = small
    end = SMALL["end"]
    ref = read(folder / "referrals.csv")
    assert ref.filter(pl.col("assessment_completed_date").is_not_null() & pl.col("assessment_start_date").is_null()
                      ).height == 0
    waiting = ref.filter(pl.col("assessment_start_date").is_null() & pl.col("closed_date").is_null())
    assert 0 < waiting["priority"].null_count() <= 0.1 * waiting.height + 1
    assert ref.filter(pl.col("priority").is_null() & pl.col("assessment_start_date").is_not_null()).height == 0
    prio = ref["priority"].drop_nulls().value_counts(normalize=True)
    shares = dict(zip(prio["priority"], prio["proportion"], strict=True))
    assert shares["high"] < shares["low"] < shares["medium"]
    closed_without = ref.filter(pl.col("closed_date").is_not_null() & pl.col("assessment_start_date").is_null())
    assert set(closed_without["closure_reason"]) >= {"no longer required", "deceased"}
    dols = read(folder / "dols_applications.csv")
    assert ((dols["outcome"].is_null()) == (dols["completed_date"].is_null())).all()
    enq = read(folder / "safeguarding_enquiries.csv")
    done_asked = enq.filter((pl.col("msp_asked") == "Y") & pl.col("completed_date").is_not_null())
    assert done_asked.height > 0 and done_asked["msp_outcome"].null_count() == 0
    for path in folder.glob("*.csv"):
        if kind_of(path) in REFERENCE:
            continue
        df = read(path)
        for col in df.columns:
            if "date" in col.lower() and "due" not in col and "authorisation_end" not in col:
                values = df[col].drop_nulls()
                assert (values <= end.isoformat()).all(), (path.name, col)


def test_cld_quarters_and_services(small: tuple[Path, dict]) -> None:
    folder, _ = small
    files = sorted(folder.glob("cld_*.csv"))
    assert len(files) == 4
    open_services: set[str] = set()
    for path in files:
        start, end = path.stem.split("_")[1:]
        df = read(path)
        assert set(df["Reporting Period Start Date"]) == {start}
        assert set(df["Reporting Period End Date"]) == {end}
        assert set(df["Event Type"]) == {"Request", "Assessment", "Service", "Review"}
        rar = df.filter(pl.col("Event Type") != "Service")
        assert rar["Event End Date"].null_count() == 0
        assert ((rar["Event End Date"] >= start) & (rar["Event End Date"] <= end)).all()
        svc = df.filter(pl.col("Event Type") == "Service")
        assert svc["Service Type"].null_count() == 0
        assert (svc["Event Start Date"] <= end).all()
        assert (svc["Event End Date"].drop_nulls() >= start).all()
        assert (df["Event Start Date"] >= df["Date of Birth"]).all()
        assert df.filter(pl.col("Date of Death") > end).height == 0
        ongoing = set(svc.filter(pl.col("Event End Date").is_null())["Event Reference"])
        # a service open at the end of one quarter is in the next one too
        assert open_services <= set(svc["Event Reference"]), path.name
        open_services = ongoing
    all_rows = pl.concat([read(p) for p in files])
    svc = all_rows.filter(pl.col("Event Type") == "Service")
    assert svc.filter((pl.col("Service Type") == "Short term support: ST-Max")
                      & (pl.col("Service Component") == "Reablement")).height > 0
    assert set(svc["Service Type"]) >= {"Long term support: Community", "Long term support: Residential care",
                                        "Long term support: Nursing care", "Short term support: ST-Max",
                                        "Unpaid carer support: Direct to unpaid carer"}
    assert set(all_rows["Client Type"]) == {"Service user", "Unpaid carer", "Unpaid carer known by association"}
    ass = all_rows.filter(pl.col("Event Type") == "Assessment")
    assert set(ass["Assessment Type"]) == {"Short term assessment", "Long term assessment"}


def test_demographics_are_coherent(small: tuple[Path, dict]) -> None:
    folder, _ = small
    people = read(folder / "people.csv")
    age = people.select(((pl.lit(SMALL["end"]) - pl.col("date_of_birth").str.to_date()).dt.total_days() / 365.25)
                        .alias("age"))["age"]
    assert age.min() >= 17.9
    assert 0.5 < (age >= 65).mean() < 0.85  # ASC is skewed old
    assert (people["date_of_birth"].str.slice(8, 2) == "01").all()
    wb = (people["ethnicity"] == "White: English, Welsh, Scottish, Northern Irish or British").mean()
    assert 0.7 < wb < 0.95
    sex = people["sex"].value_counts(normalize=True)
    assert dict(zip(sex["sex"], sex["proportion"], strict=True))["female"] > 0.5
    areas = read(folder / "areas.csv")
    assert areas["district"].n_unique() == 5
    assert 4 <= areas["locality"].n_unique() <= 5
    rural = areas.filter(pl.col("rural_urban") == "rural")["population_18_plus"].cast(pl.Int64).sum()
    assert 0.25 < rural / areas["population_18_plus"].cast(pl.Int64).sum() < 0.55


def test_targets_and_teams(small: tuple[Path, dict]) -> None:
    folder, _ = small
    targets = read(folder / "targets.csv")
    assert set(targets["measure_id"]) == {
        "waiting_list.count", "waiting_list.longest_wait_days", "assessment.request_to_assessment_median_days",
        "safeguarding.triage_within_2wd_pct", "safeguarding.allocation_within_10wd_pct",
        "safeguarding.enquiry_within_20wd_pct", "safeguarding.open_over_12_weeks", "safeguarding.msp_asked_pct",
        "dols.standard_within_21d_pct", "reviews.reviewed_in_12_months_pct", "brokerage.median_days_to_source"}
    assert set(targets["effective_from"]) == {SMALL["start"].isoformat()}
    assert targets["team"].null_count() == targets.height
    assert (targets["amber_tolerance"].cast(pl.Float64) > 0).all()
    teams = read(folder / "teams.csv")
    central = {"Safeguarding Team", "DoLS Team", "Hospital Discharge Team", "Learning Disability Team",
               "Mental Health Team", "Reviewing Team", "Brokerage"}
    assert central <= set(teams["team"])
    assert 4 <= (teams["team_type"] == "locality").sum() <= 5


def test_error_injection_counts_match(small_faulty: tuple[Path, dict], tmp_path: Path) -> None:
    folder, summary = small_faulty
    injected = summary["councils"][0]["injected_errors"]
    assert set(injected) == {p.name for p in folder.glob("*.csv") if kind_of(p) not in REFERENCE}
    assert sum(injected.values()) > 50
    for name, result in ingest_all(folder, tmp_path / "store").items():
        expected = injected.get(name, 0)
        assert result.rows_quarantined == expected, name
        assert result.rows_read == read(folder / name).height, name
        if kind_of(folder / name) not in REFERENCE:
            assert expected == round(0.02 * result.rows_read), name


def test_uk_dates_carry_the_same_data(small: tuple[Path, dict], tmp_path: Path) -> None:
    folder, _ = small
    uk = council_dir(_regen(tmp_path / "uk", seed=1, date_style="uk"))
    iso_ref = read(folder / "referrals.csv")
    uk_ref = read(uk / "referrals.csv")
    assert uk_ref["received_date"].str.contains(r"^\d{2}/\d{2}/\d{4}$").all()
    converted = uk_ref.with_columns(pl.col(c).str.strptime(pl.Date, "%d/%m/%Y").dt.strftime("%Y-%m-%d")
                                    for c in uk_ref.columns if c.endswith("_date"))
    assert converted.equals(iso_ref)
    cld = next(uk.glob("cld_*.csv"))
    assert (read(cld)["Event Start Date"].str.contains(r"^\d{4}-\d{2}-\d{2}$")).all()
    assert (uk / cld.name).read_bytes() == (folder / cld.name).read_bytes()


def test_many_councils(tmp_path: Path) -> None:
    summary = generate(tmp_path, seed=5, people=20_000, start=date(2024, 1, 1), end=date(2024, 6, 30), councils=4)
    councils = summary["councils"]
    assert len({c["la_code"] for c in councils}) == 4
    assert len({c["name"] for c in councils}) == 4
    assert len({p.name for p in tmp_path.iterdir() if p.is_dir()}) == 4
    pops = [c["population"] for c in councils]
    assert pops[0] == 20_000 and len(set(pops)) == 4
    assert all(20_000 * 150 / 700 * 0.99 <= p <= 20_000 * 1600 / 700 * 1.01 for p in pops)
    assert summary["totals"]["cld_rows"] == sum(c["cld_rows"] for c in councils)
    # council 1 does not depend on how many councils are generated
    alone = generate(tmp_path / "alone", seed=5, people=20_000, start=date(2024, 1, 1), end=date(2024, 6, 30))
    first = tmp_path / councils[0]["folder"]
    again = tmp_path / "alone" / alone["councils"][0]["folder"]
    assert (first / "referrals.csv").read_bytes() == (again / "referrals.csv").read_bytes()


def test_bad_parameters(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path, start=date(2024, 1, 1), end=date(2023, 1, 1))
    with pytest.raises(ValueError):
        generate(tmp_path, date_style="us")
    with pytest.raises(ValueError):
        generate(tmp_path, error_rate=2.0)


def test_calibration_at_default_population(tmp_path: Path) -> None:
    """The reference council over 2023-04-01..2025-03-31 lands near the published figures (~2 s)."""
    summary = generate(tmp_path, seed=1)
    council = summary["councils"][0]
    h = council["headline"]
    assert council["population"] == 700_000
    assert 5_500 <= h["concerns_per_year"] <= 7_500
    assert 18 <= h["concern_conversion_pct"] <= 30
    assert 300 <= h["waiting_list_at_end"] <= 900
    assert 800 <= h["dols_open_at_end"] <= 2_000
    assert 1_000 <= h["waiting_list_at"]["2023-07-31"] <= 1_900
    assert h["waiting_list_at"]["2024-07-31"] < h["waiting_list_at"]["2023-07-31"] / 1.8
    assert 10 <= h["longest_wait_days_at_end"] <= 120
    assert h["enquiries_open_over_12_weeks_at"]["2023-07-31"] > 4 * h["enquiries_open_over_12_weeks_at"]["2024-07-31"]
    assert 5_800 <= h["lts_people_at_end"] <= 7_800
    assert 50 <= h["lts_reviewed_in_12_months_pct"] <= 75
    assert 70 <= h["reablement_independent_pct"] <= 85
    assert 2_800 <= h["dols_received_per_year"] <= 4_200
    assert 80 <= h["triage_within_2wd_pct"] <= 97
    assert 24 <= h["concerns_from_care_providers_pct"] <= 34
    assert 12 <= h["vacancy_rate_pct"] <= 18
    results = ingest_all(tmp_path / council["folder"], tmp_path / "store", as_of=date(2025, 3, 31))
    for name, result in results.items():
        assert result.rows_quarantined == 0 and result.warnings_total == 0, (name, result.errors[:3])


def test_generator_counts_working_days_by_the_one_rule() -> None:
    import random

    from asc_assure.data.synth.workdays import WorkCalendar, day_number
    from asc_assure.domain.working_days import working_days_between

    first, last = date(2021, 1, 1), date(2027, 12, 31)
    cal = WorkCalendar(day_number(first), day_number(last))
    rng = random.Random(5)
    starts = [date(2022, 1, 1) + timedelta(days=rng.randrange(1500)) for _ in range(2000)]
    ends = [s + timedelta(days=rng.randrange(-3, 40)) for s in starts]
    got = cal.workdays_between([day_number(s) for s in starts], [day_number(e) for e in ends])
    assert list(got) == [working_days_between(s, e) for s, e in zip(starts, ends, strict=True)]


def test_staff_roster_matches_the_workforce_and_its_leave_names_rostered_workers(small: tuple[Path, dict]) -> None:
    folder, _ = small
    roster = read(folder / "staff_roster.csv")
    workforce = read(folder / "workforce.csv")
    last = workforce.filter(pl.col("snapshot_date") == workforce["snapshot_date"].max())
    expected = (last.filter(pl.col("role").is_in(["Social worker", "Occupational therapist"]))
                .select("team", pl.col("role").str.to_lowercase().str.replace(" ", "_").alias("discipline"),
                        pl.col("headcount").cast(pl.Int64)))
    counted = roster.group_by("team", "discipline").len().rename({"len": "headcount"})
    joined = expected.filter(pl.col("headcount") > 0).join(counted, on=["team", "discipline"], how="full",
                                                            coalesce=True)
    assert (joined["headcount"] == joined["headcount_right"].cast(pl.Int64)).all()
    assert roster["worker_id"].is_unique().all()
    teams = read(folder / "teams.csv")
    localities = set(teams["locality"].drop_nulls())
    for team, locs in roster.select("team", "localities").iter_rows():
        home = teams.filter(pl.col("team") == team)["locality"][0]
        assert set(locs.split(";")) <= localities
        assert locs == home if home else set(locs.split(";")) == localities
    leave = read(folder / "staff_leave.csv")
    assert leave.height > 0 and set(leave["worker_id"]) <= set(roster["worker_id"])
    assert (leave["leave_end"] >= leave["leave_start"]).all()

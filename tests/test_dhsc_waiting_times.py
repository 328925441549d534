"""DHSC waiting times from the CLD: medians worked out by hand, DHSC's inclusion rules, reconciliation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from asc_assure.cli import app
from asc_assure.data.ingest import ingest_file
from asc_assure.measures.dhsc.waiting_times import (
    PART_1,
    PART_2,
    WaitingTimesError,
    parse_quarter,
    quarter_label,
    reconcile,
    waiting_times,
    waiting_times_sql,
)
from extracts import build_figures_store, write_extract

KEY = bytes(range(32))
OLD, WORKING = "1950-01-15", "1980-06-01"  # 65 and above / 25 to 64 throughout
PERIOD = {"la_code": "931", "reporting_period_start_date": "2024-04-01", "reporting_period_end_date": "2024-09-30"}


def ev(person: str, event_type: str, start: str, end: str = "", outcome: str = "", dob: str = OLD, **more: str) -> dict:
    row = {**PERIOD, "la_person_unique_identifier": person, "date_of_birth": dob, "client_type": "Service user",
           "event_type": event_type, "event_start_date": start, "event_end_date": end, "event_outcome": outcome}
    if event_type == "Assessment":
        row["assessment_type"] = "Long term assessment"
    if event_type == "Service":
        row.setdefault("service_type", "Long term support: Community")
    row.update(more)
    return row


def request(person: str, start: str, outcome: str = "Progress to assessment, review or reassessment", **more: str
            ) -> dict:
    return ev(person, "Request", start, start, outcome, **more)


def assessment(person: str, start: str, outcome: str = "Progress to support planning or services", **more: str
               ) -> dict:
    end = (dt.date.fromisoformat(start) + dt.timedelta(days=5)).isoformat()
    return ev(person, "Assessment", start, end, outcome, **more)


def service(person: str, start: str, service_type: str = "Long term support: Community", end: str = "",
            **more: str) -> dict:
    return ev(person, "Service", start, end, service_type=service_type, **more)


#: Each person is one scenario; the comment gives the wait (days) it contributes, or why it is left out.
ROWS = [
    # 65 and above, first response in Apr-Jun 2024: waits 10, 20, 5, 35, 14, 8 -> median (10 + 14) / 2 = 12
    request("A", "2024-04-01"), assessment("A", "2024-04-11"), service("A", "2024-05-01"),    # 10; service 30
    request("B", "2024-04-02"), assessment("B", "2024-04-22", "NFA: Support declined"),        # 20
    service("B", "2024-06-01"),                              # no first service: the assessment showed no progress
    request("C", "2024-04-03"), service("C", "2024-04-08", "Short term support: ST-Max", "2024-04-30"),  # 5 (service)
    assessment("C", "2024-05-01"),
    request("D", "2024-04-05"), assessment("D", "2024-05-10"),                                 # 35
    request("J", "2024-04-01"), request("J", "2024-04-05"), assessment("J", "2024-04-15"),     # 14; 2nd overlaps
    request("K", "2024-04-01"), assessment("K", "2024-04-09"),                                 # 8
    # 25 to 64: a wait of 3 days in Apr-Jun, and one whose assessment starts in July (quarter of the response)
    request("I", "2024-04-01", dob=WORKING), assessment("I", "2024-04-04", dob=WORKING),       # 3
    request("H", "2024-06-20", dob=WORKING), assessment("H", "2024-07-02", dob=WORKING),       # 12, in Jul-Sep
    # left out
    request("E", "2024-04-10", dob="2000-01-01"), assessment("E", "2024-04-11", dob="2000-01-01"),  # aged 24
    service("F", "2023-01-01", end="2024-01-15"), request("F", "2024-04-04"),                  # existing client
    assessment("F", "2024-04-05"),
    request("G", "2024-04-02", "NFA: Information and advice or signposting"), assessment("G", "2024-04-03"),  # NFA
    request("L", "2024-04-02", client_type="Unpaid carer"), assessment("L", "2024-04-04"),     # a carer's request
    request("M", "2024-04-02", outcome=""), assessment("M", "2024-04-04"),                     # no outcome
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wt")
    path = write_extract(folder / "cld.csv", "cld", ROWS)
    result = ingest_file(folder / "store", path, as_of=dt.date(2024, 10, 31), key=KEY)
    assert result.rows_quarantined == 0, result.errors
    return folder / "store"


def cell(rows: list[dict], metric: str, quarter: str, band: str) -> dict | None:
    return next((r for r in rows if r["metric"] == metric and r["quarter_start"] == quarter
                 and r["age_band"] == band), None)


def test_part_1_median_is_interpolated_over_the_quarter_of_the_response(store: Path) -> None:
    rows = waiting_times(store)
    old = cell(rows, PART_1, "2024-04-01", "65 and above")
    assert old is not None
    assert old["waits"] == 6  # A, B, C, D, J (once), K; not E, F, G, L, M
    assert old["median_days"] == 12.0  # 5 8 10 14 20 35 -> (10 + 14) / 2
    assert (old["response_assessment"], old["response_service"]) == (5, 1)
    assert old["quarter"] == "Q1 2024-25 (Apr to Jun 2024)"


def test_age_bands_and_quarter_of_response(store: Path) -> None:
    rows = waiting_times(store)
    working = cell(rows, PART_1, "2024-04-01", "25 to 64")
    assert (working["waits"], working["median_days"]) == (1, 3.0)
    july = cell(rows, PART_1, "2024-07-01", "25 to 64")
    assert (july["waits"], july["median_days"]) == (1, 12.0), "H's request was in June, its assessment in July"


def test_part_2_first_service_only_after_progress(store: Path) -> None:
    rows = waiting_times(store)
    old = cell(rows, PART_2, "2024-04-01", "65 and above")
    assert (old["waits"], old["median_days"]) == (2, 17.5)  # A 30, C 5; B's assessment ended in NFA
    assert (old["long_term_services"], old["short_term_services"]) == (1, 1)


def test_quarter_filters_and_public_suppression(store: Path) -> None:
    only_july = waiting_times(store, first=dt.date(2024, 7, 1))
    assert {r["quarter_start"] for r in only_july} == {"2024-07-01"}
    public = waiting_times(store, public=True)
    old = cell(public, PART_2, "2024-04-01", "65 and above")
    assert old["median_days"] == "[c]" and old["waits"] == "[c]" and old["suppressed"]


def test_quarters_are_typed_as_councils_write_them() -> None:
    assert parse_quarter("Q1 2024-25") == dt.date(2024, 4, 1)
    assert parse_quarter("2024/25 Q4") == dt.date(2025, 1, 1)
    assert parse_quarter("15/08/2024") == dt.date(2024, 7, 1)
    assert quarter_label(dt.date(2025, 1, 1)) == "Q4 2024-25 (Jan to Mar 2025)"
    with pytest.raises(WaitingTimesError, match="Q5"):
        parse_quarter("Q5 2024-25")


def test_sql_transpiles_to_spark_without_approximations() -> None:
    from asc_assure.measures.sql_runner import to_spark

    spark_sql = to_spark(waiting_times_sql(), "waiting_times.sql")
    assert "MEDIAN(" in spark_sql and "PERCENTILE_APPROX" not in spark_sql.upper()
    assert "QUALIFY" not in spark_sql.upper()


def test_no_cld_loaded_is_a_clear_error(tmp_path: Path) -> None:
    store = build_figures_store(tmp_path)
    with pytest.raises(WaitingTimesError, match="no CLD file"):
        waiting_times(store)


def test_reconciliation_puts_the_councils_measures_beside_dhscs(tmp_path: Path) -> None:
    store = build_figures_store(tmp_path)  # four people waiting on 31 March 2025
    rows = [{**r, "reporting_period_start_date": "2025-01-01", "reporting_period_end_date": "2025-03-31"}
            for r in (request("A", "2025-01-06"), assessment("A", "2025-01-20"))]
    ingest_file(store, write_extract(tmp_path / "cld.csv", "cld", rows), as_of=dt.date(2025, 3, 31), key=KEY)
    data = reconcile(store)
    (quarter,) = data["quarters"]
    assert quarter["quarter_end"] == "2025-03-31"
    assert quarter["cells"][(PART_1, "65 and above")] == {"median_days": 14.0, "waits": 1}
    assert quarter["operational"]["waiting_list.count"]["value"] == 4
    assert {d["topic"] for d in data["differences"]} >= {"Who is counted", "People still waiting"}


def test_cli_waiting_times(store: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["cld", "waiting-times", "--store", str(store), "--from", "Q1 2024-25",
                              "--to", "Q1 2024-25"])
    assert res.exit_code == 0, res.output
    assert "Q1 2024-25 (Apr to Jun 2024)" in res.output and "12 (6)" in res.output
    assert "Why they differ" in res.output
    res = runner.invoke(app, ["cld", "waiting-times", "--store", str(store), "--json"])
    data = json.loads(res.stdout)
    assert len(data["quarters"]) == 2
    res = runner.invoke(app, ["cld", "waiting-times", "--store", str(store), "--from", "spring"])
    assert res.exit_code == 2 and "not a quarter" in res.output

"""The ASCOF page: every role reads it, staff see exact counts, viewers the suppressed published form."""

from __future__ import annotations

import datetime as dt

import pytest

from asc_assure.assurance.workspace import Workspace
from asc_assure.data.ingest import ingest_file
from extracts import write_extract

PERIOD = {"reporting_period_start_date": "2024-04-01", "reporting_period_end_date": "2025-03-31"}


def _reablement(n: int, start: str, end: str, outcome: str) -> dict:
    return {**PERIOD, "la_code": "999", "la_person_unique_identifier": f"P{n}", "client_type": "Service user",
            "date_of_birth": "1940-01-01", "gender": "Female", "event_type": "Service",
            "service_type": "Short term support: ST-Max", "service_component": "Reablement",
            "event_start_date": start, "event_end_date": end, "event_outcome": outcome}


@pytest.fixture
def loaded(_web_store, tmp_path, settings):
    settings.ASC_ASSURE_TODAY = dt.date(2025, 3, 31)
    rows = [_reablement(i, "2024-06-01", "2024-06-20", "NFA: Support ended as planned") for i in range(12)]
    rows += [_reablement(100 + i, "2024-07-01", "2024-07-20", "Admitted to hospital") for i in range(3)]
    path = write_extract(tmp_path / "cld.csv", "cld", rows)
    result = ingest_file(_web_store, path, as_of=dt.date(2025, 3, 31), key=bytes(range(32)), kind="cld")
    assert result.status == "loaded", result
    earlier = {**_reablement(500, "2023-06-01", "2023-06-20", "NFA: Support ended as planned"),
               "reporting_period_start_date": "2023-04-01", "reporting_period_end_date": "2024-03-31"}
    path = write_extract(tmp_path / "cld_2023.csv", "cld", [earlier])
    again = ingest_file(_web_store, path, as_of=dt.date(2025, 3, 31), key=bytes(range(32)), kind="cld")
    assert again.status == "loaded"
    return _web_store


@pytest.fixture
def as_role(client, make_user):
    def login(role: str):
        client.force_login(make_user(role, role=role, password=None))
        return client
    return login


def test_signed_out_people_are_sent_to_sign_in(client):
    assert client.get("/ascof/").status_code == 302


def test_an_empty_store_explains_what_to_load(as_role, settings):
    settings.ASC_ASSURE_TODAY = dt.date(2025, 3, 31)
    page = as_role("performance_analyst").get("/ascof/")
    assert page.status_code == 200 and "No CLD submissions are loaded yet" in page.content.decode()


@pytest.mark.parametrize("role", ["administrator", "assurance_lead", "performance_analyst", "team_manager"])
def test_staff_see_exact_figures_disaggregation_and_unavailable_2d(as_role, role, loaded):
    page = as_role(role).get("/ascof/?period=2024-25")
    html = page.content.decode()
    assert page.status_code == 200
    assert "2A: Short-term support for new clients" in html
    assert ">12<" in html and "100.0%" in html  # 12 of 12 classified episodes had no further request
    assert "2A: reablement episodes by sequel" in html and "Admitted to hospital" in html
    assert "ASCOF 2D is not available" in html and "Not available" in html
    assert "1 Apr 24 - 31 Mar 25" in html


def test_viewers_see_suppressed_counts(as_role, loaded):
    html = as_role("viewer").get("/ascof/").content.decode()
    assert "Published form" in html
    assert "[c]" in html  # the 3 hospital admissions in the disaggregation
    assert ">10<" in html  # 12 rounded to the nearest 5


def test_an_unknown_period_shows_an_error_summary(as_role, loaded):
    html = as_role("performance_analyst").get("/ascof/?period=1999-00").content.decode()
    assert "Choose a reporting period from the list" in html and 'href="#period"' in html


def test_rolling_periods_are_offered_and_results_are_cached(as_role, loaded):
    c = as_role("performance_analyst")
    html = c.get("/ascof/").content.decode()
    assert 'value="r2024-12-31"' in html
    assert c.get("/ascof/?period=r2024-12-31").status_code == 200
    cached = list((Workspace.for_store(loaded).files_dir / "ascof").glob("*.json"))
    assert {p.name.split("-")[0] for p in cached} >= {"r2024"}

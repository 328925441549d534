"""The ASCOF benchmarking page: empty state, who may load the national file, figures, suppression, audit."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from asc_assure.assurance.workspace import Workspace
from asc_assure.measures import benchmark as bmk
from asc_assure.web.models import AuditEvent

# Twelve councils on 2A (Total): council 101 has 3 of 4 (small numbers), the rest 60-82 of 100.
ROWS = [{"la_code": "101", "measure": "2A", "grp": "Total", "numerator": 3, "denominator": 4, "outcome": 75.0}]
ROWS += [{"la_code": str(101 + i), "measure": "2A", "grp": "Total", "numerator": 58 + 2 * i, "denominator": 100,
          "outcome": float(58 + 2 * i)} for i in range(1, 12)]
ROWS += [{"la_code": str(101 + i), "measure": "2C", "grp": "65 and above", "numerator": 40 + i,
          "denominator": 50_000, "outcome": round((40 + i) / 50_000 * 100_000, 1)} for i in range(12)]


def _csv(rows: list[dict]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode()


@pytest.fixture
def as_role(client, make_user):
    users: dict = {}

    def login(role: str):
        if role not in users:
            users[role] = make_user(role, role=role, password=None)
        client.force_login(users[role])
        return client
    return login


@pytest.fixture
def loaded(as_role, _web_store):
    c = as_role("performance_analyst")
    page = c.post("/ascof/benchmark/upload/", {"results": SimpleUploadedFile("national.csv", _csv(ROWS)),
                                                 "peers": "105, 106\n107 # neighbours"})
    assert page.status_code == 302, page.content.decode()[:2000]
    c.logout()
    return _web_store


def test_without_a_national_file_the_page_says_how_to_make_one(as_role):
    page = as_role("viewer").get("/ascof/benchmark/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "No national results file is loaded" in html and "spark_job" in html and "--json" in html
    assert 'name="results"' not in html  # viewers cannot load it


def test_the_ascof_page_links_to_benchmarking(as_role):
    assert 'href="/ascof/benchmark/"' in as_role("viewer").get("/ascof/").content.decode()


def test_only_people_who_may_upload_can_load_the_national_file(as_role, _web_store):
    page = as_role("viewer").post("/ascof/benchmark/upload/",
                                  {"results": SimpleUploadedFile("national.csv", _csv(ROWS))})
    assert page.status_code == 403
    assert bmk.results_info(Workspace.for_store(_web_store)) is None


def test_upload_keeps_the_file_and_peers_in_the_workspace_and_is_audited(loaded):
    ws = Workspace.for_store(loaded)
    info = bmk.results_info(ws)
    assert info["file"] == "national.csv" and info["councils"] == 12 and info["loaded_by"] == "performance_analyst"
    assert (ws.files_dir / "benchmark" / "national.parquet").is_file()
    assert bmk.load_peers(ws) == ["105", "106", "107"]
    events = list(AuditEvent.objects.filter(event="benchmark_upload").values_list("object", flat=True))
    assert "national.csv" in events and "peer group" in events


def test_staff_see_rank_quartile_comparators_chart_and_exact_counts(as_role, loaded):
    page = as_role("performance_analyst").get("/ascof/benchmark/?measure=2A&group=Total&la=112")
    html = page.content.decode()
    assert page.status_code == 200
    # 112 has 80 of 100, the highest of the 12 councils
    assert "1 of 12 councils" in html and "higher is better" in html
    assert "Peer group (mean of councils)" in html
    assert '<svg' in html and 'role="img"' in html and "Funnel plot of 2A (Total) for 12 councils" in html
    assert "101 Council 101" in html and ">3<" in html and ">4<" in html  # exact small counts for staff
    assert AuditEvent.objects.filter(event="benchmark_view", object="2A Total").exists()


def test_rates_per_100000_use_their_own_groups(as_role, loaded):
    html = as_role("performance_analyst").get("/ascof/benchmark/?measure=2C&group=65+and+above&la=101"
                                              ).content.decode()
    assert "lower is better" in html and "per 100,000" in html and "1 of 12 councils" in html


def test_viewers_see_small_numbers_suppressed_and_left_out_of_the_chart(as_role, loaded):
    html = as_role("viewer").get("/ascof/benchmark/?measure=2A&la=101").content.decode()
    assert "Published form" in html
    assert "[c] of [c]" in html  # the council's own 3 of 4
    assert "Funnel plot of 2A (Total) for 11 councils" in html
    assert "1 council is left out of the chart" in html
    assert "101 Council 101" not in html.split('id="funnel-figures"')[1]
    assert ">100<" in html  # other councils' denominators, rounded to 5 (100 stays 100)


def test_a_bad_file_is_refused_with_an_error_summary(as_role, _web_store):
    bad = SimpleUploadedFile("national.csv", b"la_code,value\n101,3\n")
    page = as_role("performance_analyst").post("/ascof/benchmark/upload/", {"results": bad})
    html = page.content.decode()
    assert page.status_code == 400 and "There is a problem" in html and "numerator" in html
    assert 'href="#results"' in html
    assert bmk.results_info(Workspace.for_store(_web_store)) is None
    assert AuditEvent.objects.filter(event="benchmark_upload", details__status="failed").exists()


def test_an_unknown_measure_is_an_error_not_a_crash(as_role, loaded):
    html = as_role("viewer").get("/ascof/benchmark/?measure=9Z").content.decode()
    assert "Choose a measure from the list" in html


def test_the_json_of_asc_assure_ascof_can_be_loaded(as_role, _web_store):
    import json

    data = {"period": {"start": "2024-04-01", "end": "2025-03-31"}, "figures": ROWS}
    page = as_role("administrator").post("/ascof/benchmark/upload/", {
        "results": SimpleUploadedFile("ascof.json", json.dumps(data).encode())})
    assert page.status_code == 302
    info = bmk.results_info(Workspace.for_store(_web_store))
    assert info["councils"] == 12 and info["period"] == "2024-04-01 to 2025-03-31"

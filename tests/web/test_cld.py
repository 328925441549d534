"""CLD pages: who may check a file and see DHSC's waiting times, the upload journey, downloads, audit."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from asc_assure.data.contracts import get_contract
from asc_assure.data.ingest import ingest_file
from asc_assure.web.models import AuditEvent

ROLES = ["administrator", "assurance_lead", "performance_analyst", "team_manager", "viewer"]


def cld_csv(rows: list[dict[str, str]]) -> bytes:
    cols = get_contract("cld").columns
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([c.display_header for c in cols])
    for r in rows:
        w.writerow([r.get(c.name, "") for c in cols])
    return out.getvalue().encode()


def row(person: str, event_type: str = "Request", start: str = "2024-04-01", end: str = "2024-04-01",
        outcome: str = "Progress to assessment, review or reassessment", **more: str) -> dict[str, str]:
    base = {"la_code": "931", "reporting_period_start_date": "2024-04-01", "reporting_period_end_date": "2024-06-30",
            "la_person_unique_identifier": person, "date_of_birth": "1950-01-01", "client_type": "Service user",
            "event_type": event_type, "event_start_date": start, "event_end_date": end, "event_outcome": outcome,
            "request_route_of_access": "Community / other route"}
    base.update(more)
    return base


GOOD = row("P1")
BAD = row("P2", event_outcome="", ethnicity="Martian")


@pytest.fixture
def as_role(client, make_user):
    def login(role: str):
        client.force_login(make_user(role, role=role, password=None))
        return client
    return login


@pytest.mark.parametrize("role", ROLES)
def test_only_performance_analysts_check_cld_files(as_role, role):
    c = as_role(role)
    expected = 200 if role == "performance_analyst" else 403
    assert c.get("/cld/validate/").status_code == expected
    resp = c.post("/cld/validate/", {"file": SimpleUploadedFile("cld.csv", cld_csv([GOOD]))})
    assert resp.status_code == expected


def test_validation_journey_summary_issues_downloads_and_audit(as_role):
    c = as_role("performance_analyst")
    resp = c.post("/cld/validate/", {"file": SimpleUploadedFile("q1.csv", cld_csv([GOOD, BAD]))})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Errors found" in html and "Martian" in html and "Event Outcome" in html
    assert '<caption class="govuk-table__caption govuk-table__caption--m">Problems by rule</caption>' in html
    links = re.findall(r'href="(/cld/validate/[0-9a-f]{32}/report\.(?:xlsx|html))"', html)
    assert len(links) == 2
    xlsx = c.get(next(x for x in links if x.endswith(".xlsx")))
    assert xlsx.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert wb.sheetnames == ["Summary", "Issues"]
    page = c.get(next(x for x in links if x.endswith(".html")))
    assert b"CLD pre-submission validation" in b"".join(page.streaming_content)
    events = list(AuditEvent.objects.filter(event__startswith="cld_").values_list("event", flat=True))
    assert events == ["cld_validated", "cld_report_downloaded", "cld_report_downloaded"]
    validated = AuditEvent.objects.get(event="cld_validated")
    assert validated.details["errors"] == 2 and validated.object == "q1.csv"
    assert as_role("viewer").get(links[0]).status_code == 403


def test_the_uploaded_file_is_not_kept(as_role, _web_store):
    c = as_role("performance_analyst")
    c.post("/cld/validate/", {"file": SimpleUploadedFile("secret.csv", cld_csv([GOOD]))})
    kept = [p.name for p in _web_store.parent.rglob("*") if p.is_file()]
    assert "secret.csv" not in kept
    assert "report.xlsx" in kept


def test_form_errors_and_an_unreadable_file(as_role):
    c = as_role("performance_analyst")
    resp = c.post("/cld/validate/", {"period_start": "31/02/2025"})
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "There is a problem" in html and "Select the CLD file" in html and 'href="#period_start"' in html
    resp = c.post("/cld/validate/", {"file": SimpleUploadedFile("x.csv", b"\x00\x01\x02")})
    assert resp.status_code == 400 and "Could not be read" in resp.content.decode()


def test_unknown_report_is_not_found(as_role):
    c = as_role("performance_analyst")
    assert c.get("/cld/validate/" + "0" * 32 + "/report.xlsx").status_code == 404
    assert c.get("/cld/validate/not-a-token/report.xlsx").status_code == 404


@pytest.fixture
def loaded(_web_store, tmp_path):
    rows = [row("A"), row("A", "Assessment", "2024-04-11", "2024-04-15", "Progress to support planning or services",
                          assessment_type="Long term assessment")]
    rows += [row(f"B{i}") for i in range(5)]
    rows += [row(f"B{i}", "Assessment", "2024-04-21", "2024-04-25", "NFA: Support declined",
                 assessment_type="Short term assessment") for i in range(5)]
    path = tmp_path / "cld.csv"
    path.write_bytes(cld_csv(rows))
    ingest_file(_web_store, path, as_of=dt.date(2024, 7, 31), key=bytes(range(32)))
    return _web_store


@pytest.mark.parametrize("role", ROLES)
def test_everyone_with_view_ascof_sees_waiting_times_viewers_suppressed(as_role, role, loaded):
    resp = as_role(role).get("/cld/waiting-times/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Q1 2024-25 (Apr to Jun 2024)" in html and "Why the two differ" in html
    # A waited 10 days and the five Bs 20 days: median 20 over 6 waits
    if role == "viewer":
        assert '20.0 <span class="govuk-body-s">(5)</span>' in html, "viewers see counts rounded to 5"
        assert "small-number suppression" in html
    else:
        assert '20.0 <span class="govuk-body-s">(6)</span>' in html
    assert AuditEvent.objects.filter(event="view_dhsc_waiting_times").count() == 1


def test_waiting_times_without_cld_and_with_a_bad_quarter(as_role):
    c = as_role("performance_analyst")
    resp = c.get("/cld/waiting-times/")
    assert resp.status_code == 200 and "No CLD file has been loaded" in resp.content.decode()
    resp = c.get("/cld/waiting-times/?from=spring")
    assert resp.status_code == 400 and 'href="#from"' in resp.content.decode()


@pytest.mark.django_db
def test_the_cld_check_is_found_from_the_upload_and_ascof_pages(client, make_user):
    client.force_login(make_user("pa", role="performance_analyst", password=None))
    assert 'href="/cld/validate/"' in client.get("/upload/").content.decode()
    assert 'href="/cld/validate/"' in client.get("/ascof/").content.decode()
    client.force_login(make_user("cllr", role="viewer", password=None))
    assert 'href="/cld/validate/"' not in client.get("/ascof/").content.decode()

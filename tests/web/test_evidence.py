"""Evidence library pages: who may see and change what, the add-download-edit-retire journey, coverage."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from asc_assure.assurance import evidence as ev
from asc_assure.assurance import evidence_files
from asc_assure.assurance.workspace import Workspace
from asc_assure.web.models import AuditEvent
from asc_assure.web.permissions import ROLES

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TODAY = dt.date.today()


@pytest.fixture
def ws(_web_store) -> Workspace:
    return Workspace.for_store(_web_store)


@pytest.fixture
def as_role(client, make_user):
    def login(role: str) -> Client:
        client.force_login(make_user(role, role=role, password=None))
        return client
    return login


def add_link(ws: Workspace, **over) -> int:
    fields = {"actor": "seed", "title": "Carers survey local results", "category": "peoples-experience",
              "statements": ["assessing-needs"], "source_type": "survey", "owner": "Performance team",
              "evidence_date": TODAY - dt.timedelta(days=100), "review_by": TODAY + dt.timedelta(days=100),
              "link": "https://intranet.example.gov.uk/carers"}
    return ev.add_item(ws, **{**fields, **over})


def form(**over) -> dict:
    data = {"title": "Safeguarding policy", "summary": "Multi-agency procedures", "category": "processes",
            "statements": ["safeguarding", "safe-pathways-systems-transitions"], "source_type": "policy",
            "owner": "Head of Safeguarding", "evidence_date-day": "1", "evidence_date-month": "4",
            "evidence_date-year": "2024", "review_by-day": "", "review_by-month": "", "review_by-year": "",
            "kind": "link", "link": "https://intranet.example.gov.uk/safeguarding"}
    data.update(over)
    return data


VIEW_PAGES = ["/assurance/evidence/", "/assurance/evidence/coverage/", "/assurance/evidence/1/"]
EDIT_PAGES = ["/assurance/evidence/add/", "/assurance/evidence/1/edit/"]
VIEWERS = {"administrator", "assurance_lead", "performance_analyst", "team_manager"}
EDITORS = {"assurance_lead", "performance_analyst", "team_manager"}


@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_reaches_exactly_its_evidence_pages(as_role, ws, role):
    add_link(ws)
    client = as_role(role)
    for page in VIEW_PAGES:
        assert client.get(page).status_code == (200 if role in VIEWERS else 403), (role, page)
    for page in EDIT_PAGES:
        assert client.get(page).status_code == (200 if role in EDITORS else 403), (role, page)
    r = client.post("/assurance/evidence/1/retire/", {"reason": "x"})
    assert r.status_code == (302 if role in EDITORS else 403)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for page in VIEW_PAGES + EDIT_PAGES:
        r = client.get(page)
        assert r.status_code == 302 and r.url.startswith("/sign-in/")


def test_upload_download_edit_retire_journey_is_audited(as_role, ws):
    client = as_role("team_manager")
    upload = SimpleUploadedFile("Safeguarding policy 2024.pdf", PDF, content_type="application/pdf")
    r = client.post("/assurance/evidence/add/", form(kind="file", link="", file=upload, **{
        "review_by-day": "1", "review_by-month": "4", "review_by-year": "2026"}))
    assert r.status_code == 302, r.content.decode()[:2000]
    item_url = r.url.split("?")[0]
    item_id = int(re.search(r"/(\d+)/$", item_url).group(1))
    body = client.get(r.url).content.decode()
    assert "Evidence added" in body and "Download Safeguarding policy 2024.pdf" in body
    assert hashlib.sha256(PDF).hexdigest() in body and "6. Safe pathways, systems and transitions" in body

    r = client.get(f"{item_url}download/")
    assert r.status_code == 200 and r.content == PDF
    assert r["Content-Type"] == "application/pdf" and r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Disposition"] == 'attachment; filename="Safeguarding policy 2024.pdf"'

    edit = client.get(f"{item_url}edit/").content.decode()
    assert 'value="Safeguarding policy"' in edit and "Currently Safeguarding policy 2024.pdf" in edit
    r = client.post(f"{item_url}edit/", form(kind="file", link="", **{
        "review_by-day": "30", "review_by-month": "9", "review_by-year": "2026"}))
    assert r.status_code == 302
    item = ev.get_item(ws, item_id)
    assert item["review_by"] == "2026-09-30" and item["file_name"] == "Safeguarding policy 2024.pdf"  # file kept
    page = client.get(item_url).content.decode()
    assert "Review by: 2026-04-01 → 2026-09-30" in page and "team_manager" in page

    r = client.post(f"{item_url}retire/", {"reason": "Superseded by the 2025 procedures"})
    assert r.status_code == 302 and ev.get_item(ws, item_id)["retired"]
    assert "Superseded by the 2025 procedures" in client.get(item_url).content.decode()
    assert "Safeguarding policy" not in client.get("/assurance/evidence/").content.decode()
    client.post(f"{item_url}reinstate/")
    assert not ev.get_item(ws, item_id)["retired"]

    events = list(AuditEvent.objects.filter(object=f"evidence:{item_id}").order_by("id")
                  .values_list("event", "actor"))
    assert events == [("evidence_added", "team_manager"), ("evidence_downloaded", "team_manager"),
                      ("evidence_updated", "team_manager"), ("evidence_retired", "team_manager"),
                      ("evidence_reinstated", "team_manager")]
    downloaded = AuditEvent.objects.get(event="evidence_downloaded")
    assert downloaded.details["sha256"] == hashlib.sha256(PDF).hexdigest()


def test_missing_answers_give_an_error_summary_linked_to_each_field(as_role, ws):
    client = as_role("assurance_lead")
    r = client.post("/assurance/evidence/add/", {"evidence_date-day": "31", "evidence_date-month": "2",
                                                 "evidence_date-year": "2024"})
    assert r.status_code == 400
    body = r.content.decode()
    assert "There is a problem" in body and "<title>Error: Add evidence" in body
    for href, text in [("#title", "Enter a title"), ("#category", "Select the CQC evidence category"),
                       ("#statements", "Select at least one quality statement"),
                       ("#source_type", "Select the type of source"), ("#owner", "Enter who owns this evidence"),
                       ("#evidence_date-day", "The date of the evidence must be a real date"),
                       ("#kind", "Select whether you are uploading a file or giving a link")]:
        assert f'href="{href}">{text}' in body, href
    assert ev.list_items(ws, today=TODAY) == []


@pytest.mark.parametrize(("over", "href", "text"), [
    ({"link": "intranet/policy"}, "#link", "Enter a web address starting with https://"),
    ({"kind": "file", "link": ""}, "#file", "Select a file to upload"),
    ({"review_by-day": "1", "review_by-month": "1", "review_by-year": "2024"}, "#review_by-day",
     "The review-by date must be the same as or after the date of the evidence"),
    ({"kind": "file", "file": SimpleUploadedFile("run.exe", b"MZ\x90\x00")}, "#file", "is not an accepted type"),
    ({"kind": "file", "file": SimpleUploadedFile("policy.pdf", b"MZ\x90\x00 program")}, "#file",
     "does not look like a .pdf file"),
])
def test_bad_answers_are_shown_against_their_field(as_role, ws, over, href, text):
    r = as_role("performance_analyst").post("/assurance/evidence/add/", form(**over))
    assert r.status_code == 400
    body = r.content.decode()
    assert re.search(f'href="{href}">[^<]*{re.escape(text)}', body), body[body.find("There is a problem"):][:600]
    assert ev.list_items(ws, today=TODAY) == []


def test_an_altered_file_is_not_served_and_the_attempt_is_audited(as_role, ws, tmp_path):
    path = tmp_path / "audit.pdf"
    path.write_bytes(PDF)
    item_id = add_link(ws, link=None, file_path=path)
    stored = evidence_files.path_for(ws.files_dir, ev.get_item(ws, item_id)["file_sha256"])
    os.chmod(stored, 0o644)
    stored.write_bytes(PDF + b"% edited\n")
    r = as_role("assurance_lead").get(f"/assurance/evidence/{item_id}/download/")
    assert r.status_code == 409 and b"edited" not in r.content
    assert "no longer matches what was uploaded" in r.content.decode()
    assert AuditEvent.objects.get(event="evidence_file_check_failed").object == f"evidence:{item_id}"
    assert not AuditEvent.objects.filter(event="evidence_downloaded").exists()


def test_link_items_have_no_download_and_unknown_items_are_404(as_role, ws):
    item_id = add_link(ws)
    client = as_role("assurance_lead")
    assert client.get(f"/assurance/evidence/{item_id}/download/").status_code == 404
    assert client.get("/assurance/evidence/999/").status_code == 404
    body = client.get(f"/assurance/evidence/{item_id}/").content.decode()
    assert 'href="https://intranet.example.gov.uk/carers"' in body and "Download" not in body


def test_list_search_and_filters(as_role, ws):
    add_link(ws, title="Carers survey local results")
    add_link(ws, title="Waiting list audit", category="processes", source_type="case-audit",
             owner="Principal Social Worker", review_by=TODAY - dt.timedelta(days=1))
    client = as_role("team_manager")
    body = client.get("/assurance/evidence/").content.decode()
    assert "2 evidence items" in body and "Carers survey local results" in body and "Waiting list audit" in body
    assert '<label class="govuk-label govuk-label--s" for="filter-q">Search</label>' in body
    body = client.get("/assurance/evidence/?q=WAITING").content.decode()
    assert "1 evidence item matches" in body and "Carers survey" not in body
    body = client.get("/assurance/evidence/?status=stale").content.decode()
    assert "Waiting list audit" in body and "Carers survey" not in body and ">Stale</strong>" in body
    body = client.get("/assurance/evidence/?category=peoples-experience&source_type=survey").content.decode()
    assert "Carers survey" in body and "Waiting list audit" not in body
    r = client.get("/assurance/evidence/?statement=nonsense")
    assert "There is a problem" in r.content.decode() and 'href="#filter-statement"' in r.content.decode()


def test_coverage_page_is_a_table_of_statements_by_category_with_text_tags(as_role, ws):
    add_link(ws)
    add_link(ws, review_by=TODAY - dt.timedelta(days=3))
    add_link(ws, category="processes", statements=["safeguarding"], review_by=TODAY - dt.timedelta(days=3))
    body = as_role("assurance_lead").get("/assurance/evidence/coverage/").content.decode()
    assert '<caption class="govuk-table__caption govuk-table__caption--m">Quality statements by evidence category' \
        in body
    assert '<th scope="col" class="govuk-table__header">Feedback from partners</th>' in body
    assert ">How local authorities ensure safety within the system</th>" in body
    row = body.split("1. Assessing needs</a></th>", 1)[1].split("</tr>", 1)[0]
    assert "1 current, 1 stale</a>" in row and row.count(">Gap</strong>") == 3
    row = body.split("7. Safeguarding</a></th>", 1)[1].split("</tr>", 1)[0]
    assert "0 current, 1 stale</a>" in row and ">Stale</strong>" in row
    assert "34 gaps and 1 with only stale evidence" in body
    assert "Items past their review-by date" in body and "Carers survey local results" in body


def test_demo_library_renders(as_role, ws, tmp_path):
    ev.seed_demo(ws, tmp_path, dt.date(2025, 3, 31))
    client = as_role("viewer")
    assert client.get("/assurance/evidence/").status_code == 403
    client = as_role("performance_analyst")
    body = client.get("/assurance/evidence/").content.decode()
    assert "LGA adult social care peer review" in body
    assert client.get("/assurance/evidence/coverage/").status_code == 200


def test_coverage_can_be_shown_for_another_date(as_role, ws):
    add_link(ws, evidence_date=dt.date(2024, 1, 1), review_by=dt.date(2025, 3, 31))
    client = as_role("assurance_lead")
    on_the_day = client.get("/assurance/evidence/coverage/?on=31/3/2025").content.decode()
    assert "on 31 March 2025" in on_the_day and "1 evidence item: 1 current, 0 stale" in on_the_day
    day_after = client.get("/assurance/evidence/coverage/?on=2025-04-01").content.decode()
    assert "1 evidence item: 0 current, 1 stale" in day_after
    r = client.get("/assurance/evidence/coverage/?on=31/2/2025")
    assert "Enter a real date, for example 31/3/2025" in r.content.decode() and 'href="#on"' in r.content.decode()

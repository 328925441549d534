"""Improvement plan pages: who may read, update and edit; a full journey; everything audited."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import load_workbook

from asc_assure.assurance import plan
from asc_assure.assurance.workspace import Workspace
from asc_assure.web.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def ws():
    ws = Workspace.for_store(Path(settings.ASC_ASSURE_STORE))
    plan.seed_demo(ws, Path(settings.ASC_ASSURE_STORE), dt.date.today())
    return ws


@pytest.fixture
def login(client, make_user):
    def as_(username: str, role: str):
        client.force_login(make_user(username, role=role, password=None))
        return client

    return as_


READ_PAGES = ["/plan/", "/plan/?view=statement", "/plan/?view=owner", "/plan/?view=overdue",
              "/plan/?view=due-soon", "/plan/?owner=team-manager", "/plan/actions/1.2/", "/plan/measures/"]
EDIT_PAGES = ["/plan/actions/new/", "/plan/actions/1.2/edit/", "/plan/workstreams/new/",
              "/plan/workstreams/WS1/edit/", "/plan/import/", "/plan/export.xlsx"]


@pytest.mark.parametrize("role", ["administrator", "assurance_lead", "performance_analyst", "team_manager",
                                  "viewer"])
def test_everyone_reads_the_plan_only_the_assurance_lead_edits_it(ws, login, role):
    client = login(role.replace("_", "-"), role)
    for page in READ_PAGES:
        assert client.get(page).status_code == 200, page
    for page in EDIT_PAGES:
        expected = 200 if role == "assurance_lead" else 403
        assert client.get(page).status_code == expected, (page, role)


def test_anonymous_users_are_sent_to_sign_in(ws, client):
    r = client.get("/plan/")
    assert r.status_code == 302 and r.url.startswith("/sign-in/")


def test_overview_shows_rag_counts_and_ratings_as_words(ws, login):
    body = login("viewer", "viewer").get("/plan/").content.decode()
    summary = plan.plan_summary(ws, dt.date.today())
    assert "Assessment timeliness and hospital discharge" in body
    first = summary["workstreams"][0]
    assert "The plan at a glance" in body and f'>{summary["totals"]["red"]}</td>' in body
    assert f'{first["red"]} Red</strong>' in body and ">Red</strong>" in body and ">Complete</strong>" in body
    assert "<caption" in body and 'scope="col"' in body
    overdue = login("viewer2", "viewer").get("/plan/?view=overdue").content.decode()
    assert "Days overdue" in overdue and "/plan/actions/1.2/" in overdue and "/plan/actions/1.3/" not in overdue


def test_owner_updates_their_own_action_and_the_log_records_it(ws, login):
    client = login("team-manager", "team_manager")
    page = client.get("/plan/actions/1.3/").content.decode()
    assert "Record progress" in page and 'for="note"' in page
    r = client.post("/plan/actions/1.3/progress/", {"status": "in progress", "percent_complete": "65",
                                                    "evidence": "", "note": "Audit of 20 referrals done"})
    assert r.status_code == 302 and r.url == "/plan/actions/1.3/"
    action = plan.get_action(ws, "1.3", dt.date.today())
    assert action["percent_complete"] == 65
    assert action["log"][0]["who"] == "team-manager" and action["log"][0]["note"] == "Audit of 20 referrals done"
    assert ws.changes("plan_action", "1.3")[0]["actor"] == "team-manager"
    ev = AuditEvent.objects.get(event="plan_action_progress")
    assert ev.actor == "team-manager" and ev.object == "1.3"
    page = client.get("/plan/actions/1.3/").content.decode()
    assert "Audit of 20 referrals done" in page and "40 → 65" in page


def test_owner_cannot_update_someone_elses_action_or_edit_fields(ws, login):
    client = login("team-manager", "team_manager")
    assert "Record progress" not in client.get("/plan/actions/1.2/").content.decode()  # owned by assurance-lead
    r = client.post("/plan/actions/1.2/progress/", {"note": "sneaky"})
    assert r.status_code == 403
    assert client.post("/plan/actions/1.3/edit/", {"description": "changed"}).status_code == 403
    viewer = login("viewer", "viewer")
    assert viewer.post("/plan/actions/1.3/progress/", {"note": "hello"}).status_code == 403
    assert AuditEvent.objects.filter(event="access_denied").count() == 3
    assert plan.get_action(ws, "1.2", dt.date.today())["log"][0]["note"] != "sneaky"


def test_progress_errors_are_shown_in_an_error_summary(ws, login):
    client = login("team-manager", "team_manager")
    r = client.post("/plan/actions/1.3/progress/", {"status": "complete", "percent_complete": "100",
                                                    "evidence": "", "note": ""})
    body = r.content.decode()
    assert r.status_code == 400 and "There is a problem" in body and 'href="#evidence"' in body
    assert plan.get_action(ws, "1.3", dt.date.today())["status"] == "in progress"


def test_assurance_lead_journey_add_edit_export_import(ws, login):
    client = login("assurance-lead", "assurance_lead")
    r = client.post("/plan/workstreams/new/", {"ref": "WS7", "name": "Transitions", "lead": "Head of Transitions",
                                               "sponsor": "", "description": ""})
    assert r.status_code == 302
    bad = client.post("/plan/actions/new/", {"ref": "7.1", "workstream_ref": "WS7", "description": "Protocol",
                                             "owner": "team-manager", "due_date": "31/02/2026", "status": "not started",
                                             "percent_complete": "0"})
    assert bad.status_code == 400 and 'href="#due_date"' in bad.content.decode()
    r = client.post("/plan/actions/new/", {
        "ref": "7.1", "workstream_ref": "WS7", "description": "Agree the moving into adulthood protocol",
        "owner": "team-manager", "start_date": "", "due_date": "31/12/2030", "status": "not started",
        "percent_complete": "0", "depends_on": "1.1", "statements": ["safe-pathways-systems-transitions"],
        "evidence": ""})
    assert r.status_code == 302 and r.url == "/plan/actions/7.1/"
    dup = client.post("/plan/actions/new/", {"ref": "7.1", "workstream_ref": "WS7", "description": "x",
                                             "due_date": "31/12/2030"})
    assert dup.status_code == 400 and "already exists" in dup.content.decode()
    loop = client.post("/plan/actions/1.1/edit/", {
        "workstream_ref": "WS1", "description": "x", "due_date": "31/12/2030", "status": "in progress",
        "percent_complete": "5", "depends_on": "7.1"})
    assert loop.status_code == 400 and "loop" in loop.content.decode()
    r = client.post("/plan/actions/7.1/edit/", {
        "workstream_ref": "WS7", "description": "Agree the moving into adulthood protocol", "owner": "team-manager",
        "due_date": "31/12/2030", "status": "in progress", "percent_complete": "20", "depends_on": "1.1",
        "statements": ["safe-pathways-systems-transitions"], "evidence": ""})
    assert r.status_code == 302
    action = plan.get_action(ws, "7.1", dt.date.today())
    assert action["percent_complete"] == 20 and action["depends_on"] == ["1.1"]
    r = client.get("/plan/export.xlsx")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    data = b"".join(r.streaming_content)
    book = load_workbook(io.BytesIO(data))
    assert "7.1" in [c.value for c in book["Actions"]["A"]]
    upload = io.BytesIO(data)
    upload.name = "plan.xlsx"
    r = client.post("/plan/import/", {"file": upload})
    body = r.content.decode()
    assert r.status_code == 200 and "No problems" in body and "What the import did" in body
    events = set(AuditEvent.objects.values_list("event", flat=True))
    assert {"plan_workstream_create", "plan_action_create", "plan_action_edit", "plan_export",
            "plan_import"} <= events
    assert AuditEvent.objects.get(event="plan_import").details == {"changed": 0, "refused": 0}


def test_import_refuses_a_file_that_is_not_a_workbook(ws, login):
    client = login("assurance-lead", "assurance_lead")
    r = client.post("/plan/import/", {})
    assert r.status_code == 400 and 'href="#file"' in r.content.decode()
    upload = io.BytesIO(b"ref,description\n1,x\n")
    upload.name = "plan.csv"
    assert client.post("/plan/import/", {"file": upload}).status_code == 400
    fake = io.BytesIO(b"not really a workbook")
    fake.name = "plan.xlsx"
    r = client.post("/plan/import/", {"file": fake})
    assert r.status_code == 400 and "could not read plan.xlsx" in r.content.decode()


def test_unknown_action_is_404(ws, login):
    client = login("assurance-lead", "assurance_lead")
    assert client.get("/plan/actions/9.9/").status_code == 404
    assert client.get("/plan/workstreams/WS99/edit/").status_code == 404


def test_success_measures_page_lists_targets_and_findings(ws, login):
    body = login("viewer", "viewer").get("/plan/measures/").content.decode()
    assert "Standard DoLS applications decided within 21 days" in body
    assert "CQC report 2025" in body and "Not a measured figure" in body

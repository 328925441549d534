"""Assessment preparation pages: the timeline, the information-return checklist and case tracking, for
each role; a full journey; every person-level view and export in the audit log."""

from __future__ import annotations

import datetime as dt

import pytest

from asc_assure.assurance import case_tracking as ct
from asc_assure.assurance import timeline as tl
from asc_assure.assurance.workspace import Workspace
from asc_assure.web.models import AuditEvent
from asc_assure.web.permissions import ROLES
from test_case_tracking import build_case_store

PAGES = {"timeline": "/assurance/timeline/", "return": "/assurance/information-return/",
         "return_item": "/assurance/information-return/self_assessment/", "cases": "/assurance/cases/"}
ALLOWED = {
    "timeline": {"administrator", "assurance_lead", "performance_analyst", "team_manager"},
    "return": {"administrator", "assurance_lead", "performance_analyst", "team_manager"},
    "return_item": {"administrator", "assurance_lead", "performance_analyst", "team_manager"},
    "cases": {"assurance_lead", "performance_analyst"},
}


@pytest.fixture(scope="module")
def case_store(tmp_path_factory):
    return build_case_store(tmp_path_factory.mktemp("webcases"), people=120)


@pytest.fixture
def as_role(client, make_user):
    def login(role: str, username: str | None = None):
        client.force_login(make_user(username or role, role=role, password=None))
        return client
    return login


def events(name: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event=name).order_by("id"))


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("role", sorted(ROLES))
def test_role_page_matrix(as_role, role, page):
    r = as_role(role).get(PAGES[page])
    assert r.status_code == (200 if role in ALLOWED[page] else 403), (role, page)


@pytest.mark.django_db
def test_only_assessment_managers_change_the_timeline(as_role):
    c = as_role("performance_analyst")
    r = c.post("/assurance/timeline/", {"action": "generate", "notified": "15/7/2024"})
    assert r.status_code == 403
    assert events("access_denied")[-1].details == {"action": "manage_assessment"}


@pytest.mark.django_db
def test_timeline_journey(as_role, settings):
    c = as_role("assurance_lead", "lead")
    r = c.post("/assurance/timeline/", {"action": "generate", "notified": "32/7/2024"})
    assert r.status_code == 400 and "There is a problem" in r.content.decode()
    assert "notification date must be a real date" in r.content.decode()
    r = c.post("/assurance/timeline/", {"action": "generate", "notified": "15/7/2024"})
    assert r.status_code == 302
    body = c.get("/assurance/timeline/").content.decode()
    assert "Information return and self-assessment submitted to CQC" in body and "2 Aug 2024" in body
    assert "Overdue" in body  # the demo dates are long past
    r = c.post("/assurance/timeline/", {"action": "add_task", "title": "Brief councillors", "due": "1/12/2024",
                                        "owner": "sam", "milestone": "leadership_presentation"})
    assert r.status_code == 302
    r = c.post("/assurance/timeline/", {"action": "generate", "notified": "15/7/2024", "onsite_notified": "11/11/2024"})
    body = c.get(r.url).content.decode()
    assert "Timeline updated" in body and "Brief councillors: 1 Dec 2024 to 8 Dec 2024" in body
    assert events("timeline_generated")[-1].details["moved"] > 0
    ws = Workspace.for_store(settings.ASC_ASSURE_STORE)
    task = next(t for t in tl.list_tasks(ws, dt.date.today()) if t["title"] == "Brief councillors")
    r = c.post(f"/assurance/timeline/tasks/{task['id']}/", {"status": "done"})
    assert r.status_code == 302 and tl.get_task(ws, task["id"])["status"] == "done"
    assert events("task_updated")[-1].actor == "lead"


@pytest.mark.django_db
def test_a_task_owner_updates_only_their_own_tasks(as_role, settings):
    ws = Workspace.for_store(settings.ASC_ASSURE_STORE)
    mine = tl.add_task(ws, actor="lead", title="Prepare team briefing", due_date="2025-01-06", owner="tm")
    theirs = tl.add_task(ws, actor="lead", title="Book rooms", due_date="2025-01-06", owner="someone-else")
    c = as_role("team_manager", "tm")
    assert c.post(f"/assurance/timeline/tasks/{mine}/", {"status": "in_progress"}).status_code == 302
    assert tl.get_task(ws, mine)["status"] == "in_progress"
    assert c.post(f"/assurance/timeline/tasks/{theirs}/", {"status": "done"}).status_code == 403
    r = c.post(f"/assurance/timeline/tasks/{mine}/", {"status": "finished"})
    assert r.status_code == 400 and "status &#39;finished&#39;" in r.content.decode()


@pytest.mark.django_db
def test_information_return_filters_and_updates(as_role):
    c = as_role("assurance_lead", "lead")
    r = c.post("/assurance/information-return/psw_report/", {"status": "not_applicable", "na_reason": ""})
    assert r.status_code == 400 and "say why item" in r.content.decode()
    r = c.post("/assurance/information-return/psw_report/", {"status": "in_progress", "owner": "priya",
                                                             "notes": "draft from PSW"})
    assert r.status_code == 302
    r = c.post("/assurance/information-return/psw_report/", {"status": "in_progress", "evidence": "999"})
    assert r.status_code == 400 and "evidence" in r.content.decode()
    body = c.get("/assurance/information-return/?status=in_progress").content.decode()
    assert "Principal Social Worker annual report" in body and "Self-assessment narrative" not in body
    body = c.get("/assurance/information-return/?owner=priya").content.decode()
    assert "Principal Social Worker annual report" in body and "Market sustainability" not in body
    assert c.get("/assurance/information-return/?status=bogus").status_code == 200
    assert c.get("/assurance/information-return/no_such_item/").status_code == 404
    assert events("information_return_updated")[-1].object == "psw_report"
    # The owner (not a manager) may change the status of their own item.
    tm = as_role("team_manager", "priya")
    assert tm.post("/assurance/information-return/psw_report/", {"status": "ready"}).status_code == 302
    assert tm.post("/assurance/information-return/self_assessment/", {"status": "ready"}).status_code == 403


@pytest.mark.django_db
def test_case_tracking_journey(as_role, settings, case_store):
    settings.ASC_ASSURE_STORE = case_store
    ws = Workspace.for_store(case_store)
    c = as_role("performance_analyst", "pa")
    body = c.get("/assurance/cases/").content.decode()
    assert "No cases have been proposed yet" in body
    r = c.post("/assurance/cases/", {"as_of": "7/3/2025", "seed": "x"})
    assert r.status_code == 400 and "seed must be a whole number" in r.content.decode()
    r = c.post("/assurance/cases/", {"as_of": "7/3/2025", "seed": "11"})
    assert r.status_code == 302
    body = c.get("/assurance/cases/").content.decode()
    keys = [x["person_key"] for x in ct.list_cases(ws)]
    assert "Case 50" in body and not any(k in body for k in keys)
    assert events("person_level_view")[-1].object == "case_tracking"
    r = c.post("/assurance/cases/shortlist/", {"shortlist": [str(n) for n in range(1, 12)]})
    assert r.status_code == 400 and "at most 10" in r.content.decode()
    assert c.post("/assurance/cases/shortlist/", {"shortlist": ["2", "3"]}).status_code == 302
    assert [x["label"] for x in ct.list_cases(ws, shortlisted=True)] == ["Case 02", "Case 03"]
    r = c.post("/assurance/cases/2/", {"action": "consent", "consent": "given", "consent_date": "7/3/2025"})
    assert r.status_code == 302 and ct.get_case(ws, 2)["consent_status"] == "given"
    r = c.post("/assurance/cases/2/", {"action": "pen_picture", "pen_picture": "Lives at WY1 1AA, NHS 9434765919."})
    assert r.status_code == 400
    page = r.content.decode()
    assert "There is a problem" in page and "postcode" in page and "NHS number" in page
    r = c.post("/assurance/cases/2/", {"action": "pen_picture", "pen_picture": "Case 02 is in their eighties."})
    assert r.status_code == 302 and ct.get_case(ws, 2)["pen_picture"]
    before = ct.get_case(ws, 9)["person_key"]
    assert "Suggested replacement" in c.get("/assurance/cases/9/?suggest=1").content.decode()
    r = c.post("/assurance/cases/9/", {"action": "swap", "reason": "moved out of area"})
    assert r.status_code == 302 and ct.get_case(ws, 9)["person_key"] != before
    assert events("case_swapped")[-1].object == "Case 09"
    detail = c.get("/assurance/cases/2/").content.decode()
    assert ct.get_case(ws, 2)["person_key"] not in detail
    assert events("person_level_view")[-1].object == "Case 02"
    r = c.get("/assurance/cases/export.docx?shortlisted=1")
    assert r.status_code == 200 and r["Content-Disposition"].endswith('cqc-case-tracking-shortlist.docx"')
    r = c.get("/assurance/cases/export.csv")
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    assert text.startswith("Case,Age band") and not any(k in text for k in keys)
    assert [e.object for e in events("cases_exported")] == ["cqc-case-tracking-shortlist.docx",
                                                           "cqc-case-tracking.csv"]
    assert c.get("/assurance/cases/export.pdf").status_code == 404
    assert c.get("/assurance/cases/77/").status_code == 404

"""Dynamic Support Register pages: person-level pages for team managers only and only for their own teams,
counts (suppressed) for all staff, a full journey through the forms, and every view in the audit log."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from asc_assure.data.ingest import ingest_file
from asc_assure.data.pseudonymise import Pseudonymiser
from extracts import write_extract

KEY = bytes(range(32))
TODAY = dt.date(2025, 3, 31)


def pk(ref: str) -> str:
    return Pseudonymiser(KEY).one(ref, "person_ref")


@pytest.fixture
def store(settings, tmp_path) -> Path:
    settings.ASC_ASSURE_TODAY = TODAY
    store = Path(settings.ASC_ASSURE_STORE)
    people = [{"person_id": f"P{i}", "date_of_birth": "1990-01-01",
               "primary_support_reason": "Learning disability support"} for i in range(1, 6)]
    teams = [{"team": "North Team", "team_type": "locality"}, {"team": "South Team", "team_type": "locality"}]
    for kind, rows in (("people", people), ("teams", teams)):
        ingest_file(store, write_extract(tmp_path / f"{kind}.csv", kind, rows), as_of=TODAY, key=KEY)
    return store


@pytest.fixture
def register(store):
    """Two entries: DSR-0001 in North Team (Red), DSR-0002 in South Team (Green)."""
    from asc_assure.assurance.workspace import Workspace
    from asc_assure.operations import dsr

    ws = Workspace.for_store(store)
    for person, team, rag in (("P1", "North Team", "red"), ("P2", "South Team", "green")):
        dsr.add_entry(ws, store, pk(person), learning_disability=True, autism=False, age_group="adult", team=team,
                      key_worker="sam", rag=rag, reason="Placement at risk after crisis calls",
                      added_on=dt.date(2025, 1, 10), actor="setup", today=TODAY)
    return ws


def _manager(make_user, *teams: str, name: str = "tm"):
    from asc_assure.web.models import TeamMembership

    user = make_user(name, role="team_manager", password=None)
    for t in teams:
        TeamMembership.objects.create(user=user, team=t)
    return user


def _events(name: str):
    from asc_assure.web.models import AuditEvent

    return list(AuditEvent.objects.filter(event=name).order_by("id"))


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


PERSON_PAGES = ["/operations/dsr/", "/operations/dsr/add/", "/operations/dsr/DSR-0001/",
                "/operations/dsr/DSR-0001/rag/", "/operations/dsr/DSR-0001/review/", "/operations/dsr/DSR-0001/ctr/",
                "/operations/dsr/DSR-0001/action/", "/operations/dsr/DSR-0001/close/"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["administrator", "assurance_lead", "performance_analyst", "viewer"])
@pytest.mark.parametrize("page", PERSON_PAGES)
def test_every_role_except_team_manager_is_refused_person_level_pages(client, make_user, register, role, page):
    client.force_login(make_user(role, role=role, password=None))
    assert client.get(page).status_code == 403
    assert client.post(page, {}).status_code in (403, 405)
    assert not _events("dsr_view") and _events("access_denied")


@pytest.mark.django_db
def test_team_manager_sees_only_own_teams_and_each_view_is_audited(client, make_user, register):
    client.force_login(_manager(make_user, "North Team"))
    r = client.get("/operations/dsr/")
    assert r.status_code == 200
    body = _text(r)
    assert "DSR-0001" in body and "DSR-0002" not in body and pk("P2") not in body
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in r.content.decode()  # RAG as words
    assert "<caption" in r.content.decode() and 'scope="col"' in r.content.decode()
    listed = _events("dsr_view")[-1]
    assert listed.object == "list" and listed.details["entries"] == ["DSR-0001"] and listed.actor == "tm"
    r = client.get("/operations/dsr/DSR-0001/")
    assert r.status_code == 200 and "RAG history" in _text(r)
    assert _events("dsr_view")[-1].object == "DSR-0001"
    for page in ("/operations/dsr/DSR-0002/", "/operations/dsr/DSR-0002/rag/", "/operations/dsr/?team=South Team"):
        assert client.get(page).status_code == 403
    assert client.post("/operations/dsr/DSR-0002/close/", {"reason": "died", "on": "31/03/2025"}).status_code == 403
    assert client.get("/operations/dsr/DSR-0099/").status_code == 404
    assert _events("dsr_view")[-1].details == {"found": False}


@pytest.mark.django_db
def test_team_manager_without_teams_sees_nothing(client, make_user, register):
    client.force_login(_manager(make_user))
    r = client.get("/operations/dsr/")
    assert r.status_code == 200 and "DSR-000" not in _text(r) and "No entries match" in _text(r)


@pytest.mark.django_db
def test_full_journey_through_the_forms(client, make_user, store):
    client.force_login(_manager(make_user, "North Team"))
    assert client.get("/operations/dsr/add/").status_code == 200
    r = client.post("/operations/dsr/add/", {"person_key": pk("P3"), "needs": ["learning_disability", "autism"],
                                             "age_group": "transition", "team": "North Team", "key_worker": "sam",
                                             "rag": "amber", "reason": "Moving placement next month",
                                             "added_on": "10/1/2025"})
    assert r.status_code == 302 and r["Location"] == "/operations/dsr/DSR-0001/?done=added"
    r = client.post("/operations/dsr/DSR-0001/rag/", {"rag": "red", "reason": "Police called twice this week",
                                                      "on": "1/2/2025"})
    assert r.status_code == 302
    r = client.post("/operations/dsr/DSR-0001/review/", {"notes": "Crisis plan agreed with the family", "rag": "",
                                                         "reason": "", "on": "1/3/2025"})
    assert r.status_code == 302
    r = client.post("/operations/dsr/DSR-0001/ctr/", {"setting": "community", "outcome": "stay_at_home",
                                                      "notes": "", "on": "5/3/2025"})
    assert r.status_code == 302
    r = client.post("/operations/dsr/DSR-0001/action/", {"text": "Review the support plan", "owner": "sam",
                                                         "on": "20/3/2025"})
    assert r.status_code == 302
    page = client.get("/operations/dsr/DSR-0001/?done=action")
    body = _text(page)
    assert "The action was added." in body and "C(E)TR" in body and "Overdue" in body
    assert "Police called twice this week" in body and "Crisis plan agreed with the family" in body
    for form in ("rag", "review", "ctr", "action", "close"):
        shown = client.get(f"/operations/dsr/DSR-0001/{form}/")
        assert shown.status_code == 200 and "<label" in shown.content.decode()
    action_id = re.search(r"/operations/dsr/DSR-0001/action/(\d+)/done/", page.content.decode()).group(1)
    assert client.post(f"/operations/dsr/DSR-0001/action/{action_id}/done/").status_code == 302
    r = client.post("/operations/dsr/DSR-0001/close/", {"reason": "risk_reduced", "note": "", "on": "31/3/2025"})
    assert r.status_code == 302
    body = _text(client.get("/operations/dsr/DSR-0001/"))
    assert "Closed on 31 Mar 2025: No longer at risk of admission" in body
    changes = [(e.details["action"], e.object) for e in _events("dsr_change")]
    assert changes == [("add", "DSR-0001"), ("rag", "DSR-0001"), ("review", "DSR-0001"), ("ctr", "DSR-0001"),
                       ("action", "DSR-0001"), ("action_done", "DSR-0001"), ("close", "DSR-0001")]
    assert all(e.actor == "tm" for e in _events("dsr_change"))


@pytest.mark.django_db
@pytest.mark.parametrize(("form", "field", "message"), [
    ({"person_key": "Jane Smith"}, "#person_key", "not a pseudonymised person reference"),
    ({"team": "South Team"}, "#team", "Choose one of your teams"),
    ({"rag": ""}, "#rag", "RAG is required: choose one of red, amber, green"),
    ({"added_on": "31/2/2025"}, "#added_on", "Enter the date added as a real date"),
    ({"needs": []}, "#needs", "tick at least one"),
])
def test_add_form_shows_errors_linked_to_the_field(client, make_user, store, form, field, message):
    client.force_login(_manager(make_user, "North Team"))
    data = {"person_key": pk("P4"), "needs": ["autism"], "age_group": "adult", "team": "North Team",
            "key_worker": "sam", "rag": "green", "reason": "Stable at home with support", "added_on": "10/1/2025",
            **form}
    r = client.post("/operations/dsr/add/", data)
    body = r.content.decode()
    assert r.status_code == 200 and "There is a problem" in body and message in body
    assert f'href="{field}"' in body and not _events("dsr_change")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["administrator", "assurance_lead", "performance_analyst", "team_manager"])
def test_counts_page_is_for_all_staff_suppressed_and_without_people(client, make_user, register, role):
    client.force_login(make_user(role, role=role, password=None))
    r = client.get("/operations/dsr/counts/")
    assert r.status_code == 200
    body = _text(r)
    assert "[c]" in body and pk("P1") not in body and "DSR-0001" not in body
    assert "<caption" in r.content.decode() and "local default" in body
    assert _events("dsr_counts_view")[-1].details["as_of"] == "2025-03-31"
    assert client.get("/operations/dsr/counts/?as_of=nonsense").status_code == 200


@pytest.mark.django_db
def test_viewers_are_refused_the_counts_page(client, make_user, register):
    client.force_login(make_user("v", role="viewer", password=None))
    assert client.get("/operations/dsr/counts/").status_code == 403


@pytest.mark.django_db
def test_operations_landing_links_to_the_register_or_its_counts(client, make_user, store):
    client.force_login(_manager(make_user, "North Team"))
    assert 'href="/operations/dsr/"' in client.get("/operations/").content.decode()
    client.force_login(make_user("lead", role="assurance_lead", password=None))
    body = client.get("/operations/").content.decode()
    assert 'href="/operations/dsr/counts/"' in body and 'href="/operations/dsr/"' not in body


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "form", "field"), [
    ("rag", {"rag": "amber", "reason": "short", "on": "1/3/2025"}, "#reason"),
    ("rag", {"rag": "red", "reason": "Still at high risk of admission", "on": "1/3/2025"}, "#rag"),
    ("rag", {"rag": "amber", "reason": "Crisis support is working", "on": "1/4/2025"}, "#on"),
    ("close", {"reason": "other", "note": "", "on": "31/3/2025"}, "#note"),
    ("action", {"text": "", "owner": "sam", "on": "1/4/2025"}, "#text"),
])
def test_change_forms_link_errors_to_the_field_and_change_nothing(client, make_user, register, page, form, field):
    client.force_login(_manager(make_user, "North Team"))
    r = client.post(f"/operations/dsr/DSR-0001/{page}/", form)
    assert r.status_code == 200 and "There is a problem" in r.content.decode()
    assert f'href="{field}"' in r.content.decode() and not _events("dsr_change")

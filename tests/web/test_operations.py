"""Operations pages: who may see and change what, team managers limited to their own teams, a full
screening and extension journey, and every view written to the audit log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from asc_assure.data.ingest import ingest_file
from extracts import write_extract

KEY = bytes(range(32))
AS_OF = "2024-12-20"


@pytest.fixture
def store(settings, tmp_path) -> Path:
    store = Path(settings.ASC_ASSURE_STORE)
    as_of = dt.date(2024, 12, 31)
    apps = [{"application_id": f"A{n}", "person_id": f"P{n}", "received_date": day, "urgent": "no",
             "screening_priority": priority}
            for n, (day, priority) in enumerate([("2024-12-05", "low"), ("2024-11-01", "medium"), ("2024-12-12", "")])]
    concerns = [{"concern_id": "K1", "person_id": "Q1", "received_date": "2024-12-17", "urgent": "no",
                 "team": "North Team"},
                {"concern_id": "K2", "person_id": "Q2", "received_date": "2024-12-19", "urgent": "no",
                 "team": "South Team"}]
    teams = [{"team": "DoLS Team", "team_type": "dols"}, {"team": "North Team", "team_type": "locality"},
             {"team": "South Team", "team_type": "locality"}]
    for kind, rows in (("dols_applications", apps), ("safeguarding_concerns", concerns), ("teams", teams)):
        ingest_file(store, write_extract(tmp_path / f"{kind}.csv", kind, rows), as_of=as_of, key=KEY)
    return store


def _manager(make_user, *teams: str, name: str = "tm"):
    from asc_assure.web.models import TeamMembership

    user = make_user(name, role="team_manager", password=None)
    for t in teams:
        TeamMembership.objects.create(user=user, team=t)
    return user


def _events(name: str):
    from asc_assure.web.models import AuditEvent

    return list(AuditEvent.objects.filter(event=name).order_by("id"))


PAGES = ["/operations/", "/operations/dols/", "/operations/safeguarding/"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["administrator", "viewer"])
@pytest.mark.parametrize("page", PAGES)
def test_roles_without_view_operations_are_refused(client, make_user, store, role, page):
    client.force_login(make_user(role, role=role, password=None))
    assert client.get(page).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["assurance_lead", "performance_analyst", "team_manager"])
@pytest.mark.parametrize("page", PAGES)
def test_operational_roles_see_the_pages_and_each_view_is_audited(client, make_user, store, role, page):
    from asc_assure.web.models import AuditEvent

    client.force_login(make_user(role, role=role, password=None))
    before = AuditEvent.objects.count()
    r = client.get(f"{page}?as_of={AS_OF}")
    assert r.status_code == 200
    assert AuditEvent.objects.count() == before + 1
    body = r.content.decode()
    assert "<caption" in body or page == "/operations/" or role == "team_manager"


@pytest.mark.django_db
def test_landing_page_links_to_the_tools(client, make_user, store):
    client.force_login(make_user("lead", role="assurance_lead", password=None))
    body = client.get(f"/operations/?as_of={AS_OF}").content.decode()
    for href in ("/operations/dols/", "/operations/safeguarding/", "/operations/schedule/"):
        assert f'href="{href}' in body
    assert "3 open" in body


@pytest.mark.django_db
def test_team_managers_see_only_their_own_teams(client, make_user, store):
    client.force_login(_manager(make_user, "North Team"))
    body = client.get(f"/operations/safeguarding/?as_of={AS_OF}").content.decode()
    assert "North Team" in body and "South Team" not in body
    assert client.get(f"/operations/safeguarding/?as_of={AS_OF}&team=South+Team").status_code == 403
    dols_page = client.get(f"/operations/dols/?as_of={AS_OF}").content.decode()
    assert "you manage a team whose type is" in dols_page and "C-" not in dols_page
    from asc_assure.operations.dols import queue
    from asc_assure.web.workspace import workspace

    app_id = queue(workspace(), store, dt.date(2024, 12, 20))[0]["application_id"]
    assert client.get(f"/operations/dols/{app_id}/screen/?as_of={AS_OF}").status_code == 403


@pytest.mark.django_db
def test_screening_journey(client, make_user, store):
    from asc_assure.web.workspace import workspace

    client.force_login(_manager(make_user, "DoLS Team"))
    body = client.get(f"/operations/dols/?as_of={AS_OF}").content.decode()
    assert "Not screened" in body and "from the extract, not screened here" in body
    assert "P-" in body and "P0" not in body  # pseudonymised references only
    from asc_assure.operations.dols import queue

    app_id = queue(workspace(), store, dt.date(2024, 12, 20))[0]["application_id"]
    url = f"/operations/dols/{app_id}/screen/"
    page = client.get(f"{url}?as_of={AS_OF}").content.decode()
    assert 'for="answer-objection"' in page and "csrfmiddlewaretoken" in page
    r = client.post(url, {"as_of": AS_OF, "answer-objection": "persistent"})
    assert r.status_code == 200 and "There is a problem" in r.content.decode()
    assert 'href="#answer-restraint"' in r.content.decode()
    answers = {"answer-objection": "persistent", "answer-restraint": "none", "answer-dispute": "none",
               "answer-medication": "not_given", "answer-placement": "settled", "answer-safeguarding": "none",
               "answer-representation": "someone"}
    r = client.post(url, {"as_of": AS_OF, **answers, "priority": "low", "reason": ""})
    assert r.status_code == 200 and "give a reason" in r.content.decode()
    r = client.post(url, {"as_of": AS_OF, **answers})
    assert r.status_code == 302 and "screened=" in r.url
    ev = _events("dols_screening")[-1]
    assert ev.object == app_id and ev.details["priority"] == "high" and ev.actor == "tm"
    assert any(e.object == app_id for e in _events("view_dols_application"))
    body = client.get(r.url).content.decode()
    assert "Screening recorded" in body and "screened here" in body


@pytest.mark.django_db
def test_only_team_managers_sign_off_extensions(client, make_user, store):
    from asc_assure.operations.safeguarding_queues import items_on
    from asc_assure.web.workspace import workspace

    item = next(i for i in items_on(workspace(), store, dt.date(2024, 12, 20)) if i["team"] == "North Team")
    url = f"/operations/safeguarding/{item['item_id']}/extend/"
    client.force_login(make_user("pa", role="performance_analyst", password=None))
    assert client.get(f"{url}?as_of={AS_OF}").status_code == 403
    client.force_login(_manager(make_user, "South Team", name="south"))
    assert client.get(f"{url}?as_of={AS_OF}").status_code == 403
    client.force_login(_manager(make_user, "North Team"))
    page = client.get(f"{url}?as_of={AS_OF}").content.decode()
    assert 'for="new_due"' in page and 'for="reason"' in page
    r = client.post(url, {"as_of": AS_OF, "new_due": "31/2/2025", "reason": "Waiting for the police"})
    assert r.status_code == 200 and 'href="#new_due"' in r.content.decode()
    r = client.post(url, {"as_of": AS_OF, "new_due": "6/1/2025", "reason": "too short"})
    assert r.status_code == 200 and 'href="#reason"' in r.content.decode()
    r = client.post(url, {"as_of": AS_OF, "new_due": "6/1/2025", "reason": "Waiting for the police to agree"})
    assert r.status_code == 302 and "extended=" in r.url
    ev = _events("safeguarding_extension")[-1]
    assert ev.details["new_due"] == "2025-01-06" and ev.details["reason"] == "Waiting for the police to agree"
    body = client.get(r.url).content.decode()
    assert "Extension signed off" in body and "Extended" in body
    assert workspace().changes("safeguarding_extension", item["item_id"])[0]["actor"] == "tm"


@pytest.mark.django_db
def test_bad_as_of_date_shows_an_error_summary(client, make_user, store):
    client.force_login(make_user("lead", role="assurance_lead", password=None))
    body = client.get("/operations/safeguarding/?as_of=32/1/2025").content.decode()
    assert "There is a problem" in body and 'href="#as_of"' in body


@pytest.mark.django_db
def test_unknown_items_are_not_found(client, make_user, store):
    client.force_login(_manager(make_user, "North Team", "DoLS Team"))
    assert client.get(f"/operations/safeguarding/C-nothing/extend/?as_of={AS_OF}").status_code == 404
    assert client.get(f"/operations/dols/C-nothing/screen/?as_of={AS_OF}").status_code == 404

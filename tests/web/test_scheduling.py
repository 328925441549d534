"""The appointment-planning page: who may use it, a team manager's journey, the CSV and the audit trail."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from asc_assure.data.ingest import ingest_file
from asc_assure.web.models import AuditEvent
from extracts import write_extract

AS_OF = dt.date(2025, 3, 31)
KEY = bytes(range(32))
URL = "/operations/schedule/"


@pytest.fixture(scope="module")
def roster_store(tmp_path_factory):
    """North Team (two workers) and South Team (one), six people waiting on 31 March 2025."""
    folder = tmp_path_factory.mktemp("schedule")
    store = folder / "store"
    referrals = [
        {"referral_id": f"R{i}", "person_id": f"P{i}", "received_date": received, "team": team,
         "locality": team.split()[0], "priority": prio, "discipline_needed": need}
        for i, (received, team, prio, need) in enumerate([
            ("2025-01-06", "North Team", "low", "social_worker"),
            ("2025-03-27", "North Team", "high", "social_worker"),
            ("2025-03-20", "North Team", "medium", "both"),
            ("2025-03-10", "North Team", "medium", "occupational_therapist"),
            ("2025-03-03", "South Team", "low", "social_worker"),
            ("2025-03-25", "South Team", "high", "social_worker"),
        ], start=1)]
    roster = [
        {"worker_id": "W1", "discipline": "social_worker", "team": "North Team", "localities": "North",
         "working_days": "Mon;Tue;Wed;Thu;Fri", "assessments_per_day": "1"},
        {"worker_id": "W2", "discipline": "occupational_therapist", "team": "North Team", "localities": "North",
         "working_days": "Tue;Thu", "assessments_per_day": "1"},
        {"worker_id": "W3", "discipline": "social_worker", "team": "South Team", "localities": "South",
         "working_days": "Mon;Wed", "assessments_per_day": "1"},
    ]
    for kind, rows in (("referrals", referrals), ("staff_roster", roster), ("staff_leave", [])):
        ingest_file(store, write_extract(folder / f"{kind}.csv", kind, rows), as_of=AS_OF, key=KEY)
    return store


@pytest.fixture
def loaded(settings, roster_store):
    settings.ASC_ASSURE_STORE = roster_store
    return roster_store


@pytest.fixture
def manager(client, make_user):
    from asc_assure.web.models import TeamMembership

    user = make_user("tm", role="team_manager", password=None)
    TeamMembership.objects.create(user=user, team="North Team")
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["viewer", "assurance_lead", "administrator"])
def test_roles_without_run_schedule_are_refused(client, make_user, loaded, role):
    client.force_login(make_user(role, role=role, password=None))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"days": "5"}).status_code == 403
    assert client.post(URL + "plan.csv", {"days": "5"}).status_code == 403
    assert AuditEvent.objects.filter(event="access_denied").count() == 3


def test_signed_out_people_are_sent_to_sign_in(client, loaded):
    assert client.get(URL).status_code == 302


def test_team_manager_plans_their_team_and_downloads_the_plan(manager, loaded):
    page = manager.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "North Team" in html and "South Team" not in html  # only their own team is offered
    assert '<label class="govuk-label govuk-label--s" for="start">' in html
    result = manager.post(URL, {"start": "1/4/2025", "days": "10", "teams": ["North Team"]})
    assert result.status_code == 200
    html = result.content.decode()
    assert "Optimised plan" in html and "First in, first out" in html and "Longest wait" in html
    assert "<caption" in html and 'scope="row"' in html
    for local in ("R1", "P1", "W1"):
        assert f">{local}<" not in html
    run = AuditEvent.objects.get(event="schedule_run")
    assert run.actor == "tm" and run.details["teams"] == ["North Team"] and run.details["people"] == 4
    download = manager.post(URL + "plan.csv", {"start": "2025-04-01", "days": "10", "teams": ["North Team"]})
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert "attachment" in download["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert len(rows) == 4 and {r["team"] for r in rows} == {"North Team"}
    assert all(r["referral_key"].startswith("C-") and r["person_key"].startswith("P-") for r in rows)
    high = next(r for r in rows if r["priority"] == "high")
    assert high["appointment_date"] == "2025-04-01" and high["breach"] == "no"
    export = AuditEvent.objects.get(event="schedule_export")
    assert export.details["rows"] == 4


def test_team_manager_cannot_plan_another_team(manager, loaded):
    assert manager.post(URL, {"days": "5", "teams": ["South Team"]}).status_code == 403
    assert manager.post(URL + "plan.csv", {"days": "5", "teams": ["South Team"]}).status_code == 403
    assert not AuditEvent.objects.filter(event="schedule_export").exists()


def test_analyst_plans_every_team_when_none_is_chosen(client, make_user, loaded):
    client.force_login(make_user("pa", role="performance_analyst", password=None))
    result = client.post(URL, {"start": "2025-04-01", "days": "5"})
    assert result.status_code == 200
    assert AuditEvent.objects.get(event="schedule_run").details["teams"] == ["North Team", "South Team"]


def test_bad_input_gives_an_error_summary_naming_the_field(manager, loaded):
    result = manager.post(URL, {"start": "next week", "days": "500"})
    assert result.status_code == 400
    html = result.content.decode()
    assert "There is a problem" in html and 'href="#start"' in html and 'href="#days"' in html
    assert not AuditEvent.objects.filter(event="schedule_run").exists()


def test_a_store_without_a_roster_says_so(client, make_user):
    client.force_login(make_user("pa", role="performance_analyst", password=None))
    page = client.get(URL)
    assert page.status_code == 200 and "No team you can plan for has a staff roster" in page.content.decode()
    result = client.post(URL, {"days": "5"})
    assert result.status_code == 400 and "There is a problem" in result.content.decode()

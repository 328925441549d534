"""Prioritisation pages: who may see and change what, team managers limited to their own teams, a full
prioritise / verify / check-in / re-prioritise journey with errors shown, and every view and change audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from asc_assure.data.ingest import ingest_file
from asc_assure.data.pseudonymise import Pseudonymiser
from asc_assure.operations.prioritisation import DEMO_ANSWERS
from extracts import write_extract

KEY = bytes(range(32))
TODAY = dt.date(2025, 3, 31)
BASE = "/operations/prioritisation/"


def ref(raw: str) -> str:
    return Pseudonymiser(KEY).one(raw, "case_ref")


@pytest.fixture
def store(settings, tmp_path) -> Path:
    store = Path(settings.ASC_ASSURE_STORE)
    settings.ASC_ASSURE_TODAY = TODAY
    rows = [
        {"referral_id": "R1", "person_id": "P1", "received_date": "2025-03-03", "team": "North Team",
         "priority": "low", "first_contact_date": "2025-03-04"},
        {"referral_id": "R2", "person_id": "P2", "received_date": "2025-02-10", "team": "North Team",
         "priority": "medium"},
        {"referral_id": "R3", "person_id": "P3", "received_date": "2025-03-25", "team": "South Team",
         "priority": "low"},
    ]
    ingest_file(store, write_extract(tmp_path / "referrals.csv", "referrals", rows), as_of=TODAY, key=KEY)
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


PAGES = [BASE, f"{BASE}waiting-well/"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["administrator", "viewer"])
@pytest.mark.parametrize("page", PAGES)
def test_roles_without_view_operations_are_refused(client, make_user, store, role, page):
    client.force_login(make_user(role, role=role, password=None))
    assert client.get(page).status_code == 403
    assert client.get(f"{BASE}{ref('R1')}/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_lists_show_people_waiting_and_every_view_is_audited(client, make_user, store, page):
    from asc_assure.web.models import AuditEvent

    client.force_login(make_user("lead", role="assurance_lead", password=None))
    before = AuditEvent.objects.count()
    r = client.get(page)
    body = r.content.decode()
    assert r.status_code == 200 and "<caption" in body
    assert ref("R2") in body  # R2 is in both: medium, and overdue (received 10 Feb, no contact)
    assert AuditEvent.objects.count() == before + 1


@pytest.mark.django_db
def test_the_waiting_list_shows_priority_source_and_verification_as_text(client, make_user, store):
    client.force_login(make_user("analyst", role="performance_analyst", password=None))
    body = client.get(BASE).content.decode()
    assert "from the extract" in body and "Awaiting verification" in body
    assert "People waiting by team, priority and verification" in body
    body = client.get(f"{BASE}?priority=urgent").content.decode()
    assert "Choose a priority from the list" in body


@pytest.mark.django_db
def test_team_managers_see_their_own_teams_only(client, make_user, store):
    client.force_login(_manager(make_user, "South Team"))
    body = client.get(BASE).content.decode()
    assert ref("R3") in body and ref("R1") not in body and ref("R2") not in body
    assert ref("R2") not in client.get(f"{BASE}waiting-well/").content.decode()
    assert "your own teams only" in client.get(f"{BASE}?team=North+Team").content.decode()
    assert client.get(f"{BASE}{ref('R1')}/").status_code == 403
    assert client.post(f"{BASE}{ref('R1')}/verify/", {}).status_code == 403
    assert client.get(f"{BASE}{ref('R3')}/").status_code == 200


@pytest.mark.django_db
def test_changes_need_the_right_role(client, make_user, store):
    client.force_login(make_user("lead", role="assurance_lead", password=None))
    for form in ("prioritise", "verify", "reprioritise", "check-in"):
        assert client.get(f"{BASE}{ref('R1')}/{form}/").status_code == 403
    client.force_login(make_user("analyst", role="performance_analyst", password=None))
    assert client.get(f"{BASE}{ref('R1')}/prioritise/").status_code == 200
    assert client.get(f"{BASE}{ref('R1')}/verify/").status_code == 403  # practice supervisors only


@pytest.mark.django_db
def test_an_unknown_or_finished_referral_is_not_found(client, make_user, store):
    client.force_login(make_user("analyst", role="performance_analyst", password=None))
    assert client.get(f"{BASE}C-0000000000000000/").status_code == 404
    assert _events("view_referral_priority")[-1].details["found"] is False


@pytest.mark.django_db
def test_full_journey_prioritise_verify_check_in_reprioritise(client, make_user, store):
    client.force_login(_manager(make_user, "North Team"))
    rid = ref("R1")
    page = client.get(f"{BASE}{rid}/prioritise/").content.decode()
    assert 'for="answer-carer-broken_down"' in page and "csrf" in page

    # a missing answer is shown in an error summary and nothing is recorded
    partial = {f"answer-{k}": v for k, v in DEMO_ANSWERS["low"].items() if k != "carer"}
    r = client.post(f"{BASE}{rid}/prioritise/", partial)
    assert r.status_code == 200 and "There is a problem" in r.content.decode()
    assert "not answered: carer" in r.content.decode()
    assert not _events("referral_prioritised")

    answers = {f"answer-{k}": v for k, v in {**DEMO_ANSWERS["low"], "hospital": "awaiting_discharge"}.items()}
    r = client.post(f"{BASE}{rid}/prioritise/", answers)
    assert r.status_code == 302 and r["Location"].startswith(f"{BASE}{rid}/")
    body = client.get(r["Location"]).content.decode()
    assert "Prioritisation recorded" in body and "Hospital discharge" in body and "computed with the tool" in body
    assert _events("referral_prioritised")[-1].details["priority"] == "high"

    r = client.post(f"{BASE}{rid}/verify/", {"priority": "medium", "reason": ""})
    assert r.status_code == 200 and "give a reason of at least 10 characters" in r.content.decode()
    r = client.post(f"{BASE}{rid}/verify/", {"priority": "medium", "reason": "Ward says discharge is weeks away"})
    assert r.status_code == 302
    event = _events("referral_priority_verified")[-1]
    assert (event.details["priority_before"], event.details["priority"], event.details["reason"]) == (
        "high", "medium", "Ward says discharge is weeks away")

    r = client.post(f"{BASE}{rid}/check-in/", {"outcome": "circumstances_changed", "contact_date": "30/3/2025",
                                                "notes": "Discharged home early with no care in place"})
    assert r.status_code == 302
    body = client.get(f"{BASE}{rid}/").content.decode()
    assert "circumstances changed: re-prioritise" in body.lower() or "re-prioritise, or verify" in body
    assert _events("waiting_well_check_in")[-1].details["outcome"] == "circumstances_changed"

    r = client.post(f"{BASE}{rid}/reprioritise/", {"what_changed": "Discharged home early with no care in place",
                                                    "priority": "high"})
    assert r.status_code == 302
    body = client.get(f"{BASE}{rid}/").content.decode()
    assert "Re-prioritised" in body and "Awaiting verification" in body
    assert _events("referral_reprioritised")[-1].details["what_changed"].startswith("Discharged home early")


@pytest.mark.django_db
def test_check_in_errors_point_at_the_field(client, make_user, store):
    client.force_login(_manager(make_user, "North Team"))
    rid = ref("R2")
    r = client.post(f"{BASE}{rid}/check-in/", {"outcome": "no_change", "contact_date": "31/13/2025"})
    body = r.content.decode()
    assert r.status_code == 200 and 'href="#contact_date"' in body and "is not a date" in body
    r = client.post(f"{BASE}{rid}/check-in/", {"outcome": "circumstances_changed", "notes": ""})
    assert 'href="#what_changed"' in r.content.decode()
    assert not _events("waiting_well_check_in")


@pytest.mark.django_db
def test_operations_landing_page_links_to_prioritisation(client, make_user, store):
    client.force_login(make_user("lead", role="assurance_lead", password=None))
    body = client.get("/operations/").content.decode()
    assert f'href="{BASE}"' in body and f'href="{BASE}waiting-well/"' in body

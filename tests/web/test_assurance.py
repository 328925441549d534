"""The CQC assurance overview, the framework page and the rating calculator."""

from __future__ import annotations

import pytest

from asc_assure.assurance.workspace import Workspace

pytestmark = pytest.mark.django_db

OXFORDSHIRE = {  # CQC's published scores for Oxfordshire (seeds 001): 23/36, 64%, Good
    "assessing-needs": 2, "supporting-healthier-lives": 2, "equity-in-experience-and-outcomes": 2,
    "care-provision-integration-continuity": 2, "partnerships-and-communities": 3,
    "safe-pathways-systems-transitions": 3, "safeguarding": 3, "governance-management-sustainability": 3,
    "learning-improvement-innovation": 3,
}


@pytest.fixture
def lead(client, make_user):
    client.force_login(make_user("lead", role="assurance_lead", password=None))
    return client


def test_viewers_cannot_open_the_assurance_workspace(client, make_user):
    client.force_login(make_user("cllr", role="viewer", password=None))
    for url in ("/assurance/", "/assurance/framework/", "/assurance/rating/"):
        assert client.get(url).status_code == 403


def test_overview_lists_the_sections_and_recent_changes(lead, _web_store):
    ws = Workspace.for_store(_web_store)
    with ws.transaction() as con:
        Workspace.log(con, "sam", "evidence", 7, "create")
    body = lead.get("/assurance/").content.decode()
    assert "CQC assurance" in body and "Rating calculator" in body
    assert "sam" in body and "create evidence 7" in body
    assert 'href="/assurance/"' in body  # the navigation link for the area


def test_framework_page_shows_every_quality_statement(lead):
    body = lead.get("/assurance/framework/").content.decode()
    for title in ("Assessing needs", "Safeguarding", "Learning, improvement and innovation"):
        assert title in body
    assert "Feedback from partners" in body


def test_rating_calculator_gives_oxfordshires_published_result(lead):
    r = lead.post("/assurance/rating/", OXFORDSHIRE)
    body = r.content.decode()
    assert r.status_code == 200
    assert "Result: Good" in body and "23 out of 36" in body and "64%" in body


def test_rating_calculator_names_each_statement_left_unscored(lead):
    r = lead.post("/assurance/rating/", {**OXFORDSHIRE, "safeguarding": ""})
    body = r.content.decode()
    assert r.status_code == 400
    assert "There is a problem" in body and "Choose a score from 1 to 4 for Safeguarding" in body


def test_workspace_today_can_be_fixed_for_a_demo(settings):
    import datetime as dt

    from asc_assure.web.workspace import today

    settings.ASC_ASSURE_TODAY = None
    assert today() == dt.date.today()
    settings.ASC_ASSURE_TODAY = dt.date(2025, 3, 31)
    assert today() == dt.date(2025, 3, 31)

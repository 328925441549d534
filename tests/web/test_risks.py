"""Risk register pages: who may see and change what, a full add/re-score/edit journey, the heat map, audit."""

from __future__ import annotations

import datetime as dt

import pytest

from asc_assure.assurance import risks
from asc_assure.assurance.workspace import Workspace
from asc_assure.web.models import AuditEvent

TODAY = dt.date.today()


@pytest.fixture
def ws(_web_store):
    return Workspace.for_store(_web_store)


@pytest.fixture
def as_role(client, make_user):
    def login(role: str):
        client.force_login(make_user(role, role=role, password=None))
        return client
    return login


@pytest.fixture
def risk(ws):
    return risks.add_risk(ws, actor="seed", today=TODAY, title="DoLS backlog", cause="Demand", effect="Unlawful "
                          "detention", owner="Head of DoLS", inherent_likelihood=5, inherent_impact=4,
                          residual_likelihood=4, residual_impact=4, scored_on=TODAY - dt.timedelta(days=30))


@pytest.mark.parametrize("role", ["administrator", "assurance_lead", "performance_analyst", "team_manager", "viewer"])
def test_everyone_with_view_risks_reads_the_register_risk_and_heat_map(as_role, role, risk):
    c = as_role(role)
    page = c.get("/risks/")
    assert page.status_code == 200 and "DoLS backlog" in page.content.decode()
    assert c.get(f"/risks/{risk['ref']}/").status_code == 200
    assert c.get("/risks/heat-map/").status_code == 200


@pytest.mark.parametrize("role", ["administrator", "performance_analyst", "team_manager", "viewer"])
def test_only_assurance_leads_change_risks(as_role, role, risk):
    c = as_role(role)
    assert c.get("/risks/new/").status_code == 403
    assert c.post(f"/risks/{risk['ref']}/rescore/", {"residual_likelihood": 1, "residual_impact": 1}).status_code == 403
    assert c.post(f"/risks/{risk['ref']}/edit/", {"title": "x"}).status_code == 403
    assert "Add a risk" not in c.get("/risks/").content.decode()
    assert AuditEvent.objects.filter(event="access_denied").count() == 3


def test_anonymous_users_are_sent_to_sign_in(client):
    assert client.get("/risks/").status_code == 302


def test_full_journey_add_rescore_edit_and_audit(as_role, ws):
    c = as_role("assurance_lead")
    form = {"title": "Care market sustainability", "cause": "Costs outpace fees", "effect": "Provider failure",
            "owner": "Head of Commissioning", "category": "Market", "controls": "Fee uplift panel",
            "inherent_likelihood": "5", "inherent_impact": "5", "residual_likelihood": "4", "residual_impact": "4",
            "scored_on": (TODAY - dt.timedelta(days=10)).isoformat()}
    resp = c.post("/risks/new/", form)
    assert resp.status_code == 302 and resp["Location"] == "/risks/R001/"
    page = c.get("/risks/R001/").content.decode()
    assert "Escalated" in page and "Very high" in page and "New" in page
    resp = c.post("/risks/R001/rescore/", {"residual_likelihood": "3", "residual_impact": "4",
                                          "scored_on": TODAY.isoformat(), "note": "New framework"})
    assert resp.status_code == 302
    page = c.get("/risks/R001/").content.decode()
    assert "Improving" in page and "previous residual score 16" in page and "New framework" in page
    resp = c.post("/risks/R001/edit/", {**{k: form[k] for k in ("title", "cause", "effect", "category", "controls")},
                                       "owner": "Director of Commissioning", "status": "open", "linked_actions": ""})
    assert resp.status_code == 302
    assert risks.get_risk(ws, "R001")["owner"] == "Director of Commissioning"
    events = list(AuditEvent.objects.filter(object="R001").values_list("event", flat=True))
    assert events == ["risk_create", "risk_rescore", "risk_update"]
    assert [c_["action"] for c_ in ws.changes("risk", "R001")][-1] == "create"


def test_bad_input_shows_an_error_summary_linked_to_the_field(as_role, risk):
    c = as_role("assurance_lead")
    resp = c.post(f"/risks/{risk['ref']}/rescore/", {"residual_likelihood": "", "residual_impact": "4",
                                                    "scored_on": TODAY.isoformat()})
    body = resp.content.decode()
    assert resp.status_code == 400 and "There is a problem" in body
    assert 'href="#residual_likelihood"' in body and "Residual likelihood must be a whole number" in body
    resp = c.post("/risks/new/", {"title": "x", "cause": "c", "effect": "e", "owner": "",
                                  "inherent_likelihood": "3", "inherent_impact": "3", "residual_likelihood": "2",
                                  "residual_impact": "2"})
    assert resp.status_code == 400 and 'href="#owner"' in resp.content.decode()


def test_register_filters_and_heat_map_table(as_role, ws, risk):
    risks.add_risk(ws, actor="seed", today=TODAY, title="Carers", cause="c", effect="e", owner="Head of Carers",
                   inherent_likelihood=3, inherent_impact=3, residual_likelihood=2, residual_impact=2)
    c = as_role("viewer")
    escalated = c.get("/risks/?escalated=yes").content.decode()
    assert ">DoLS backlog</a>" in escalated and ">Carers</a>" not in escalated
    low = c.get("/risks/?band=Low").content.decode()
    assert ">Carers</a>" in low and ">DoLS backlog</a>" not in low
    by_owner = c.get("/risks/?owner=Head+of+Carers").content.decode()
    assert ">Carers</a>" in by_owner and ">DoLS backlog</a>" not in by_owner
    assert c.get("/risks/?band=Nonsense").status_code == 400
    heat = c.get("/risks/heat-map/").content.decode()
    assert "<caption" in heat and 'scope="row"' in heat and "Score 16, Very high" in heat
    assert c.get("/risks/R999/").status_code == 404

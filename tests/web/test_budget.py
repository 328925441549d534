"""Budget pages: who may see and change what, importing a month (errors, replacement), savings, audit."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from asc_assure.assurance import budget
from asc_assure.assurance.workspace import Workspace
from asc_assure.web.models import AuditEvent

CSV = (b"Service Area,Latest Budget,Forecast Spend\n"
       b"Older people,1000000,1015000\nLearning disabilities,2000000,2040000\nMental health,500000,490000\n")


@pytest.fixture
def ws(_web_store):
    return Workspace.for_store(_web_store)


@pytest.fixture
def as_role(client, make_user):
    def login(role: str):
        client.force_login(make_user(role, role=role, password=None))
        return client
    return login


def upload(c, month="2024-09", body=CSV, name="sep.csv", **extra):
    return c.post("/budget/import/", {"month": month, "file": SimpleUploadedFile(name, body), **extra})


@pytest.fixture
def loaded(ws, tmp_path):
    (tmp_path / "sep.csv").write_bytes(CSV)
    budget.import_file(ws, tmp_path / "sep.csv", "2024-09", actor="seed")
    s = budget.add_scheme(ws, actor="seed", name="Technology enabled care", financial_year="2024/25", target=600000)
    budget.record_progress(ws, s["id"], actor="seed", month="2024-09", delivered=200000, forecast=560000)
    return s


@pytest.mark.parametrize("role", ["administrator", "assurance_lead", "performance_analyst", "team_manager", "viewer"])
def test_everyone_with_view_budget_reads_the_month_trend_and_savings(as_role, role, loaded):
    c = as_role(role)
    page = c.get("/budget/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "September 2024" in body and "Learning disabilities" in body
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in body
    assert '<strong class="govuk-tag govuk-tag--yellow">Amber</strong>' in body
    assert "<svg" in body and 'id="budget-trend"' in body  # the chart, and its figures in a table
    assert c.get("/budget/savings/").status_code == 200
    assert c.get(f"/budget/savings/{loaded['id']}/").status_code == 200


@pytest.mark.parametrize("role", ["administrator", "team_manager", "viewer"])
def test_only_budget_editors_import_or_record_savings(as_role, role, loaded):
    c = as_role(role)
    assert c.get("/budget/import/").status_code == 403
    assert upload(c).status_code == 403
    assert c.post("/budget/savings/", {"name": "x", "financial_year": "2024/25", "target": "1"}).status_code == 403
    assert c.post(f"/budget/savings/{loaded['id']}/", {"month": "2024-10", "delivered": "1",
                                                        "forecast": "1"}).status_code == 403
    assert "Add a savings scheme" not in c.get("/budget/savings/").content.decode()


def test_empty_budget_page_says_so(as_role):
    body = as_role("viewer").get("/budget/").content.decode()
    assert "No budget lines have been loaded yet" in body


@pytest.mark.parametrize("role", ["assurance_lead", "performance_analyst"])
def test_import_journey_with_problems_and_replacement(as_role, role, ws):
    c = as_role(role)
    resp = upload(c, body=CSV + b"Carers,abc,1\n")
    body = resp.content.decode()
    assert resp.status_code == 200 and "loaded 3 line(s) for September 2024" in body
    assert "Rows not loaded" in body and "budget &#39;abc&#39; is not an amount of money" in body
    resp = upload(c, body=b"Service,Budget,Forecast\nOlder people,10,11\n", name="sep-v2.csv")
    assert "replacing the 3 line(s) loaded before" in resp.content.decode()
    assert [ln["service_area"] for ln in budget.month_lines(ws, "2024-09")] == ["Older people"]
    events = AuditEvent.objects.filter(event="budget_import").order_by("id")
    assert [e.details["rows_loaded"] for e in events] == [3, 1] and events[1].details["replaced_lines"] == 3
    assert any(p.name.endswith("sep-v2.csv") for p in (ws.files_dir / "budget" / "2024-09").iterdir())


def test_import_form_errors(as_role):
    c = as_role("assurance_lead")
    resp = c.post("/budget/import/", {"month": "Sept"})
    body = resp.content.decode()
    assert resp.status_code == 400 and 'href="#month"' in body and 'href="#file"' in body
    resp = upload(c, body=b"Service,Budget\nA,1\n", name="short.csv")
    assert resp.status_code == 400 and "short.csv: no forecast outturn column" in resp.content.decode()


def test_savings_journey(as_role, ws):
    c = as_role("performance_analyst")
    resp = c.post("/budget/savings/", {"name": "Reduce agency staff", "financial_year": "2024/25",
                                       "target": "900,000", "service_area": "Assessment"})
    assert resp.status_code == 302
    scheme_url = resp["Location"]
    resp = c.post(scheme_url, {"month": "2024-09", "delivered": "300000", "forecast": "200000"})
    assert resp.status_code == 400 and 'href="#forecast"' in resp.content.decode()
    assert c.post(scheme_url, {"month": "2024-09", "delivered": "300000", "forecast": "850000"}).status_code == 302
    page = c.get(scheme_url).content.decode()
    assert "£850,000" in page and '<strong class="govuk-tag govuk-tag--yellow">Amber</strong>' in page
    assert list(AuditEvent.objects.filter(event__startswith="savings_").values_list("event", flat=True)) == [
        "savings_add", "savings_progress"]
    assert c.post("/budget/savings/", {"name": "", "financial_year": "2024/25", "target": "1"}).status_code == 400

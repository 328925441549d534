"""The equity page: every role may look, viewers get published (suppressed) figures, a breakdown shows
a captioned table and an accessible chart, bad choices give an error summary, and views are audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from asc_assure.data.ingest import ingest_file
from extracts import write_extract

KEY = bytes(range(32))
WHITE = "White: English, Welsh, Scottish, Northern Irish or British"


@pytest.fixture
def store(settings, tmp_path) -> Path:
    store = Path(settings.ASC_ASSURE_STORE)
    as_of = dt.date(2025, 3, 31)
    areas = [{"lsoa_code": "E01000001", "district": "North", "rural_urban": "rural", "imd_decile": "1",
              "population_18_plus": "1000"},
             {"lsoa_code": "E01000002", "district": "South", "rural_urban": "urban", "imd_decile": "10",
              "population_18_plus": "3000"}]
    people = [{"person_id": f"P{i:02d}", "sex": "female" if i % 2 else "male", "ethnicity": WHITE,
               "date_of_birth": "1950-01-01", "postcode": "OX1 1AA",
               "lsoa_code": "E01000001" if i <= 20 else "E01000002"} for i in range(1, 31)]
    referrals = [{"referral_id": f"R{i:02d}", "person_id": f"P{i:02d}", "received_date": "2025-03-01",
                  "team": "North Team" if i <= 20 else "South Team", "priority": "high"} for i in range(1, 31)]
    referrals.append({"referral_id": "RX", "person_id": "PX", "received_date": "2025-03-01", "team": "South Team"})
    for kind, rows in (("areas", areas), ("people", people), ("referrals", referrals)):
        result = ingest_file(store, write_extract(tmp_path / f"{kind}.csv", kind, rows), as_of=as_of, key=KEY)
        assert result.rows_quarantined == 0, result.errors
    return store


URL = "/equity/?measure=waiting_list.count&by=district&as_of=31/03/2025"


def _events():
    from asc_assure.web.models import AuditEvent

    return list(AuditEvent.objects.filter(event="view_equity").order_by("id"))


@pytest.mark.django_db
def test_signed_out_and_roleless_users_are_kept_out(client, make_user, store):
    assert client.get("/equity/").status_code == 302
    client.force_login(make_user("nobody", role=None, password=None))
    assert client.get("/equity/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["administrator", "assurance_lead", "performance_analyst", "team_manager",
                                  "viewer"])
def test_every_role_can_open_the_page(client, make_user, store, role):
    client.force_login(make_user(role, role=role, password=None))
    r = client.get("/equity/")
    assert r.status_code == 200
    body = r.content.decode()
    assert '<label class="govuk-label govuk-label--s" for="measure">' in body
    assert "People waiting for a Care Act assessment" in body  # offered: its SQL has a person key


@pytest.mark.django_db
def test_analyst_journey_table_chart_flags_and_audit(client, make_user, store):
    client.force_login(make_user("ana", role="performance_analyst", password=None))
    r = client.get(URL)
    assert r.status_code == 200
    body = r.content.decode()
    assert "<caption" in body and 'scope="row"' in body
    assert 'role="img"' in body and "<desc" in body  # the chart has its own text alternative
    assert "Significantly higher than the council average" in body  # North: 20 per 1,000 against 7.75
    assert "20.0" in body and "No demographic record" in body and "[c]" not in body
    assert "Data completeness" in body
    events = _events()
    assert events[-1].object == "waiting_list.count"
    assert events[-1].details["by"] == "district" and events[-1].details["public"] is False


@pytest.mark.django_db
def test_viewers_see_published_figures_only(client, make_user, store):
    client.force_login(make_user("cllr", role="viewer", password=None))
    body = client.get(URL).content.decode()
    assert "published figures" in body
    assert "[c]" in body  # the one person with no demographic record
    assert _events()[-1].details["public"] is True


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "message", "anchor"), [
    ("measure=nothing.here&by=sex", "Choose a measure from the list", "#measure"),
    ("measure=waiting_list.count&by=religion", "Choose what to break the measure down by from the list", "#by"),
    ("measure=waiting_list.count", "Choose what to break the measure down by", "#by"),
    ("measure=waiting_list.count&by=sex&as_of=31/02/2025", "Enter a real date", "#as_of"),
])
def test_bad_choices_give_an_error_summary(client, make_user, store, query, message, anchor):
    client.force_login(make_user("ana", role="performance_analyst", password=None))
    r = client.get(f"/equity/?{query}")
    assert r.status_code == 400
    body = r.content.decode()
    assert "There is a problem" in body and message in body and f'href="{anchor}"' in body


@pytest.mark.django_db
def test_empty_store_says_what_to_load(client, make_user):
    client.force_login(make_user("ana", role="performance_analyst", password=None))
    body = client.get("/equity/").content.decode()
    assert "No data has been loaded yet" in body

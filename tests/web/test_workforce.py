"""The workforce page: who may see it, what it shows (tables, ratings as words, caseload against ceiling,
trend charts with their numbers), date errors, the CSV download, and the audit trail."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from test_workforce import make_store


@pytest.fixture
def store(settings, tmp_path) -> Path:
    """The hand-worked store of tests/test_workforce.py, loaded into the web app's store folder."""
    target = Path(settings.ASC_ASSURE_STORE)
    assert make_store(target.parent) == target
    return target


def _events(name: str) -> list:
    from asc_assure.web.models import AuditEvent

    return list(AuditEvent.objects.filter(event=name).order_by("id"))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/workforce/", "/workforce/export.csv"])
def test_viewers_are_refused(client, make_user, store, page):
    client.force_login(make_user("councillor", role="viewer", password=None))
    assert client.get(page).status_code == 403


@pytest.mark.django_db
def test_signed_out_users_are_sent_to_sign_in(client, store):
    r = client.get("/workforce/")
    assert r.status_code == 302 and "/sign-in/" in r["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["administrator", "assurance_lead", "performance_analyst", "team_manager"])
def test_staff_see_the_page_and_each_visit_is_audited(client, make_user, store, role):
    client.force_login(make_user(role, role=role, password=None))
    r = client.get("/workforce/")
    assert r.status_code == 200
    [event] = _events("view_workforce")
    assert event.actor == role and event.details["as_of"] == "2025-03-31"


@pytest.mark.django_db
def test_page_shows_tables_by_team_and_role_with_ratings_in_words(client, make_user, store):
    client.force_login(make_user("lead", role="assurance_lead", password=None))
    html = client.get("/workforce/").content.decode()
    text = _text(html)
    assert "Figures as at 31 March 2025 , from the snapshot of 31 March 2025" in text
    assert "1 team over a caseload ceiling: North." in text
    team_table = html.split('id="by-team"', 1)[1].split("</table>", 1)[0]
    assert "<caption" in team_table and 'scope="col"' in team_table and 'scope="row"' in team_table
    north = team_table.split('scope="row" class="govuk-table__header">North</th>', 1)[1].split("</tr>", 1)[0]
    assert '15.4% <strong class="govuk-tag govuk-tag--red">Red</strong>' in north
    assert "Over ceiling" in north and "(Social worker)" in north
    role_table = html.split('id="by-role"', 1)[1].split("</table>", 1)[0]
    assert "Not case-holding" in role_table and ">25</td>" in role_table


@pytest.mark.django_db
def test_caseload_against_ceiling_and_trends_with_their_numbers(client, make_user, store):
    client.force_login(make_user("analyst", role="performance_analyst", password=None))
    html = client.get("/workforce/?as_of=31/3/2025").content.decode()
    caseload = _text(html.split('id="caseload"', 1)[1].split("</table>", 1)[0])
    assert "North Social worker 260 10.0 26.0 25 Over ceiling" in caseload
    assert "South Occupational therapist 150 5.0 30.0 30 Near ceiling" in caseload
    trends = html.split('id="trends"', 1)[1]
    assert trends.count("<svg") == 5 and trends.count("<title") >= 5 and trends.count("<figcaption") == 5
    assert trends.count("at each month end, oldest first</caption>") == 5
    assert "15.8%" in trends


@pytest.mark.django_db
def test_a_bad_date_shows_an_error_summary_linked_to_the_field(client, make_user, store):
    client.force_login(make_user("lead", role="assurance_lead", password=None))
    html = client.get("/workforce/?as_of=32/13/2025").content.decode()
    assert "There is a problem" in html and 'href="#as_of"' in html
    assert "govuk-form-group--error" in html and 'id="as_of-error"' in html and "32/13/2025" in html
    assert 'id="by-team"' not in html


@pytest.mark.django_db
def test_a_date_before_any_snapshot_says_so(client, make_user, store):
    client.force_login(make_user("lead", role="assurance_lead", password=None))
    html = client.get("/workforce/?as_of=2023-01-01").content.decode()
    assert "no workforce snapshot is dated on or before 1 January 2023" in html


@pytest.mark.django_db
def test_empty_store_says_nothing_is_loaded(client, make_user):
    client.force_login(make_user("lead", role="assurance_lead", password=None))
    r = client.get("/workforce/")
    assert r.status_code == 200 and "No workforce extract has been loaded yet" in r.content.decode()


@pytest.mark.django_db
def test_csv_download_is_recorded_as_an_export(client, make_user, store):
    client.force_login(make_user("tm", role="team_manager", password=None))
    r = client.get("/workforce/export.csv?as_of=2025-03-31")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert 'filename="workforce-2025-03-31.csv"' in r["Content-Disposition"]
    body = r.content.decode()
    assert "North,Social worker,260,10,26.0,25.0,Over ceiling" in body
    [event] = _events("export_workforce")
    assert event.object == "workforce-2025-03-31.csv" and event.details["rows"] == 2

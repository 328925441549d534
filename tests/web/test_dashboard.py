"""Dashboard, measure pages, uploads and the pack, for each role, over a small store with known figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from asc_assure.web.permissions import ROLES
from extracts import build_figures_store, write_extract

AS_OF = dt.date(2025, 3, 31)


@pytest.fixture(scope="module")
def figures_store(tmp_path_factory):
    """Four people waiting on 31 March 2025 (three in North Team, one in South Team)."""
    return build_figures_store(tmp_path_factory.mktemp("figures"))


@pytest.fixture
def as_role(client, make_user):
    def login(role: str) -> Client:
        client.force_login(make_user(role, role=role, password=None))
        return client
    return login


@pytest.fixture
def loaded(settings, figures_store):
    settings.ASC_ASSURE_STORE = figures_store
    return figures_store


PAGES = {
    "dashboard": "/", "measures": "/measures/", "measure": "/measures/waiting_list.count/",
    "upload": "/upload/", "pack": "/pack/",
}
ALLOWED = {
    "dashboard": set(ROLES), "measures": set(ROLES), "measure": set(ROLES),
    "upload": {"administrator", "performance_analyst"},
    "pack": {"administrator", "assurance_lead", "performance_analyst", "team_manager"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_reaches_exactly_its_pages(as_role, loaded, role, page):
    r = as_role(role).get(PAGES[page])
    assert r.status_code == (200 if role in ALLOWED[page] else 403), (role, page)


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
def test_anonymous_visitors_are_sent_to_sign_in(client, loaded, page):
    r = client.get(PAGES[page])
    assert r.status_code == 302 and r.url.startswith("/sign-in/")


@pytest.mark.django_db
def test_dashboard_shows_the_engines_figures_and_exceptions(as_role, loaded):
    body = as_role("performance_analyst").get("/?as_of=2025-03-31").content.decode()
    assert "Data as at 31 March 2025" in body
    assert 'href="/measures/waiting_list.count/?as_of=2025-03-31&amp;period=week">People waiting' in body
    tile = body.split("People waiting for a Care Act assessment</a></h3>", 1)[1][:400]
    assert '<p class="app-tile__value">4</p>' in tile and "Amber" in tile
    assert "No safeguarding concerns extract has been loaded" in body  # never a made-up 0


@pytest.mark.django_db
def test_councillors_see_only_suppressed_figures(as_role, loaded):
    body = as_role("viewer").get("/?as_of=2025-03-31").content.decode()
    tile = body.split("People waiting for a Care Act assessment</a></h3>", 1)[1][:400]
    assert '<p class="app-tile__value">[c]</p>' in tile
    assert "counts of 1 to 4 are shown as [c]" in body


@pytest.mark.django_db
def test_filter_by_team(as_role, loaded):
    body = as_role("assurance_lead").get("/?as_of=2025-03-31&team=North+Team").content.decode()
    tile = body.split("People waiting for a Care Act assessment</a></h3>", 1)[1][:400]
    assert '<p class="app-tile__value">3</p>' in tile
    assert "team: North Team" in body


@pytest.mark.django_db
def test_measure_page_has_chart_table_breakdowns_and_target_history(as_role, loaded):
    body = as_role("assurance_lead").get("/measures/waiting_list.count/?as_of=2025-03-31").content.decode()
    assert '<svg' in body and 'role="img"' in body and "<title" in body  # accessible chart
    assert "The numbers in the chart" in body and "31 Mar 2025" in body
    assert "By team" in body and "North Team" in body and "South Team" in body
    assert "Set by the Director" in body and "Whole council" in body
    assert as_role("viewer").get("/measures/no.such/").status_code == 404


@pytest.fixture
def upload_store(settings, tmp_path):
    settings.ASC_ASSURE_STORE = tmp_path / "upload-store"
    settings.DATA_DIR = tmp_path / "var"
    return settings.ASC_ASSURE_STORE


@pytest.mark.django_db
def test_uploading_good_and_bad_files(as_role, upload_store, tmp_path):
    from asc_assure.web.models import AuditEvent

    row = {"person_id": "P1", "team": "North Team", "priority": "high"}
    good = write_extract(tmp_path / "referrals.csv", "referrals", [
        {**row, "referral_id": "R1", "received_date": "2025-03-01"},
        {**row, "referral_id": "R2", "received_date": "31/02/2025"}])
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4 not data")
    c = as_role("performance_analyst")
    with good.open("rb") as g, bad.open("rb") as b:
        r = c.post("/upload/", {"files": [g, b], "as_of": "2025-03-31"})
    body = r.content.decode()
    assert r.status_code == 200
    assert "Loaded</strong> as referrals" in body and "Not loaded</strong>" in body
    assert "is a PDF, not a data extract" in body
    events = {e.object: e.details for e in AuditEvent.objects.filter(event="upload")}
    assert events["referrals.csv"]["rows_loaded"] == 1 and events["referrals.csv"]["rows_quarantined"] == 1
    assert events["scan.pdf"]["status"] == "failed"
    saved = sorted(p.name.split("-", 1)[1] for p in (tmp_path / "var" / "uploads").rglob("*") if p.is_file())
    assert saved == ["referrals.csv", "scan.pdf"]  # every upload kept, even the one that failed
    load_id = events["referrals.csv"]["load_id"]
    report = c.get(f"/upload/{load_id}/problems.csv")
    assert report.status_code == 200 and report["Content-Disposition"].startswith("attachment")
    text = report.content.decode()
    assert text.splitlines()[0] == "file,row,column,value,rule,message,severity"
    assert "referrals.csv,3,received_date,31/02/2025,date_format" in text
    assert AuditEvent.objects.filter(event="download_error_report", object=load_id).exists()
    assert c.get("/upload/999999-nope/problems.csv").status_code == 404


@pytest.mark.django_db
def test_upload_needs_a_file_and_a_csrf_token(make_user, upload_store):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("a", role="performance_analyst", password=None))
    assert client.post("/upload/", {}).status_code == 403  # no CSRF token
    c = Client()
    c.force_login(make_user("b", role="performance_analyst", password=None))
    r = c.post("/upload/", {"as_of": "yesterday"})
    assert r.status_code == 400
    body = r.content.decode()
    assert "Select at least one file to upload" in body and "There is a problem" in body


@pytest.mark.django_db
def test_pack_download_is_audited(as_role, loaded):
    from asc_assure.web.models import AuditEvent

    c = as_role("assurance_lead")
    r = c.get("/pack/?as_of=2025-03-31&period=week&format=html&download=1")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    html = b"".join(r.streaming_content).decode()
    assert "Weekly performance pack" in html and "People waiting for a Care Act assessment" in html
    ev = AuditEvent.objects.get(event="download_pack")
    assert ev.details["as_of"] == "2025-03-31" and ev.details["public"] is False
    form = c.get("/pack/").content.decode()
    assert "Download the pack" in form


@pytest.mark.django_db
def test_dates_can_be_typed_the_uk_way(as_role, loaded):
    c = as_role("performance_analyst")
    uk = c.get("/?as_of=31/3/2025").content.decode()
    assert "Data as at 31 March 2025" in uk and 'value="31/03/2025"' in uk
    bad = c.get("/?as_of=31/13/2025")
    assert "Enter a real date" in bad.content.decode()


@pytest.mark.django_db
def test_team_managers_see_detail_for_their_own_teams_only(client, make_user, loaded):
    from asc_assure.web.models import TeamMembership

    manager = make_user("tm", role="team_manager", password=None)
    TeamMembership.objects.create(user=manager, team="South Team")
    client.force_login(manager)
    page = client.get("/measures/waiting_list.count/?as_of=2025-03-31").content.decode()
    by_team = page.split("By team", 1)[1].split("</table>", 1)[0]
    assert "South Team" in by_team and "North Team" not in by_team
    assert client.get("/?as_of=2025-03-31&team=North+Team").status_code == 403
    assert client.get("/?as_of=2025-03-31&team=South+Team").status_code == 200
    lead = make_user("lead", role="assurance_lead", password=None)
    client.force_login(lead)
    assert "North Team" in client.get("/measures/waiting_list.count/?as_of=2025-03-31").content.decode()

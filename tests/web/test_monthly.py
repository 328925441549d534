"""The monthly report page: pick a month, see KPIs and exceptions, write commentary, download (audited)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from asc_assure.assurance import commentary as cm
from asc_assure.assurance.workspace import Workspace
from asc_assure.reports.word import docx_text
from test_monthly_report import COUNT, LONGEST, build_monthly_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(settings, tmp_path):
    settings.ASC_ASSURE_STORE = build_monthly_store(tmp_path / "monthly")
    return settings.ASC_ASSURE_STORE


@pytest.fixture
def as_role(client, make_user):
    def login(role: str, username: str | None = None):
        client.force_login(make_user(username or role.replace("_", "-"), role=role, password=None))
        return client

    return login


def test_viewers_cannot_see_the_monthly_report(as_role, store):
    c = as_role("viewer")
    assert c.get("/report/monthly/").status_code == 403
    assert c.get("/report/monthly/download/?month=2025-03&format=pdf").status_code == 403
    assert c.post(f"/report/monthly/2025-03/commentary/{COUNT}/", {"text": "Words"}).status_code == 403
    assert cm.latest_commentary(Workspace.for_store(store), "2025-03") == {}


def test_anonymous_visitors_are_sent_to_sign_in(client, store):
    r = client.get("/report/monthly/")
    assert r.status_code == 302 and "/sign-in/" in r["Location"]


def test_administrators_may_read_but_not_write_commentary(as_role, store):
    from asc_assure.web.models import AuditEvent

    c = as_role("administrator")
    body = c.get("/report/monthly/?month=2025-03").content.decode()
    assert "Monthly report: March 2025" in body and "<textarea" not in body
    assert c.post(f"/report/monthly/2025-03/commentary/{COUNT}/", {"text": "Words"}).status_code == 403
    assert AuditEvent.objects.filter(event="access_denied").exists()


def test_page_shows_kpis_exceptions_and_what_needs_commentary(as_role, store):
    c = as_role("performance_analyst")
    r = c.get("/report/monthly/")  # the latest month with data is chosen
    body = r.content.decode()
    assert r.status_code == 200
    assert '<option value="2025-03" selected>March 2025</option>' in body
    assert "People waiting for a Care Act assessment" in body and "Amber for 2 consecutive months" in body
    assert body.count("Commentary required") >= 2 and "2 exceptions still need commentary" in body
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", body))
    assert "Write commentary for People waiting for a Care Act assessment" in words
    assert "Write commentary for Longest wait for assessment (days)" in words
    assert 'href="/report/monthly/download/?month=2025-03&amp;format=docx"' in body
    assert 'href="/report/monthly/"' in body  # the navigation link "Monthly report"


def test_bad_month_shows_an_error_summary(as_role, store):
    r = as_role("assurance_lead").get("/report/monthly/?month=March")
    body = r.content.decode()
    assert r.status_code == 400 and "There is a problem" in body and "Choose a month from the list" in body


def test_month_without_data_says_so(as_role, store):
    body = as_role("assurance_lead").get("/report/monthly/?month=2025-06").content.decode()
    assert "has no data" in body


def test_team_manager_writes_and_revises_commentary_and_the_report_carries_it(as_role, store):
    from asc_assure.web.models import AuditEvent

    c = as_role("team_manager", "tm")
    url = f"/report/monthly/2025-03/commentary/{COUNT}/"
    r = c.post(url, {"text": "Referrals rose faster than assessments could be allocated."})
    assert r.status_code == 302 and r["Location"].endswith("?month=2025-03#m-waiting-list-count")
    c.post(url, {"text": "Referrals rose; agency assessors now cover the vacant posts."})
    history = c.get(url).content.decode()
    assert "2 (current)" in history and "Referrals rose faster" in history and "tm" in history
    page = c.get("/report/monthly/?month=2025-03").content.decode()
    assert "agency assessors now cover the vacant posts" in page and "version 2 of 2" in page
    assert "1 exception still needs commentary" in page
    events = AuditEvent.objects.filter(event="write_commentary").order_by("id")
    assert [e.details["version"] for e in events] == [1, 2] and events[0].object == f"{COUNT}@2025-03"
    latest = cm.get_commentary(Workspace.for_store(store), COUNT, "2025-03")
    assert latest["author"] == "tm" and latest["version"] == 2


def test_empty_commentary_is_refused_with_an_error_summary(as_role, store):
    r = as_role("team_manager").post(f"/report/monthly/2025-03/commentary/{LONGEST}/", {"text": "  "})
    body = r.content.decode()
    assert r.status_code == 400 and "There is a problem" in body
    assert 'href="#text"' in body and "Enter the commentary" in body and 'id="text-error"' in body
    assert cm.get_commentary(Workspace.for_store(store), LONGEST, "2025-03") is None


def test_unknown_measure_or_month_is_not_found(as_role, store):
    c = as_role("assurance_lead")
    assert c.get("/report/monthly/2025-03/commentary/no.such/").status_code == 404
    assert c.get(f"/report/monthly/2025-99/commentary/{COUNT}/").status_code == 404
    assert c.get("/report/monthly/download/?month=2025-03&format=txt").status_code == 404


@pytest.mark.parametrize("kind", ["pdf", "docx", "html"])
def test_downloads_in_three_formats_are_audited(as_role, store, kind, tmp_path):
    from asc_assure.web.models import AuditEvent

    cm.write_commentary(Workspace.for_store(store), "tm", COUNT, "2025-03", "Daily allocation meetings have started.")
    r = as_role("assurance_lead").get(f"/report/monthly/download/?month=2025-03&format={kind}")
    assert r.status_code == 200
    assert r["Content-Disposition"] == f'attachment; filename="monthly-report-2025-03.{kind}"'
    if kind == "pdf":
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    elif kind == "docx":
        (tmp_path / "r.docx").write_bytes(r.content)
        text = docx_text(tmp_path / "r.docx")
    else:
        text = r.content.decode()
    assert "March 2025" in text and "Daily allocation meetings have started." in text
    assert "Commentary required" in text  # the longest wait still has none
    ev = AuditEvent.objects.get(event="download_monthly_report")
    assert ev.object == f"monthly-report-2025-03.{kind}" and ev.details["missing_commentary"] == 1

"""Self-assessment and scores pages: who may see, edit, submit and approve; a full journey; audit events;
exports downloaded; GOV.UK error summaries for bad input."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import pytest
from django.test import Client
from docx import Document
from pypdf import PdfReader

from asc_assure.assurance import scores as sc
from asc_assure.assurance import self_assessment as sa
from asc_assure.assurance.workspace import Workspace
from asc_assure.web.models import AuditEvent
from asc_assure.web.permissions import ROLES
from extracts import build_figures_store

pytestmark = pytest.mark.django_db
THEME = "working-with-people"
STAFF = {"administrator", "assurance_lead", "performance_analyst", "team_manager"}


@pytest.fixture(scope="module")
def figures_store(tmp_path_factory):
    return build_figures_store(tmp_path_factory.mktemp("sa-figures"))


@pytest.fixture
def store(settings, figures_store, tmp_path):
    copy = tmp_path / "sa-store"
    shutil.copytree(figures_store, copy)
    settings.ASC_ASSURE_STORE = copy
    return copy


@pytest.fixture
def as_role(client, make_user):
    def login(role: str, username: str | None = None) -> Client:
        client.force_login(make_user(username or role, role=role, password=None))
        return client
    return login


def events(name: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event=name).order_by("id"))


def edit_form(**over: str) -> dict[str, str]:
    form = {"expected_version": "0", "ambition": "People get help promptly.",
            "strengths": "Strong front door\nReviews tracked weekly", "areas_for_improvement": "Shorter waits",
            "stat_rows": "2", "stat_measure_0": "waiting_list.count", "stat_group_0": "Priority area",
            "stat_label_0": "People waiting", "stat_measure_1": "", "stat_group_1": "Activity", "stat_label_1": "",
            "narrative_rows": "1", "narrative_heading_0": "Timeliness", "narrative_text_0": "Reviewed weekly.",
            "note": "first draft"}
    return {**form, **over}


PAGES = {"index": "/assurance/self-assessment/", "theme": f"/assurance/self-assessment/{THEME}/",
         "history": f"/assurance/self-assessment/{THEME}/history/", "diff": f"/assurance/self-assessment/{THEME}/diff/",
         "scores": "/assurance/scores/", "edit": f"/assurance/self-assessment/{THEME}/edit/"}
ALLOWED = {**{p: STAFF for p in PAGES}, "edit": {"assurance_lead", "performance_analyst"}}


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_reaches_exactly_its_pages(as_role, store, role, page):
    r = as_role(role).get(PAGES[page])
    assert r.status_code == (200 if role in ALLOWED[page] else 403), (role, page)


def test_anonymous_visitors_are_sent_to_sign_in(client, store):
    r = client.get(PAGES["index"])
    assert r.status_code == 302 and r.url.startswith("/sign-in/")


@pytest.mark.parametrize("url, role", [
    (f"/assurance/self-assessment/{THEME}/submit/", "team_manager"),
    (f"/assurance/self-assessment/{THEME}/approve/", "performance_analyst"),
    (f"/assurance/self-assessment/{THEME}/return/", "performance_analyst"),
    ("/assurance/scores/self/", "team_manager"),
    ("/assurance/scores/cqc/", "performance_analyst"),
])
def test_changes_are_refused_without_the_permission(as_role, store, url, role):
    assert as_role(role).post(url, {}).status_code == 403
    assert events("access_denied")[-1].object == url


def test_full_journey_draft_review_approve_and_export(client, make_user, store):
    analyst = make_user("ana", role="performance_analyst", password=None)
    lead = make_user("lee", role="assurance_lead", password=None)
    client.force_login(analyst)
    r = client.post(PAGES["edit"], edit_form())
    assert r.status_code == 302 and r.url == PAGES["theme"]
    page = client.get(PAGES["theme"]).content.decode()
    assert "People get help promptly." in page and "Draft" in page
    assert "People waiting" in page and ">4<" in page and "Amber" in page and "31 March 2025" in page
    assert "Submit version 1 for review" in page and ">Approve<" not in page
    r = client.post(f"/assurance/self-assessment/{THEME}/submit/", {"submit_note": "ready"})
    assert r.status_code == 302
    client.force_login(lead)
    page = client.get(PAGES["theme"]).content.decode()
    assert "In review" in page and "Return for changes" in page and ">Approve<" in page
    r = client.post(f"/assurance/self-assessment/{THEME}/return/", {"decision_comment": ""})
    assert r.status_code == 400 and "govuk-error-summary" in r.content.decode()
    assert "comment is required" in r.content.decode()
    r = client.post(f"/assurance/self-assessment/{THEME}/approve/", {"decision_comment": "Agreed"})
    assert r.status_code == 302
    assert sa.latest(Workspace.for_store(store), THEME)["status"] == "approved"
    assert [e.actor for e in events("self_assessment_save")] == ["ana"]
    assert events("self_assessment_submit")[0].details == {"version": 1, "comment": "ready"}
    assert events("self_assessment_approve")[0].actor == "lee"
    # Editing the approved theme starts version 2; history and diff show it.
    form = edit_form(expected_version="1", ambition="Help at once.")
    assert client.post(PAGES["edit"], form).status_code == 302
    history = client.get(PAGES["history"]).content.decode()
    assert "Version 2" in history and "Changes from version 1" in history
    diff = client.get(PAGES["diff"] + "?from=1&to=2").content.decode()
    assert "Our ambition" in diff and "Help at once." in diff and "People get help promptly." in diff
    old = client.get(f"/assurance/self-assessment/{THEME}/versions/1/").content.decode()
    assert "an earlier version" in old and "People get help promptly." in old
    # Downloads are real files and audited.
    r = client.get("/assurance/self-assessment/export/?theme=" + THEME + "&format=docx")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    doc = Document(io.BytesIO(b"".join(r.streaming_content)))
    assert any(p.text == "Help at once." for p in doc.paragraphs)
    r = client.get("/assurance/self-assessment/summary/?format=pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(b"".join(r.streaming_content))).pages) <= 4
    exported = events("self_assessment_export")[0]
    assert exported.object == f"self-assessment-{THEME}.docx" and exported.details["draft"] is True
    assert events("self_assessment_summary_export")[0].details["format"] == "pdf"


def test_the_submitter_cannot_approve_their_own_version(client, make_user, store):
    client.force_login(make_user("lee", role="assurance_lead", password=None))
    client.post(PAGES["edit"], edit_form())
    client.post(f"/assurance/self-assessment/{THEME}/submit/", {})
    page = client.get(PAGES["theme"]).content.decode()
    assert "You submitted this version, so someone else must approve it" in page and ">Approve<" not in page
    r = client.post(f"/assurance/self-assessment/{THEME}/approve/", {})
    assert r.status_code == 400 and "someone else must approve it" in r.content.decode()
    assert not events("self_assessment_approve")


def test_unknown_measure_shows_an_error_summary_and_keeps_what_was_typed(as_role, store):
    r = as_role("performance_analyst").post(PAGES["edit"], edit_form(stat_measure_0="made.up_measure"))
    body = r.content.decode()
    assert r.status_code == 400 and "govuk-error-summary" in body
    assert "unknown measure id &#39;made.up_measure&#39;" in body and 'href="#stat_measure_0"' in body
    assert "Strong front door\nReviews tracked weekly" in body
    assert sa.latest(Workspace.for_store(store), THEME) is None


def test_edit_form_labels_every_input(as_role, store):
    import re

    body = as_role("performance_analyst").get(PAGES["edit"]).content.decode()
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', body)
    assert ids and all(f'for="{i}"' in body for i in ids), [i for i in ids if f'for="{i}"' not in body]
    assert "Waiting list" in body and 'value="waiting_list.count"' in body  # measures from the registry


def test_scores_self_and_cqc_side_by_side(client, make_user, store):
    client.force_login(make_user("ana", role="performance_analyst", password=None))
    r = client.post("/assurance/scores/self/", {"self_safeguarding": "3", "rationale_safeguarding": ""})
    assert r.status_code == 400 and 'href="#rationale_safeguarding"' in r.content.decode()
    r = client.post("/assurance/scores/self/", {"self_safeguarding": "3", "rationale_safeguarding": "Audit 2024",
                                                "self_assessing-needs": "2", "rationale_assessing-needs": "Waits"})
    assert r.status_code == 302
    assert events("self_scores_set")[0].details == {"scores": ["assessing-needs=2", "safeguarding=3"]}
    page = client.get("/assurance/scores/").content.decode()
    assert "Record CQC&#39;s scores" not in page and "Save our scores" in page
    client.force_login(make_user("lee", role="assurance_lead", password=None))
    r = client.post("/assurance/scores/cqc/", {"assessed_on": "31/2/2025"})
    assert r.status_code == 400 and 'href="#assessed_on"' in r.content.decode()
    form = {f"cqc_{k}": str(v) for k, v in sa.OXFORDSHIRE_CQC_SCORES.items()}
    r = client.post("/assurance/scores/cqc/", {**form, "assessed_on": "5/9/2025", "report_date": "5/9/2025",
                                               "published_rating": "Good"})
    assert r.status_code == 302
    assert events("cqc_scores_record")[0].details["assessed_on"] == "2025-09-05"
    page = client.get("/assurance/scores/").content.decode()
    assert "23 of 36" in page and "64%" in page and "Same as CQC" in page and "Audit 2024" in page
    assert sc.comparison(Workspace.for_store(store))["compared"] == 2


def test_demo_content_shows_every_status_as_text(as_role, store):
    sa.seed_demo(Workspace.for_store(store), store, dt.date(2025, 3, 31))
    body = as_role("team_manager").get(PAGES["index"]).content.decode()
    for status in ("Approved", "Draft", "In review", "Returned for changes"):
        assert f">{status}</strong>" in body
    assert "<caption" in body and 'scope="col"' in body


def test_every_self_assessment_view_declares_its_permission():
    from asc_assure.web.self_assessment.urls import urlpatterns

    assert all(getattr(p.callback, "required_action", None) for p in urlpatterns)


def test_overview_is_edited_as_one_text(as_role, store):
    client = as_role("assurance_lead")
    r = client.post("/assurance/self-assessment/overview/edit/",
                    {"expected_version": "0", "text": "Our vision.\n\nOur second paragraph."})
    assert r.status_code == 302
    page = client.get("/assurance/self-assessment/overview/").content.decode()
    assert "<p class=\"govuk-body\">Our second paragraph.</p>" in page
    assert client.get("/assurance/self-assessment/no-such-theme/").status_code == 404

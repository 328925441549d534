"""One permission table; every role against every platform page."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from asc_assure.web.permissions import ACTIONS, PERMISSIONS, ROLES, can, managed_teams, requires
from asc_assure.web.urls import urlpatterns

PAGES = {"home": "/", "audit": "/audit/", "audit_export": "/audit/export.csv"}
ALLOWED = {
    "home": set(ROLES),
    "audit": {"administrator"},
    "audit_export": {"administrator"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("role", sorted(ROLES))
def test_role_page_matrix(client, make_user, role, page):
    client.force_login(make_user(role, role=role, password=None))
    r = client.get(PAGES[page])
    expected = 200 if role in ALLOWED[page] else 403
    assert r.status_code == expected, (role, page, r.status_code)
    if expected == 403:
        assert "You do not have access to this page" in r.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
def test_anonymous_users_are_sent_to_sign_in(client, page):
    r = client.get(PAGES[page])
    assert r.status_code == 302
    assert r.url.startswith("/sign-in/?next=")


@pytest.mark.django_db
def test_user_without_a_role_sees_nothing(client, make_user):
    client.force_login(make_user(role=None, password=None))
    assert client.get("/").status_code == 403


@pytest.mark.django_db
def test_denied_access_is_audited(client, make_user):
    from asc_assure.web.models import AuditEvent

    client.force_login(make_user("v", role="viewer", password=None))
    client.get("/audit/")
    ev = AuditEvent.objects.get(event="access_denied")
    assert ev.actor == "v" and ev.object == "/audit/" and ev.details == {"action": "view_audit"}


@pytest.mark.django_db
def test_navigation_shows_only_allowed_items(client, make_user):
    client.force_login(make_user("v", role="viewer", password=None))
    body = client.get("/").content.decode()
    assert 'href="/audit/"' not in body and "Dashboard" in body
    client.force_login(make_user("a", role="administrator", password=None))
    assert 'href="/audit/"' in client.get("/").content.decode()


def test_table_covers_every_action_with_known_roles():
    assert set(PERMISSIONS) == ACTIONS == {
        "view_dashboard", "view_measure", "view_internal_figures", "upload", "download_pack",
        "view_audit", "export_audit", "manage_users", "view_person_level", "change_own_password",
        "view_assurance", "edit_evidence", "edit_self_assessment", "approve_self_assessment", "record_cqc_scores",
        "manage_assessment", "update_own_tasks", "case_tracking", "view_plan", "edit_plan", "update_own_actions",
        "view_risks", "edit_risks", "view_budget", "edit_budget", "write_commentary", "generate_report",
        "view_operations", "run_schedule", "screen_dols", "sign_off_extensions", "prioritise_referrals",
        "verify_priority", "view_dsr", "edit_dsr", "view_dsr_counts", "view_ascof", "validate_cld", "view_equity",
        "view_workforce", "run_simulation"}
    for roles in PERMISSIONS.values():
        assert roles <= set(ROLES)
    assert not can(None, "view_dashboard")
    with pytest.raises(KeyError):
        can(None, "no_such_action")
    with pytest.raises(KeyError):
        requires("no_such_action")


@pytest.mark.django_db
def test_viewer_never_sees_internal_or_person_level_figures(make_user):
    viewer = make_user("v", role="viewer", password=None)
    assert not can(viewer, "view_internal_figures") and not can(viewer, "view_person_level")


@pytest.mark.django_db
def test_team_managers_see_only_their_teams(make_user):
    from asc_assure.web.models import TeamMembership

    tm = make_user("tm", role="team_manager", password=None)
    TeamMembership.objects.create(user=tm, team="North Locality Team")
    assert managed_teams(tm) == {"North Locality Team"}
    assert managed_teams(make_user("pa", role="performance_analyst", password=None)) is None
    assert managed_teams(make_user("al", role="assurance_lead", password=None)) == frozenset()


def _views(patterns):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _views(p.url_patterns)
        elif isinstance(p, URLPattern):
            yield p


def test_every_view_declares_its_permission():
    for p in _views(get_resolver().url_patterns):
        assert hasattr(p.callback, "required_action"), f"{p.pattern} has no @requires or @public"
    assert urlpatterns

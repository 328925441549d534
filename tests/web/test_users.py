"""User management: administrators only; passwords generated, hashed with Argon2, shown once; all audited."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from asc_assure.web.models import AuditEvent, TeamMembership
from asc_assure.web.permissions import ROLES

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"  # as in conftest.py

PASSWORD_RE = re.compile(r'<strong id="password">([^<]+)</strong>')


def _pages(user_id: int) -> dict[str, str]:
    return {
        "users": "/users/", "user_new": "/users/new/", "user": f"/users/{user_id}/",
        "user_roles": f"/users/{user_id}/roles/", "user_teams": f"/users/{user_id}/teams/",
        "user_deactivate": f"/users/{user_id}/deactivate/", "user_reactivate": f"/users/{user_id}/reactivate/",
        "user_reset_password": f"/users/{user_id}/reset-password/",
    }


@pytest.fixture
def admin(client, make_user):
    user = make_user("boss", role="administrator", password=None)
    client.force_login(user)
    return user


def _create(client, **fields):
    data = {"username": "sam", "full_name": "Sam Ng", "email": "sam@example.gov.uk", "roles": ["viewer"],
            "teams": ""}
    data.update(fields)
    return client.post(reverse("user_new"), data)


def _shown_password(response) -> str:
    found = PASSWORD_RE.findall(response.content.decode())
    assert len(found) == 1
    return found[0]


def test_url_names_match_the_paths(make_user):
    target = make_user("t", role="viewer", password=None)
    for name, path in _pages(target.pk).items():
        args = [] if name in ("users", "user_new") else [target.pk]
        assert reverse(name, args=args) == path


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"administrator"}))
def test_only_administrators_reach_users_pages(client, make_user, role):
    target = make_user("target", role="viewer", password=None)
    client.force_login(make_user(role, role=role, password=None))
    for path in _pages(target.pk).values():
        assert client.get(path).status_code == 403, path
        assert client.post(path, {"roles": ["administrator"]}).status_code == 403, path
    target.refresh_from_db()
    assert target.is_active and list(target.groups.values_list("name", flat=True)) == ["viewer"]
    assert AuditEvent.objects.filter(event="access_denied").count() == 2 * len(_pages(target.pk))
    assert not AuditEvent.objects.filter(event__startswith="user_").exists()


def test_anonymous_users_are_sent_to_sign_in(client, make_user):
    target = make_user("target", role="viewer", password=None)
    for path in _pages(target.pk).values():
        r = client.get(path)
        assert r.status_code == 302 and r.url.startswith("/sign-in/?next="), path
        assert client.post(path).status_code == 302


def test_administrator_reaches_every_page_and_sees_users_in_navigation(client, admin, make_user):
    target = make_user("target", role="viewer", password=None)
    for path in _pages(target.pk).values():
        assert client.get(path).status_code == 200, path
    body = client.get("/").content.decode()
    assert 'href="/users/"' in body
    client.force_login(target)
    assert 'href="/users/"' not in client.get("/").content.decode()


def test_list_shows_users_roles_teams_status_and_last_sign_in(client, admin, make_user):
    tm = make_user("tina", role="team_manager", password=None)
    tm.first_name, tm.email = "Tina Team", "tina@example.gov.uk"
    tm.save()
    TeamMembership.objects.create(user=tm, team="North Locality Team")
    gone = make_user("gone", role="viewer", password=None)
    gone.is_active = False
    gone.save()
    body = client.get("/users/").content.decode()
    assert f'href="/users/{tm.pk}/"' in body
    for text in ("Tina Team", "tina@example.gov.uk", "Team manager", "North Locality Team", "Active",
                 "Deactivated", "Never", "Administrator"):
        assert text in body, text
    # GET pages change nothing
    assert not AuditEvent.objects.filter(event__startswith="user_").exists()


def test_create_user_then_sign_in_with_the_shown_password(client, admin):
    teams = "North Locality Team\n\n  South   Team \nNorth Locality Team"
    r = _create(client, roles=["team_manager", "viewer"], teams=teams)
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]
    password = _shown_password(r)
    assert "shown only once" in r.content.decode()
    user = get_user_model().objects.get(username="sam")
    assert user.get_full_name() == "Sam Ng" and user.email == "sam@example.gov.uk" and user.is_active
    assert set(user.groups.values_list("name", flat=True)) == {"team_manager", "viewer"}
    assert sorted(user.team_memberships.values_list("team", flat=True)) == ["North Locality Team", "South Team"]
    assert user.password.startswith("argon2$")
    assert password not in user.password
    ev = AuditEvent.objects.get(event="user_created")
    assert ev.actor == "boss" and ev.object == "sam"
    assert ev.details == {"roles": ["team_manager", "viewer"], "teams": ["North Locality Team", "South Team"]}
    assert password not in str(ev.details)
    # never shown again
    assert password not in client.get(f"/users/{user.pk}/").content.decode()
    assert password not in client.get("/users/").content.decode()
    # the new user signs in through the sign-in form
    fresh = Client()
    r = fresh.post(reverse("login"), {"username": "sam", "password": password})
    assert r.status_code == 302 and r.url == "/"
    assert fresh.get("/").status_code == 200


def test_teams_are_ignored_for_roles_other_than_team_manager(client, admin):
    _create(client, roles=["assurance_lead"], teams="North Locality Team")
    assert not TeamMembership.objects.filter(user__username="sam").exists()


def test_duplicate_username_and_missing_role_name_their_fields(client, admin, make_user):
    make_user("Sam", role="viewer", password=None)
    r = _create(client, username="sam", roles=[], email="not-an-email")
    assert r.status_code == 400
    body = r.content.decode()
    assert "govuk-error-summary" in body
    assert 'href="#username"' in body and "A user with this username already exists" in body
    assert 'href="#roles"' in body and "Select at least one role" in body
    assert 'href="#email"' in body
    assert 'id="roles"' in body and 'id="username"' in body  # the summary's links have targets
    assert 'value="sam"' in body  # what was typed is kept
    assert get_user_model().objects.count() == 2
    r = _create(client, username="")
    assert r.status_code == 400 and "Enter a username" in r.content.decode()
    assert not AuditEvent.objects.filter(event="user_created").exists()


def test_unknown_roles_are_ignored(client, admin):
    r = _create(client, roles=["superuser"])
    assert r.status_code == 400 and "Select at least one role" in r.content.decode()


def test_roles_and_teams_changes_are_saved_and_audited(client, admin, make_user):
    u = make_user("tm", role="viewer", password=None)
    r = client.post(f"/users/{u.pk}/roles/", {"roles": ["team_manager", "assurance_lead"]})
    assert r.status_code == 302 and r.url == f"/users/{u.pk}/"
    assert set(u.groups.values_list("name", flat=True)) == {"team_manager", "assurance_lead"}
    ev = AuditEvent.objects.get(event="user_roles_changed")
    assert ev.object == "tm" and ev.actor == "boss"
    assert ev.details == {"before": ["viewer"], "after": ["assurance_lead", "team_manager"]}

    r = client.post(f"/users/{u.pk}/teams/", {"teams": "West Team\nEast Team\n"})
    assert r.status_code == 302
    assert sorted(u.team_memberships.values_list("team", flat=True)) == ["East Team", "West Team"]
    r = client.post(f"/users/{u.pk}/teams/", {"teams": "East Team\nNorth Team"})
    evs = list(AuditEvent.objects.filter(event="user_teams_changed").order_by("id"))
    assert [e.details for e in evs] == [
        {"before": [], "after": ["East Team", "West Team"]},
        {"before": ["East Team", "West Team"], "after": ["East Team", "North Team"]},
    ]
    from asc_assure.web.permissions import managed_teams

    assert managed_teams(get_user_model().objects.get(pk=u.pk)) == {"East Team", "North Team"}
    # no change, no event
    client.post(f"/users/{u.pk}/teams/", {"teams": "North Team\nEast Team"})
    client.post(f"/users/{u.pk}/roles/", {"roles": ["assurance_lead", "team_manager"]})
    assert AuditEvent.objects.filter(event__in=["user_roles_changed", "user_teams_changed"]).count() == 3
    body = client.get(f"/users/{u.pk}/").content.decode()
    assert "North Team" in body and "Team manager" in body


def test_removing_every_role_is_refused(client, admin, make_user):
    u = make_user("v", role="viewer", password=None)
    r = client.post(f"/users/{u.pk}/roles/", {})
    assert r.status_code == 400 and 'href="#roles"' in r.content.decode()
    assert list(u.groups.values_list("name", flat=True)) == ["viewer"]


def test_administrator_cannot_demote_or_deactivate_themselves(client, admin):
    r = client.post(f"/users/{admin.pk}/roles/", {"roles": ["viewer"]})
    assert r.status_code == 400
    assert "You cannot remove your own administrator role" in r.content.decode()
    assert 'href="#roles"' in r.content.decode()
    assert set(admin.groups.values_list("name", flat=True)) == {"administrator"}
    # adding a role to yourself is fine
    assert client.post(f"/users/{admin.pk}/roles/", {"roles": ["administrator", "viewer"]}).status_code == 302

    r = client.post(f"/users/{admin.pk}/deactivate/")
    assert r.status_code == 400 and "You cannot deactivate your own account" in r.content.decode()
    admin.refresh_from_db()
    assert admin.is_active
    assert not AuditEvent.objects.filter(event="user_deactivated").exists()
    assert "Deactivate" not in client.get(f"/users/{admin.pk}/").content.decode()


def test_deactivated_users_cannot_sign_in_and_can_be_reactivated(client, admin, make_user):
    u = make_user("leaver", role="assurance_lead")
    theirs = Client()
    theirs.force_login(u)
    assert theirs.get("/").status_code == 200
    assert client.get(f"/users/{u.pk}/deactivate/").status_code == 200
    u.refresh_from_db()
    assert u.is_active  # GET changes nothing
    r = client.post(f"/users/{u.pk}/deactivate/")
    assert r.status_code == 302
    u.refresh_from_db()
    assert not u.is_active
    assert AuditEvent.objects.get(event="user_deactivated").object == "leaver"
    assert theirs.get("/").status_code == 302  # their session no longer counts
    r = Client().post(reverse("login"), {"username": "leaver", "password": PASSWORD})
    assert r.status_code == 400
    assert get_user_model().objects.filter(username="leaver").exists()  # never deleted

    assert client.post(f"/users/{u.pk}/reactivate/").status_code == 302
    assert AuditEvent.objects.get(event="user_reactivated").object == "leaver"
    r = Client().post(reverse("login"), {"username": "leaver", "password": PASSWORD})
    assert r.status_code == 302


def test_password_reset_is_shown_once_and_audited_without_the_password(client, admin, make_user):
    u = make_user("forgetful", role="viewer")
    r = client.get(f"/users/{u.pk}/reset-password/")
    assert r.status_code == 200 and not PASSWORD_RE.search(r.content.decode())
    u.refresh_from_db()
    assert u.check_password(PASSWORD)  # GET changes nothing

    r = client.post(f"/users/{u.pk}/reset-password/")
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    password = _shown_password(r)
    u.refresh_from_db()
    assert u.password.startswith("argon2$") and u.check_password(password) and not u.check_password(PASSWORD)
    ev = AuditEvent.objects.get(event="user_password_reset")
    assert ev.object == "forgetful" and ev.actor == "boss"
    assert password not in ev.details.__repr__() and password not in ev.hash
    assert all(password not in str(e.details) + e.object for e in AuditEvent.objects.all())
    assert password not in client.get(f"/users/{u.pk}/").content.decode()
    assert Client().post(reverse("login"), {"username": "forgetful", "password": PASSWORD}).status_code == 400
    assert Client().post(reverse("login"), {"username": "forgetful", "password": password}).status_code == 302


def test_administrator_resetting_their_own_password_stays_signed_in(client, admin):
    r = client.post(f"/users/{admin.pk}/reset-password/")
    assert r.status_code == 200
    assert client.get("/users/").status_code == 200


def test_forms_need_csrf(make_user):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(make_user("boss", role="administrator", password=None))
    r = csrf_client.post(reverse("user_new"), {"username": "x", "roles": ["viewer"]})
    assert r.status_code == 403
    assert not get_user_model().objects.filter(username="x").exists()


def test_generated_passwords_pass_the_password_validators():
    from django.contrib.auth.password_validation import validate_password

    from asc_assure.web.users.views import generate_password

    pw = {generate_password() for _ in range(50)}
    assert len(pw) == 50
    for p in list(pw)[:5]:
        validate_password(p)


def test_pages_render_their_markup_not_escaped(client, admin, make_user):
    u = make_user("tm", role="team_manager", password=None)
    TeamMembership.objects.create(user=u, team="A & B Team")
    for path in (f"/users/{u.pk}/roles/", f"/users/{u.pk}/teams/", f"/users/{u.pk}/", "/users/"):
        body = client.get(path).content.decode()
        assert "&lt;" not in body, path
    assert "A &amp; B Team" in client.get(f"/users/{u.pk}/").content.decode()
    assert 'class="govuk-caption-l">tm</span>' in client.get(f"/users/{u.pk}/roles/").content.decode()

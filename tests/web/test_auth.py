"""Signing in and out: passwords, lockout, cookies, CSRF."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from asc_assure.web.models import AuditEvent

PASSWORD = "correct-horse-battery-staple"  # as in conftest.py

pytestmark = pytest.mark.django_db


def sign_in(client, username="alex", password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


def test_sign_in_page_renders(client):
    r = client.get(reverse("login"))
    assert r.status_code == 200
    assert b'<h1 class="govuk-heading-l">Sign in</h1>' in r.content


def test_good_password_signs_in_and_redirects_home(client, make_user):
    make_user()
    r = sign_in(client)
    assert r.status_code == 302 and r.url == "/"
    assert client.get("/").status_code == 200


def test_bad_password_fails_with_error_summary_linking_to_field(client, make_user):
    make_user()
    r = sign_in(client, password="wrong-password")
    assert r.status_code == 400
    body = r.content.decode()
    assert "govuk-error-summary" in body
    assert 'href="#username"' in body and "Enter a correct username and password" in body
    assert "_auth_user_id" not in client.session


def test_empty_fields_get_their_own_errors(client, db):
    body = client.post(reverse("login"), {"username": "", "password": ""}).content.decode()
    assert 'href="#username"' in body and 'href="#password"' in body
    assert "Enter your username" in body and "Enter your password" in body


def test_locks_out_after_five_failures_even_with_the_right_password(client, make_user):
    make_user()
    for _ in range(4):
        assert sign_in(client, password="nope").status_code == 400
    fifth = sign_in(client, password="nope")
    assert fifth.status_code == 429
    r = sign_in(client)  # right password, but locked
    assert r.status_code == 429
    assert "Your account is locked" in r.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(event="account_locked", object="alex").exists()


def test_lockout_is_per_username(client, make_user):
    make_user()
    make_user("sam")
    for _ in range(5):
        sign_in(client, password="nope")
    assert sign_in(client, username="sam").status_code == 302


def test_session_cookie_is_httponly_lax_and_ends_with_browser(client, make_user, settings):
    make_user()
    r = sign_in(client)
    cookie = r.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["max-age"] and not cookie["expires"]  # session cookie
    assert client.session.get_expiry_age() == 30 * 60


def test_passwords_are_stored_with_argon2(make_user):
    user = make_user()
    assert user.password.startswith("argon2$")


def test_csrf_enforced_on_sign_in(make_user):
    make_user()
    c = Client(enforce_csrf_checks=True)
    r = sign_in(c)
    assert r.status_code == 403
    assert "Your form could not be sent" in r.content.decode()
    c.get(reverse("login"))
    token = c.cookies["csrftoken"].value
    assert sign_in(c, csrfmiddlewaretoken=token).status_code == 302


def test_sign_out_is_post_only_and_ends_the_session(client, make_user):
    make_user()
    sign_in(client)
    assert client.get(reverse("logout")).status_code == 405
    r = client.post(reverse("logout"))
    assert r.status_code == 200 and "You have signed out" in r.content.decode()
    assert client.get("/").status_code == 302


def test_next_is_followed_only_on_this_site(client, make_user):
    make_user("admin", role="administrator")
    assert sign_in(client, username="admin", next="/audit/").url == "/audit/"
    client.post(reverse("logout"))
    assert sign_in(client, username="admin", next="https://evil.example/").url == "/"


def test_inactive_user_cannot_sign_in(client, make_user):
    user = make_user()
    user.is_active = False
    user.save()
    assert sign_in(client).status_code == 400


@pytest.mark.django_db
def test_database_follows_DATABASE_URL():
    """CI runs these tests twice: on SQLite by default and on PostgreSQL via DATABASE_URL."""
    import os

    from django.db import connection

    url = os.environ.get("DATABASE_URL", "")
    assert connection.vendor == ("postgresql" if url.startswith("postgres") else "sqlite")

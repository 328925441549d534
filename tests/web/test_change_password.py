"""Everyone can change their own password; the change is checked, hashed with Argon2 and audited."""

from __future__ import annotations

import pytest

from asc_assure.web.models import AuditEvent
from asc_assure.web.permissions import ROLES

from .conftest import PASSWORD

NEW = "four random words together"


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_role_can_change_their_password(client, make_user, role):
    user = make_user(role, role=role)
    client.force_login(user)
    assert client.get("/account/password/").status_code == 200
    r = client.post("/account/password/", {"current_password": PASSWORD, "new_password": NEW,
                                           "new_password_again": NEW})
    assert r.status_code == 200 and "Password changed" in r.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW) and user.password.startswith("argon2")
    assert client.get("/").status_code in {200, 403}  # still signed in after the change
    ev = AuditEvent.objects.get(event="password_changed")
    assert ev.actor == role and NEW not in str(ev.details)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [("wrong", NEW, NEW, "Enter your current password correctly"),
     (PASSWORD, NEW, NEW + "x", "The new passwords do not match"),
     (PASSWORD, "short", "short", "too short"),
     (PASSWORD, "", "", "Enter a new password")],
)
def test_bad_changes_are_refused_with_a_reason(client, make_user, current, new, again, message):
    user = make_user("sam", role="viewer")
    client.force_login(user)
    r = client.post("/account/password/", {"current_password": current, "new_password": new,
                                           "new_password_again": again})
    assert r.status_code == 400 and message in r.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_anonymous_users_must_sign_in_first(client, db):
    r = client.get("/account/password/")
    assert r.status_code == 302 and r.url.startswith("/sign-in/")

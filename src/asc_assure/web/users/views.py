"""Administrators manage users here. Users are never deleted (the audit log names them), only deactivated.

Every change is audited: ``user_created``, ``user_roles_changed``, ``user_teams_changed``,
``user_deactivated``, ``user_reactivated``, ``user_password_reset``. Passwords are generated, hashed with
the configured hasher (Argon2) and shown once, in the response to the POST that made them; they are
never stored in clear, never logged and never shown again.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.models import Group
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from asc_assure.web.auditlog import record
from asc_assure.web.models import TeamMembership
from asc_assure.web.permissions import ADMINISTRATOR, ROLES, TEAM_MANAGER, requires

# Unambiguous characters (no 0/o, 1/l/i) in groups of five: about 99 bits, easy to read out.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
PASSWORD_GROUPS = 4
PASSWORD_GROUP_LENGTH = 5


def generate_password() -> str:
    return "-".join(
        "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_GROUP_LENGTH))
        for _ in range(PASSWORD_GROUPS)
    )


def _user_model() -> Any:
    return get_user_model()


def _role_label(role: str) -> str:
    return ROLES[role].split(":", 1)[0]


def _role_hint(role: str) -> str:
    return ROLES[role].split(":", 1)[1].strip() if ":" in ROLES[role] else ""


def roles_for(user: Any) -> list[str]:
    """The user's roles in the order of ``ROLES`` (whether or not the user is active)."""
    names = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    return [r for r in ROLES if r in names]


def teams_for(user: Any) -> list[str]:
    return list(TeamMembership.objects.filter(user=user).order_by("team").values_list("team", flat=True))


def parse_teams(text: str) -> list[str]:
    """One team per line; blank lines and repeats ignored; order kept."""
    out: list[str] = []
    for line in text.splitlines():
        team = " ".join(line.split())
        if team and team not in out:
            out.append(team)
    return out


def _role_items(selected: list[str]) -> list[dict[str, Any]]:
    return [{"value": r, "text": _role_label(r), "hint": {"text": _role_hint(r)}, "checked": r in selected}
            for r in ROLES]


def _set_roles(user: Any, roles: list[str]) -> None:
    user.groups.remove(*Group.objects.filter(name__in=ROLES))
    user.groups.add(*Group.objects.filter(name__in=roles))
    if hasattr(user, "_asc_roles"):
        del user._asc_roles


def _set_teams(user: Any, teams: list[str]) -> None:
    TeamMembership.objects.filter(user=user).exclude(team__in=teams).delete()
    existing = set(TeamMembership.objects.filter(user=user).values_list("team", flat=True))
    TeamMembership.objects.bulk_create([TeamMembership(user=user, team=t) for t in teams if t not in existing])


def _last_sign_in(user: Any) -> str:
    if not user.last_login:
        return "Never"
    when = timezone.localtime(user.last_login)
    return f"{when.day} {when:%B %Y at %H:%M}"


def _lines(values: list[str]) -> str:
    return format_html_join(mark_safe("<br>"), "{}", ((v,) for v in values))


def _status_tag(active: bool) -> str:
    if active:
        return format_html('<strong class="govuk-tag govuk-tag--green">{}</strong>', "Active")
    return format_html('<strong class="govuk-tag govuk-tag--grey">{}</strong>', "Deactivated")


def _clear_lockout(username: str) -> None:
    try:
        from axes.utils import reset

        reset(username=username)
    except Exception:  # pragma: no cover - axes not configured
        pass


def _validate_roles(roles: list[str], errors: list[dict[str, str]]) -> None:
    if not roles:
        errors.append({"text": "Select at least one role", "href": "#roles"})


def _validate_teams(teams: list[str], errors: list[dict[str, str]]) -> None:
    for team in teams:
        if len(team) > 200:
            errors.append({"text": "Each team name must be 200 characters or fewer", "href": "#teams"})
            return


def _posted_roles(request: HttpRequest) -> list[str]:
    posted = set(request.POST.getlist("roles"))
    return [r for r in ROLES if r in posted]


def _field_errors(errors: list[dict[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in errors:
        out.setdefault(e["href"].lstrip("#"), e["text"])
    return out


def _password_page(request: HttpRequest, user: Any, password: str, *, created: bool) -> HttpResponse:
    response = render(request, "users/password.html", {"subject": user, "password": password, "created": created})
    add_never_cache_headers(response)  # the password must not be kept by the browser or a proxy
    return response


@requires("manage_users")
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    users = _user_model().objects.order_by("username").prefetch_related("groups", "team_memberships")
    rows = []
    for u in users:
        roles = [g.name for g in u.groups.all() if g.name in ROLES]
        roles = [r for r in ROLES if r in roles]
        teams = sorted(m.team for m in u.team_memberships.all()) if TEAM_MANAGER in roles else []
        rows.append([
            {"html": format_html('<a class="govuk-link" href="{}">{}</a>', reverse("user", args=[u.pk]),
                                 u.get_username())},
            {"text": u.get_full_name()},
            {"text": u.email},
            {"html": _lines([_role_label(r) for r in roles]) or "None"},
            {"html": _lines(teams)},
            {"html": _status_tag(u.is_active)},
            {"text": _last_sign_in(u)},
        ])
    return render(request, "users/list.html", {"rows": rows})


@requires("manage_users")
@require_http_methods(["GET", "POST"])
def user_new(request: HttpRequest) -> HttpResponse:
    User = _user_model()
    values = {"username": "", "full_name": "", "email": "", "teams": ""}
    roles: list[str] = []
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        values["teams"] = request.POST.get("teams", "")
        roles = _posted_roles(request)
        teams = parse_teams(values["teams"]) if TEAM_MANAGER in roles else []
        username = values["username"]
        if not username:
            errors.append({"text": "Enter a username", "href": "#username"})
        elif len(username) > 150:
            errors.append({"text": "Username must be 150 characters or fewer", "href": "#username"})
        else:
            try:
                UnicodeUsernameValidator()(username)
            except ValidationError:
                errors.append({"text": "Username must only include letters, numbers and @ . + - _",
                               "href": "#username"})
            else:
                if User.objects.filter(username__iexact=username).exists():
                    errors.append({"text": "A user with this username already exists", "href": "#username"})
        if len(values["full_name"]) > 150:
            errors.append({"text": "Full name must be 150 characters or fewer", "href": "#full_name"})
        if values["email"]:
            try:
                validate_email(values["email"])
            except ValidationError:
                errors.append({"text": "Enter an email address in the correct format, like name@example.gov.uk",
                               "href": "#email"})
        _validate_roles(roles, errors)
        _validate_teams(teams, errors)
        if not errors:
            password = generate_password()
            try:
                with transaction.atomic():
                    # The full name goes in first_name so that get_full_name() gives it back unchanged
                    # (names are not split into first and last).
                    user = User(username=username, first_name=values["full_name"], email=values["email"],
                                is_active=True)
                    user.set_password(password)
                    user.save()
                    _set_roles(user, roles)
                    _set_teams(user, teams)
                    record(request, "user_created", object=username, roles=roles, teams=teams)
            except IntegrityError:  # created by someone else between the check and the save
                errors.append({"text": "A user with this username already exists", "href": "#username"})
            else:
                _clear_lockout(username)
                return _password_page(request, user, password, created=True)
    return render(request, "users/new.html", {
        "values": values, "role_items": _role_items(roles), "errors": errors,
        "field_errors": _field_errors(errors),
    }, status=400 if errors else 200)


@requires("manage_users")
@require_GET
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    subject = get_object_or_404(_user_model(), pk=user_id)
    roles = roles_for(subject)
    return render(request, "users/detail.html", {
        "subject": subject, "roles_html": _lines([_role_label(r) for r in roles]) or "None",
        "status_html": _status_tag(subject.is_active), "is_team_manager": TEAM_MANAGER in roles,
        "teams_html": _lines(teams_for(subject)) or "None", "last_sign_in": _last_sign_in(subject),
        "is_self": subject.pk == request.user.pk,
    })


@requires("manage_users")
@require_http_methods(["GET", "POST"])
def user_roles(request: HttpRequest, user_id: int) -> HttpResponse:
    subject = get_object_or_404(_user_model(), pk=user_id)
    before = roles_for(subject)
    roles = before
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        roles = _posted_roles(request)
        _validate_roles(roles, errors)
        if subject.pk == request.user.pk and ADMINISTRATOR in before and ADMINISTRATOR not in roles:
            errors.append({"text": "You cannot remove your own administrator role. "
                                   "Ask another administrator to do it", "href": "#roles"})
        if not errors:
            if roles != before:
                with transaction.atomic():
                    _set_roles(subject, roles)
                    record(request, "user_roles_changed", object=subject.get_username(), before=before, after=roles)
            return redirect("user", user_id=subject.pk)
    return render(request, "users/roles.html", {
        "subject": subject, "role_items": _role_items(roles), "errors": errors,
        "field_errors": _field_errors(errors),
    }, status=400 if errors else 200)


@requires("manage_users")
@require_http_methods(["GET", "POST"])
def user_teams(request: HttpRequest, user_id: int) -> HttpResponse:
    subject = get_object_or_404(_user_model(), pk=user_id)
    before = teams_for(subject)
    text = "\n".join(before)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        text = request.POST.get("teams", "")
        teams = parse_teams(text)
        _validate_teams(teams, errors)
        if not errors:
            if sorted(teams) != before:
                with transaction.atomic():
                    _set_teams(subject, teams)
                    record(request, "user_teams_changed", object=subject.get_username(),
                           before=before, after=sorted(teams))
            return redirect("user", user_id=subject.pk)
    return render(request, "users/teams.html", {
        "subject": subject, "teams_text": text, "is_team_manager": TEAM_MANAGER in roles_for(subject),
        "errors": errors, "field_errors": _field_errors(errors),
    }, status=400 if errors else 200)


def _change_status(request: HttpRequest, user_id: int, *, active: bool) -> HttpResponse:
    subject = get_object_or_404(_user_model(), pk=user_id)
    errors: list[dict[str, str]] = []
    if not active and subject.pk == request.user.pk:
        errors.append({"text": "You cannot deactivate your own account. Ask another administrator to do it",
                       "href": "#confirm"})
    if request.method == "POST" and not errors:
        if subject.is_active != active:
            with transaction.atomic():
                subject.is_active = active
                subject.save(update_fields=["is_active"])
                record(request, "user_reactivated" if active else "user_deactivated",
                       object=subject.get_username())
            if active:
                _clear_lockout(subject.get_username())
        return redirect("user", user_id=subject.pk)
    return render(request, "users/status.html", {"subject": subject, "activate": active, "errors": errors},
                  status=400 if errors and request.method == "POST" else 200)


@requires("manage_users")
@require_http_methods(["GET", "POST"])
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _change_status(request, user_id, active=False)


@requires("manage_users")
@require_http_methods(["GET", "POST"])
def user_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _change_status(request, user_id, active=True)


@requires("manage_users")
@require_http_methods(["GET", "POST"])
def user_reset_password(request: HttpRequest, user_id: int) -> HttpResponse:
    subject = get_object_or_404(_user_model(), pk=user_id)
    if request.method == "POST":
        password = generate_password()
        with transaction.atomic():
            subject.set_password(password)
            subject.save(update_fields=["password"])
            record(request, "user_password_reset", object=subject.get_username())
        if subject.pk == request.user.pk:
            update_session_auth_hash(request, subject)  # keep the administrator signed in
        _clear_lockout(subject.get_username())
        return _password_page(request, subject, password, created=False)
    return render(request, "users/reset_password.html", {"subject": subject})

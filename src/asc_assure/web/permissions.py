"""The one permission mechanism: a table of actions and the roles allowed each.

Every view is wrapped in ``@requires(action)``; templates call ``can(action)``. Roles are Django
groups named after the keys of ``ROLES``; a team manager's teams are ``TeamMembership`` rows.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

ADMINISTRATOR = "administrator"
ASSURANCE_LEAD = "assurance_lead"
PERFORMANCE_ANALYST = "performance_analyst"
TEAM_MANAGER = "team_manager"
VIEWER = "viewer"

ROLES: dict[str, str] = {
    ADMINISTRATOR: "Administrator: manages users and reads the audit log",
    ASSURANCE_LEAD: "Assurance lead: all measures, the weekly pack, the CQC workspace, plan and risks",
    PERFORMANCE_ANALYST: "Performance analyst: all measures, uploads, person-level data",
    TEAM_MANAGER: "Team manager: measures, and person-level data for their own teams",
    VIEWER: "Viewer (e.g. councillor): published, suppressed figures only",
}

ALL_ROLES = frozenset(ROLES)
STAFF_ROLES = frozenset({ADMINISTRATOR, ASSURANCE_LEAD, PERFORMANCE_ANALYST, TEAM_MANAGER})

# action -> roles allowed. Change access here and nowhere else.
PERMISSIONS: dict[str, frozenset[str]] = {
    "view_dashboard": ALL_ROLES,
    "view_measure": ALL_ROLES,
    "view_internal_figures": STAFF_ROLES,  # unsuppressed small numbers; viewers see suppressed only
    "upload": frozenset({ADMINISTRATOR, PERFORMANCE_ANALYST}),
    "download_pack": STAFF_ROLES,
    "view_audit": frozenset({ADMINISTRATOR}),
    "export_audit": frozenset({ADMINISTRATOR}),
    "manage_users": frozenset({ADMINISTRATOR}),
    "change_own_password": ALL_ROLES,
    "view_person_level": frozenset({PERFORMANCE_ANALYST, TEAM_MANAGER}),  # team managers: own teams only
    # CQC assurance workspace: evidence, self-assessment, scores, timeline, information return, cases.
    "view_assurance": STAFF_ROLES,
    "edit_evidence": frozenset({ASSURANCE_LEAD, PERFORMANCE_ANALYST, TEAM_MANAGER}),
    "edit_self_assessment": frozenset({ASSURANCE_LEAD, PERFORMANCE_ANALYST}),
    "approve_self_assessment": frozenset({ASSURANCE_LEAD}),
    "record_cqc_scores": frozenset({ASSURANCE_LEAD}),
    "manage_assessment": frozenset({ASSURANCE_LEAD}),  # timeline, tasks, information-return checklist
    "update_own_tasks": STAFF_ROLES,  # a task's or checklist item's owner updates its status
    "case_tracking": frozenset({ASSURANCE_LEAD, PERFORMANCE_ANALYST}),  # person-level (pseudonymised); audited
    # Improvement plan, risk register, budget monitoring, monthly report.
    "view_plan": ALL_ROLES,
    "edit_plan": frozenset({ASSURANCE_LEAD}),
    "update_own_actions": STAFF_ROLES,  # an action's owner updates its status, % complete and log
    "view_risks": ALL_ROLES,
    "edit_risks": frozenset({ASSURANCE_LEAD}),
    "view_budget": ALL_ROLES,
    "edit_budget": frozenset({ASSURANCE_LEAD, PERFORMANCE_ANALYST}),
    "write_commentary": frozenset({ASSURANCE_LEAD, PERFORMANCE_ANALYST, TEAM_MANAGER}),
    "generate_report": STAFF_ROLES,
    # Operational tools: scheduling, DoLS screening, safeguarding work queues (person-level, audited).
    "view_operations": frozenset({ASSURANCE_LEAD, PERFORMANCE_ANALYST, TEAM_MANAGER}),
    "run_schedule": frozenset({PERFORMANCE_ANALYST, TEAM_MANAGER}),
    "screen_dols": frozenset({TEAM_MANAGER, PERFORMANCE_ANALYST}),
    "sign_off_extensions": frozenset({TEAM_MANAGER}),
    "prioritise_referrals": frozenset({PERFORMANCE_ANALYST, TEAM_MANAGER}),  # record answers, re-prioritise
    "verify_priority": frozenset({TEAM_MANAGER}),  # practice supervisors verify or change a priority (audited)
    # Dynamic Support Register: person-level health information, named roles only, every view audited.
    "view_dsr": frozenset({TEAM_MANAGER}),
    "edit_dsr": frozenset({TEAM_MANAGER}),
    "view_dsr_counts": STAFF_ROLES,  # counts by RAG over time, no person-level detail
    # ASCOF, CLD, benchmarking, equity, workforce, demand and capacity.
    "view_ascof": ALL_ROLES,  # viewers see suppressed figures
    "validate_cld": frozenset({PERFORMANCE_ANALYST}),
    "view_equity": ALL_ROLES,  # viewers see suppressed figures
    "view_workforce": STAFF_ROLES,
    "run_simulation": frozenset({ASSURANCE_LEAD, PERFORMANCE_ANALYST}),
}
ACTIONS = frozenset(PERMISSIONS)


def roles_of(user: Any) -> frozenset[str]:
    """The user's roles (empty for anonymous or inactive users), cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_asc_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._asc_roles = cached
    return cached


def can(user: Any, action: str) -> bool:
    """May this user perform this action? Unknown actions are an error, not a silent refusal."""
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}; add it to asc_assure.web.permissions.PERMISSIONS")
    return bool(roles_of(user) & PERMISSIONS[action])


def managed_teams(user: Any) -> frozenset[str] | None:
    """Teams whose person-level rows the user may see: None means every team, empty means none."""
    if not can(user, "view_person_level"):
        return frozenset()
    if PERFORMANCE_ANALYST in roles_of(user):
        return None
    return frozenset(user.team_memberships.values_list("team", flat=True))


def forbidden(request: HttpRequest, action: str | None = None) -> HttpResponse:
    from django.shortcuts import render

    from asc_assure.web.auditlog import record

    record(request, "access_denied", object=request.path, action=action)
    return render(request, "errors/403.html", {"action": action}, status=403)


def requires(action: str) -> Callable:
    """View decorator: anonymous users go to sign in; signed-in users without the role get a 403 page."""
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, action):
                return forbidden(request, action)
            return view(request, *args, **kwargs)

        wrapped.required_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    """Mark a view deliberately open to everyone (sign-in, sign-out); tests check every view is marked."""
    view.required_action = None  # type: ignore[attr-defined]
    return view


def ensure_roles() -> None:
    """Create the role groups if missing (run after every migrate)."""
    from django.contrib.auth.models import Group

    for name in ROLES:
        Group.objects.get_or_create(name=name)

"""Context every page gets: CSP nonce, council name, the user's roles and the navigation they may see."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from asc_assure.web.council import council_name
from asc_assure.web.permissions import can, roles_of

SERVICE_NAME = "ASC Assure"

# (label, URL name, action). Items whose URL is not (yet) defined are left out.
NAVIGATION: list[tuple[str, str, str]] = [
    ("Dashboard", "home", "view_dashboard"),
    ("Measures", "measures", "view_measure"),
    ("Upload", "upload", "upload"),
    ("Weekly pack", "pack", "download_pack"),
    ("CQC assurance", "assurance", "view_assurance"),
    ("Improvement plan", "plan", "view_plan"),
    ("Risks", "risks", "view_risks"),
    ("Budget", "budget", "view_budget"),
    ("Monthly report", "monthly_report", "generate_report"),
    ("Operations", "operations", "view_operations"),
    ("ASCOF", "ascof", "view_ascof"),
    ("Equity", "equity", "view_equity"),
    ("Workforce", "workforce", "view_workforce"),
    ("Demand and capacity", "simulation", "run_simulation"),
    ("Audit", "audit", "view_audit"),
    ("Users", "users", "manage_users"),
]


def navigation(request: HttpRequest) -> list[dict[str, Any]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = []
    for label, name, action in NAVIGATION:
        if not can(user, action):
            continue
        try:
            href = reverse(name)
        except NoReverseMatch:
            continue
        current = request.path == href
        active = current or (href != "/" and request.path.startswith(href))
        items.append({"text": label, "href": href, "current": current, "active": active})
    return items


def platform(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    nonce = getattr(request, "csp_nonce", None)
    return {
        "cspNonce": str(nonce) if nonce is not None else "",
        "service_name": SERVICE_NAME,
        "council_name": council_name(),
        "roles": sorted(roles_of(user)),
        "can": lambda action: can(user, action),
        "nav_items": navigation(request),
    }

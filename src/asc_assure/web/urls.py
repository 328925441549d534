"""URLs. Feature pages (dashboard, measures, upload, pack) are added to FEATURE_URLS; they come before
the placeholder home page, so a feature that defines ``""`` (named "home") replaces it."""

from __future__ import annotations

import importlib.util

from django.urls import URLPattern, URLResolver, include, path

from asc_assure.web import views

FEATURE_URLS: list[URLPattern | URLResolver] = []

if (importlib.util.find_spec("asc_assure.web.dashboard") is not None
        and importlib.util.find_spec("asc_assure.web.dashboard.urls") is not None):
    FEATURE_URLS.append(path("", include("asc_assure.web.dashboard.urls")))

FEATURE_URLS.append(path("users/", include("asc_assure.web.users.urls")))

# Workspace features: each package's urls.py names its own paths (e.g. "assurance/evidence/").
WORKSPACE_FEATURES = ("assurance", "evidence", "self_assessment", "assessment", "plan", "risks", "budget",
                      "monthly", "scheduling", "operations", "prioritisation", "dsr", "ascof", "cld", "equity",
                      "workforce", "simulation")


def _has_urls(feature: str) -> bool:
    return (importlib.util.find_spec(f"asc_assure.web.{feature}") is not None
            and importlib.util.find_spec(f"asc_assure.web.{feature}.urls") is not None)


for _feature in WORKSPACE_FEATURES:
    if _has_urls(_feature):
        FEATURE_URLS.append(path("", include(f"asc_assure.web.{_feature}.urls")))

urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("account/password/", views.change_password, name="change_password"),
    path("audit/", views.audit_list, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    *FEATURE_URLS,
    path("", views.home, name="home"),
]

handler403 = "asc_assure.web.views.forbidden_page"
handler404 = "asc_assure.web.views.not_found_page"
handler500 = "asc_assure.web.views.server_error_page"

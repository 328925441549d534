from __future__ import annotations

from django.urls import path

from asc_assure.web.plan import views

urlpatterns = [
    path("plan/", views.overview, name="plan"),
    path("plan/measures/", views.measures, name="plan_measures"),
    path("plan/export.xlsx", views.export, name="plan_export"),
    path("plan/import/", views.import_view, name="plan_import"),
    path("plan/workstreams/new/", views.workstream_new, name="plan_workstream_new"),
    path("plan/workstreams/<str:ref>/edit/", views.workstream_edit, name="plan_workstream_edit"),
    path("plan/actions/new/", views.action_new, name="plan_action_new"),
    path("plan/actions/<str:ref>/", views.action_detail, name="plan_action"),
    path("plan/actions/<str:ref>/progress/", views.action_progress, name="plan_action_progress"),
    path("plan/actions/<str:ref>/edit/", views.action_edit, name="plan_action_edit"),
]
